"""App configuration: the REST API and Popolo exchange."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("The REST API and Popolo exchange")
