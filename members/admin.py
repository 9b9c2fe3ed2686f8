"""Admin for people, posts, post holdings and memberships."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from committees.admin_base import RegistryAdmin, active_filter
from committees.partial_dates import format_partial_date
from members.models import Membership, Person, Position, PositionHolding


class TermDisplayMixin:
    @admin.display(description=_("start"), ordering="start_date")
    def start_display(self, obj):
        return format_partial_date(obj.start_date, obj.start_precision)

    @admin.display(description=_("end"), ordering="end_date")
    def end_display(self, obj):
        return format_partial_date(obj.end_date, obj.end_precision) if obj.end_date else "—"


class HoldingInline(TermDisplayMixin, admin.TabularInline):
    model = PositionHolding
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("person", "position", "start_display", "end_display", "appointed_by")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "position", "appointed_by")

    def has_add_permission(self, request, obj=None):
        return False


class PersonMembershipInline(TermDisplayMixin, admin.TabularInline):
    model = Membership
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = (
        "committee",
        "role",
        "position",
        "title_at_appointment",
        "start_display",
        "end_display",
    )
    readonly_fields = fields
    verbose_name_plural = _("committee seats")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "committee", "position")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    list_display = ("full_name", "rank", "gender", "source")
    list_filter = ("gender",)
    prepopulated_fields = {"slug": ("full_name",)}
    inlines = (HoldingInline, PersonMembershipInline)
    fields = ("full_name", "rank", "gender", "slug", "other_names", "source", "source_date")


@admin.register(Position)
class PositionAdmin(RegistryAdmin):
    list_display = ("title", "agency", "single_holder")
    list_filter = ("single_holder", "agency__level", ("agency", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
    folded_search_fields = ("search_key", "agency__search_key")
    inlines = (HoldingInline,)


@admin.register(PositionHolding)
class PositionHoldingAdmin(TermDisplayMixin, RegistryAdmin):
    list_display = ("person", "position", "agency", "start_display", "end_display")
    list_filter = (
        active_filter("end_date"),
        "position__agency__level",
        ("position__agency", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("person", "position__agency")
    autocomplete_fields = ("person", "position", "appointed_by")
    folded_search_fields = ("person__search_key", "position__search_key")
    date_hierarchy = "start_date"

    @admin.display(description=_("agency"), ordering="position__agency__name")
    def agency(self, obj):
        return obj.position.agency


@admin.register(Membership)
class MembershipAdmin(TermDisplayMixin, RegistryAdmin):
    list_display = (
        "person",
        "role",
        "committee",
        "position",
        "start_display",
        "end_display",
        "end_reason",
    )
    list_filter = (
        active_filter("end_date"),
        "role",
        "committee__level",
        "committee__kind",
        ("home_agency", admin.RelatedOnlyFieldListFilter),
        ("committee", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("person", "committee", "position")
    autocomplete_fields = (
        "person",
        "committee",
        "position",
        "home_agency",
        "on_behalf_of",
        "appointed_by",
        "ended_by",
    )
    folded_search_fields = ("person__search_key", "committee__search_key")
    date_hierarchy = "start_date"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "committee",
                    "person",
                    "role",
                    "position",
                    "title_at_appointment",
                    "home_agency",
                    "on_behalf_of",
                )
            },
        ),
        (
            _("Term"),
            {
                "fields": (
                    ("start_date", "start_precision"),
                    "appointed_by",
                    ("end_date", "end_precision"),
                    "end_reason",
                    "end_note",
                    "ended_by",
                )
            },
        ),
        (_("Source"), {"fields": ("source", "source_date")}),
    )
