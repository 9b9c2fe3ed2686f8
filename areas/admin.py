"""Admin of areas: browsable by every staff account, changed by administrators."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from committees.admin_base import RegistryAdmin


@admin.register(Area)
class AreaAdmin(RegistryAdmin):
    list_display = ("name", "kind", "parent", "valid_from_display", "valid_until_display", "source")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "name",
        "kind",
        "slug",
        "parent",
        "identifiers",
        "other_names",
        ("valid_from", "valid_from_precision"),
        ("valid_until", "valid_until_precision"),
        "source",
        "source_date",
    )

    @admin.display(description=_("valid from"), ordering="valid_from")
    def valid_from_display(self, obj: Area) -> str:
        return obj.valid_from_partial.display() if obj.valid_from else "—"

    @admin.display(description=_("valid until"), ordering="valid_until")
    def valid_until_display(self, obj: Area) -> str:
        return obj.valid_until_partial.display() if obj.valid_until else "—"
