"""App configuration: pages for citizens, leaders and staff."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Pages for leaders and staff")

    def ready(self) -> None:
        from portal.revision import connect_revision_signals

        connect_revision_signals()
