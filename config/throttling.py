"""Login throttling beyond django-axes' per-user-name-and-address lockout: failures from one
address are also counted across every user name, so one password tried against many accounts
is stopped after AXES_ADDRESS_FAILURE_LIMIT failures (AXES_HANDLER).

The address is the one config.middleware.client_ip resolves (TRUSTED_PROXY_COUNT), so a client
cannot escape the count, nor push another client's address into it, by forging X-Forwarded-For.
"""

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def address_failures(ip_address: str | None) -> int:
    """Failed log-ins from this address within the cool-off, over every user name."""
    if not ip_address:
        return 0
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


class RegistryAxesHandler(AxesDatabaseHandler):
    def _address_locked(self, request) -> bool:
        ip_address = getattr(request, "axes_ip_address", None)
        locked = address_failures(ip_address) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        if locked:
            request.registry_address_locked = True
        return locked

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return bool(settings.AXES_LOCK_OUT_AT_FAILURE) and self._address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials) or not settings.AXES_LOCK_OUT_AT_FAILURE:
            return
        if self._address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=(credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD),
                ip_address=request.axes_ip_address,
            )
