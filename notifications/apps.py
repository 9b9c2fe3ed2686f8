"""App configuration: the work queue and the notifications that carry it by e-mail."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Work queue and notifications")
