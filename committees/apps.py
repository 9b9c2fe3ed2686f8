"""App configuration: bodies, agencies and legal instruments."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Bodies, agencies and legal instruments")

    def ready(self) -> None:
        from committees.permissions import ensure_groups

        # Without a sender: it runs after each app so the last app's permissions are included.
        post_migrate.connect(ensure_groups, dispatch_uid="committees.ensure_groups")
