"""Who reads a portal page, and the public pages' cache.

A reader of the registry (signed in) sees the reader's page as before. Anyone else sees the
public page: the fields the API gives anonymous clients. A visitor's page is cached per page
under the registry revision, with an ETag so a browser that has the page gets 304. When the
public pages are off (settings.PUBLIC_PAGES), visitors are sent to log in; every signed-in user
still reads the public pages (committees.permissions.can_read_public).
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from committees import permissions
from portal.revision import registry_revision

CSRF_MARK = "__public-page-csrf-token__"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def is_public_request(request) -> bool:
    return not getattr(request, "registry_reader", False)


def _page_key(request) -> str:
    raw = f"{registry_revision()}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def _serve_cached(request, view, args, kwargs):
    key = _page_key(request)
    etag = f'"{key}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    cached = cache.get(f"public-page:{key}")
    hit = cached is not None
    if not hit:
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or getattr(response, "streaming", False):
            return response
        body = _CSRF_INPUT.sub(rf"\g<1>{CSRF_MARK}\g<2>", response.content.decode(response.charset))
        cached = {"body": body, "content_type": response["Content-Type"]}
        cache.set(f"public-page:{key}", cached, settings.PUBLIC_PAGE_CACHE_SECONDS)
    # The language switch posts a CSRF token: each visitor gets their own in the cached page.
    body = cached["body"].replace(CSRF_MARK, get_token(request))
    response = HttpResponse(body, content_type=cached["content_type"])
    response["ETag"] = etag
    response["X-Public-Page"] = "cached" if hit else "rendered"
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    return response


def public_gate(view):
    """The public pages' gate without their page cache (for pages that change on their own)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_read_public(request.user):
            return redirect_to_login(request.get_full_path())
        request.registry_reader = permissions.is_reader(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def public_or_reader(view):
    """Readers get the page as before; everyone else the public page (cached), or a login
    redirect when the public pages are off. A missing record is a 404 either way."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not permissions.can_read_public(user):
            return redirect_to_login(request.get_full_path())
        reader = permissions.is_reader(user)
        request.registry_reader = reader

        def run(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except ObjectDoesNotExist as exc:
                raise Http404 from exc

        # Only a visitor's page is cached: a signed-in page names its user in the header.
        cacheable = (
            not user.is_authenticated
            and request.method in ("GET", "HEAD")
            and "messages" not in request.COOKIES
        )
        if cacheable:
            return _serve_cached(request, run, args, kwargs)
        return run(request, *args, **kwargs)

    return wrapper
