"""Admin for mandates, targets and their measurements."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from committees.admin_base import RegistryAdmin
from committees.partial_dates import format_partial_date
from mandates.models import Mandate, Measurement, Target


@admin.register(Mandate)
class MandateAdmin(RegistryAdmin):
    list_display = ("__str__", "committee", "category", "order")
    list_filter = ("category", "committee__level", ("committee", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("committee",)
    autocomplete_fields = ("committee", "legal_basis")
    search_fields = ("text",)

    def get_search_results(self, request, queryset, search_term):
        # Mandate texts are long prose: a plain case-insensitive search, plus the committee's folded key.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 1
    fields = ("date", "value", "note", "source")


@admin.register(Target)
class TargetAdmin(RegistryAdmin):
    list_display = (
        "indicator",
        "committee",
        "target_value",
        "unit",
        "deadline_display",
        "responsible_agency",
    )
    list_filter = (
        "committee__level",
        ("committee", admin.RelatedOnlyFieldListFilter),
        ("responsible_agency", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("committee", "responsible_agency")
    autocomplete_fields = ("committee", "mandate", "responsible_agency", "source_instrument")
    search_fields = ("indicator",)
    date_hierarchy = "deadline"
    inlines = (MeasurementInline,)

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    @admin.display(description=_("deadline"), ordering="deadline")
    def deadline_display(self, obj):
        return format_partial_date(obj.deadline, obj.deadline_precision)


@admin.register(Measurement)
class MeasurementAdmin(RegistryAdmin):
    list_display = ("target", "value", "date", "source")
    list_select_related = ("target",)
    autocomplete_fields = ("target",)
    date_hierarchy = "date"
    search_fields = ("target__indicator",)

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)
