"""Admin of areas: browsable by every staff account, changed by administrators."""

from django.contrib import admin

from areas.models import Area
from committees.admin_base import RegistryAdmin


@admin.register(Area)
class AreaAdmin(RegistryAdmin):
    list_display = ("name", "kind", "parent", "valid_from", "valid_until", "source")
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
