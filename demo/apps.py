"""App configuration: demo and scale data, and the benchmarks that use them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("Demo and scale data")
