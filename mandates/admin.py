"""Admin for mandates, targets and their measurements."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.admin_base import RegistryAdmin
from committees.forms import partial_dates_form
from committees.partial_dates import format_partial_date
from mandates.models import Mandate, Measurement, Target
from mandates.services import measurement_add
from records.writes import save_validated


@admin.register(Mandate)
class MandateAdmin(RegistryAdmin):
    list_display = ("__str__", "committee", "category", "order")
    # Committees are thousands: found by search (by name), not listed in a filter.
    list_filter = ("category", "committee__level")
    list_select_related = ("committee",)
    autocomplete_fields = ("committee", "legal_basis")
    # "du lieu" finds "dữ liệu": every word in the mandate's folded text or its committee's names.
    folded_search_fields = ("search_key", "committee__search_key")


def plain_number(value) -> str:
    """A value as a reader writes it: no trailing zeros, the language's decimal mark, no
    thousands grouping of the decimals ("85", "12,5" in Vietnamese), never "85,000"."""
    if value is None:
        return "—"
    value = Decimal(str(value)).normalize()
    places = max(-value.as_tuple().exponent, 0)
    return number_format(value, decimal_pos=places, use_l10n=True)


class PlainDecimalInput(forms.NumberInput):
    """A decimal box showing 85, not 85.000 (which a Vietnamese reader takes for 85 thousand)."""

    def format_value(self, value):
        if value in (None, ""):
            return None
        try:
            return f"{Decimal(str(value)).normalize():f}"
        except ArithmeticError:
            return super().format_value(value)


PLAIN_DECIMALS = {models.DecimalField: {"widget": PlainDecimalInput(attrs={"step": "any"})}}


class MeasurementInline(admin.TabularInline):
    model = Measurement
    formfield_overrides = PLAIN_DECIMALS
    extra = 1
    fields = ("date", "value", "note", "source")


@admin.register(Target)
class TargetAdmin(RegistryAdmin):
    form = partial_dates_form(Target, {"deadline": "deadline_precision"})
    list_display = (
        "indicator",
        "committee",
        "target_value_display",
        "deadline_display",
        "responsible_agency",
    )
    list_filter = ("committee__level", ("responsible_agency", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("committee", "responsible_agency")
    autocomplete_fields = ("committee", "mandate", "responsible_agency", "source_instrument")
    folded_search_fields = ("search_key", "committee__search_key")
    date_hierarchy = "deadline"
    inlines = (MeasurementInline,)
    formfield_overrides = PLAIN_DECIMALS

    @admin.display(description=_("target value"), ordering="target_value")
    def target_value_display(self, obj):
        if obj.target_value is None:  # a value stated as text ("ít nhất 100 chuyên gia")
            return obj.value_text or "—"
        return f"{plain_number(obj.target_value)} {obj.unit}".strip()

    @admin.display(description=_("deadline"), ordering="deadline")
    def deadline_display(self, obj):
        return format_partial_date(obj.deadline, obj.deadline_precision)


@admin.register(Measurement)
class MeasurementAdmin(RegistryAdmin):
    list_display = ("target", "value_display", "date", "source")
    formfield_overrides = PLAIN_DECIMALS

    @admin.display(description=_("value"), ordering="value")
    def value_display(self, obj):
        return f"{plain_number(obj.value)} {obj.target.unit}".strip()

    list_select_related = ("target",)
    autocomplete_fields = ("target",)
    date_hierarchy = "date"
    folded_search_fields = ("target__search_key",)
    search_fields = folded_search_fields

    # A secretariat adds measurements to its committees' targets; corrections and deletions
    # stay with administrators.
    def has_add_permission(self, request):
        user = request.user
        return permissions.is_administrator(user) or (
            permissions.can_use_admin(user) and permissions.committees_measurable_by(user).exists()
        )

    def add_view(self, request, form_url="", extra_context=None):
        # A measurement on another committee's target is refused outright, not as a form error.
        if request.method == "POST":
            key = request.POST.get("target", "")
            target = (
                Target.objects.select_related("committee").filter(pk=key).first()
                if key.isdigit()
                else None
            )
            if target is not None and not permissions.can_add_measurement(
                request.user, target.committee
            ):
                raise PermissionDenied
        return super().add_view(request, form_url, extra_context)

    def get_autocomplete_fields(self, request):
        if request.user.is_superuser:
            return super().get_autocomplete_fields(request)
        return ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target" and not request.user.is_superuser:
            kwargs["queryset"] = Target.objects.filter(
                committee__in=permissions.committees_measurable_by(request.user)
            ).select_related("committee")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj = measurement_add(
                target=obj.target,
                value=obj.value,
                on=obj.date,
                source=obj.source,
                note=obj.note,
                by=request.user,
                reason="Measurement recorded in the admin",
            )
            form.instance = obj
            return
        save_validated(obj, by=request.user, reason="Measurement corrected in the admin")
