"""Answers for a broken environment: the database is down (503) or an upload is too large (413).

Both answers are plain: no template, no session, no query, so they work when nothing else does.
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _plain(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        language = escape(get_language() or settings.LANGUAGE_CODE)
        body = (
            f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
            f"<title>{escape(message)}</title></head><body><p>{escape(message)}</p></body></html>"
        )
        response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response = _plain(
        request,
        _(
            "The registry is temporarily unavailable: its database cannot be reached. "
            "Please try again in a few minutes."
        ),
        503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 with a plain message, not a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable on %s: %s", request.path, exception)
            return database_unavailable(request)
        return None


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500: a database outage met outside a view (a middleware, the session save) is
    still a 503 with the plain message; anything else is Django's own 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, *args, **kwargs)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: form data over Django's limits is refused with a clear message (413);
    any other bad request is Django's own 400 page."""
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        return _too_large(request, None)
    return defaults.bad_request(request, exception)


def _too_large(request: HttpRequest, length: int | None) -> HttpResponse:
    limit = settings.MAX_REQUEST_BYTES
    if length is None:
        message = _(
            "The form sent too much data (more than %(limit)s MB, or too many fields or files). "
            "Nothing was saved."
        ) % {"limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    else:
        message = _(
            "The upload is too large (%(size)s MB); the limit is %(limit)s MB. Nothing was saved."
        ) % {"size": _megabytes(length), "limit": _megabytes(limit)}
    return _plain(request, message, 413)


class RequestSizeLimitMiddleware:
    """Refuses a request body larger than MAX_REQUEST_BYTES before anything reads it.

    Django limits form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files; this caps
    both, so an oversized upload is refused with a clear message and nothing is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        limit = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            logger.warning("Refused a %s-byte request to %s", length, request.path)
            return _too_large(request, length)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def login_locked_out(request: HttpRequest, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout said plainly, in the user's language."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    response = _plain(
        request,
        _(
            "Too many failed log-ins for this user name from your address. "
            "Log-in is locked for %(minutes)s minutes; try again later or ask an administrator."
        )
        % {"minutes": minutes},
        429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the trusted proxies saw it (AXES_CLIENT_IP_CALLABLE)."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops > 0 and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(addresses) >= hops:
            return addresses[-hops]
    return request.META.get("REMOTE_ADDR")


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the language switch (its cookie).

    The browser's Accept-Language is not consulted for pages: the city's machines often
    send English whatever their users read. API clients keep content negotiation.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MalformedCookieMiddleware:
    """A cookie holding a NUL or another control character is no cookie this site set: it is
    dropped before the session and CSRF middleware read it (PostgreSQL refuses NUL in text, so
    a forged session cookie would otherwise end in a server error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        cookies = request.COOKIES
        bad = [name for name, value in cookies.items() if _has_control(name) or _has_control(value)]
        for name in bad:
            del cookies[name]
        return self.get_response(request)


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)
