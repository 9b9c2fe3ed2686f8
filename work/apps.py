"""App configuration: meetings, conclusions and assigned tasks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = _("Meetings and assigned tasks")
