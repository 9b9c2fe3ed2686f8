"""App configuration: request keys that make a retried write happen once."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdempotencyConfig(AppConfig):
    name = "idempotency"
    verbose_name = _("Request keys")
    default_auto_field = "django.db.models.BigAutoField"
