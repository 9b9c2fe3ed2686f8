"""The admin that city staff browse: committees, agencies, instruments, lineage."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Func, IntegerField, OuterRef, Prefetch, Subquery
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdminMixin

from committees.admin_base import RegistryAdmin, active_filter
from committees.forms import partial_dates_form
from committees.models import Agency, Committee, LegalInstrument, Succession
from committees.partial_dates import format_partial_date
from mandates.models import Mandate, Measurement, Target
from members.models import Membership

admin.site.site_header = _("Committee registry")
admin.site.site_title = _("Committee registry")
admin.site.index_title = _("Registry administration")


@admin.register(Agency)
class AgencyAdmin(RegistryAdmin):
    list_display = ("name", "short_name", "kind", "level", "parent")
    list_filter = ("level", "kind")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    folded_search_fields = ("search_key",)


@admin.register(LegalInstrument)
class LegalInstrumentAdmin(RegistryAdmin):
    form = partial_dates_form(
        LegalInstrument, {"signed_on": "signed_precision", "effective_on": "effective_precision"}
    )
    list_display = ("__str__", "kind", "issuer", "signed_display", "source")
    list_filter = ("kind", "issuer__level", ("issuer", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("issuer",)
    autocomplete_fields = ("issuer", "amends", "replaces", "repeals")
    date_hierarchy = "signed_on"
    folded_search_fields = ("search_key",)

    change_list_template = "admin/committees/legalinstrument/change_list.html"

    def get_urls(self):
        # The decision form and the seats without a decision live with the packages.
        from packages import decision_views

        return [
            path(
                "record/",
                self.admin_site.admin_view(lambda r: decision_views.record_view(self, r)),
                name="committees_legalinstrument_record",
            ),
            path(
                "no-decision/",
                self.admin_site.admin_view(lambda r: decision_views.no_decision_view(self, r)),
                name="committees_legalinstrument_no_decision",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("signed on"), ordering="signed_on")
    def signed_display(self, obj):
        return format_partial_date(obj.signed_on, obj.signed_precision)


def open_seat_count() -> Subquery:
    """A committee's open seats (no end date), counted by a subquery per row: on a page of
    committees only the page's rows are counted, not every seat of the city; sorted by it,
    each count reads the index of open seats only (members_membership_one_active_seat_per_person)."""
    seats = Membership.objects.filter(committee=OuterRef("pk"), end_date__isnull=True)
    return Subquery(
        seats.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n"),
        output_field=IntegerField(),
    )


SEATS_PER_PAGE = 50


class RosterInlineFormSet(BaseInlineFormSet):
    """The open seats of one page (`?seats=N`, SEATS_PER_PAGE each); the ended seats are
    counted and listed on demand (the seats list filtered to this committee)."""

    page_number: str | None = None

    def get_queryset(self):
        if not hasattr(self, "_page"):
            open_seats = super().get_queryset().filter(end_date__isnull=True)
            self._page = Paginator(open_seats, SEATS_PER_PAGE).get_page(self.page_number)
            self.ended_count = (
                Membership.objects.filter(committee=self.instance, end_date__isnull=False).count()
                if self.instance.pk
                else 0
            )
        return self._page.object_list

    @property
    def page(self):
        self.get_queryset()
        return self._page


class MembershipInline(admin.TabularInline):
    """The roster, shown read-only: roster changes go through the roster operations. Open
    seats only, a page at a time; the ended ones are a link away (a 1,000-seat committee's
    page no longer renders every term it ever had)."""

    model = Membership
    fk_name = "committee"
    formset = RosterInlineFormSet
    template = "admin/committees/committee/roster_inline.html"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("current roster (by role)")
    fields = (
        "holder",
        "role_label",
        "title_at_appointment",
        "start_display",
        "appointed_by",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("person", "committee", "appointed_by")
            .order_by("role_rank", "person__full_name", "pk")
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.page_number = request.GET.get("seats")
        return formset

    @admin.display(description=_("person"))
    def holder(self, obj):
        return obj.holder_display

    @admin.display(description=_("role"))
    def role_label(self, obj):
        return obj.role_display

    @admin.display(description=_("start"))
    def start_display(self, obj):
        return format_partial_date(obj.start_date, obj.start_precision)

    def has_add_permission(self, request, obj=None):
        return False


class MandateInline(admin.TabularInline):
    model = Mandate
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("order", "text", "category", "legal_basis_display")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("legal_basis")

    @admin.display(description=_("legal basis"))
    def legal_basis_display(self, obj):
        return "; ".join(str(item) for item in obj.legal_basis.all())

    def has_add_permission(self, request, obj=None):
        return False


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("indicator", "baseline", "latest_value", "target_value", "unit", "deadline_display")
    readonly_fields = fields

    def get_queryset(self, request):
        latest = Measurement.objects.filter(target=OuterRef("pk")).order_by("-date", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(latest_value=Subquery(latest.values("value")[:1]))
        )

    @admin.display(description=_("latest measurement"))
    def latest_value(self, obj):
        return obj.latest_value if obj.latest_value is not None else "—"

    @admin.display(description=_("deadline"))
    def deadline_display(self, obj):
        return format_partial_date(obj.deadline, obj.deadline_precision)

    def has_add_permission(self, request, obj=None):
        return False


class SuccessionInline(admin.TabularInline):
    """The committee's successors, read-only like the other inlines: an editable row with
    autocomplete widgets reads its choices once per row. Lineage is edited in SuccessionAdmin."""

    model = Succession
    fk_name = "predecessor"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("successors")
    fields = ("kind", "successor", "date_display", "instrument")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("predecessor", "successor", "instrument")
        )

    @admin.display(description=_("date"))
    def date_display(self, obj):
        return format_partial_date(obj.date, obj.date_precision)

    def has_add_permission(self, request, obj=None):
        return False


RENAME_HELP = _(
    "Correct a misspelt name here. To rename the body, record the renaming decision "
    "(Record a decision): the old name is kept, dated, and the lineage says so."
)


@admin.register(Committee)
class CommitteeAdmin(GuardedModelAdminMixin, RegistryAdmin):
    """Committees: read by every reader; changed by administrators. The roster pages (the
    roster on a date, the timeline, pending changes, import, export, secretariat) are the
    members app's: members/admin_roster.py extends this admin with them."""

    change_form_template = "admin/committees/committee/change_form.html"
    form = partial_dates_form(
        Committee, {"founded_on": "founded_precision", "dissolved_on": "dissolved_precision"}
    )

    list_display = (
        "name",
        "kind",
        "level",
        "standing_agency",
        "declared_member_count",
        "actual_count",
        "gap",
        "is_active_display",
    )
    list_filter = (
        "level",
        "kind",
        active_filter("dissolved_on"),
        ("standing_agency", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("standing_agency", "parent")
    autocomplete_fields = ("parent", "standing_agency", "established_by", "declared_by")
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "founded_on"
    readonly_fields = ("counts", "lineage", "support_group_list")
    inlines = (MembershipInline, MandateInline, TargetInline, SuccessionInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "name_en",
                    "short_name",
                    "slug",
                    "kind",
                    "level",
                    "jurisdiction",
                    "parent",
                    "standing_agency",
                    "description",
                )
            },
        ),
        (
            _("Establishment"),
            {
                "fields": (
                    "established_by",
                    "founded_on",
                    "dissolved_on",
                    "replaced_by_as_printed",
                )
            },
        ),
        (
            _("Members"),
            {"fields": (("declared_member_count", "declared_by"), "counts", "support_group_list")},
        ),
        (_("Lineage"), {"fields": ("lineage",)}),
        (_("Source"), {"fields": ("source", "source_date")}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "name" in form.base_fields:
            # A rename is a decision's effect (members.services.committee_rename keeps the
            # lineage and the dated names); this box corrects a misspelt name.
            form.base_fields["name"].help_text = RENAME_HELP
        return form

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(active_count=open_seat_count())
        if (
            request.resolver_match
            and request.resolver_match.url_name == "committees_committee_change"
        ):
            queryset = queryset.prefetch_related(
                Prefetch(
                    "successions_in",
                    queryset=Succession.objects.select_related("predecessor", "instrument"),
                ),
                Prefetch(
                    "successions_out",
                    queryset=Succession.objects.select_related("successor", "instrument"),
                ),
                Prefetch(
                    "support_groups",
                    queryset=Committee.objects.annotate(active_count=open_seat_count()),
                ),
            ).select_related("declared_by")
        return queryset

    @admin.display(description=_("actual"), ordering="active_count")
    def actual_count(self, obj):
        return obj.active_count

    @admin.display(description=_("gap"))
    def gap(self, obj):
        if obj.declared_member_count is None:
            return "—"
        return obj.declared_member_count - obj.active_count

    @admin.display(description=_("active"), boolean=True, ordering="dissolved_on")
    def is_active_display(self, obj):
        return obj.dissolved_on is None

    @admin.display(description=_("declared vs actual members"))
    def counts(self, obj):
        declared = obj.declared_member_count
        if declared is None:
            return format_html("{}: — · {}: {}", _("declared"), _("known"), obj.active_count)
        return format_html(
            "{}: <strong>{}</strong> · {}: <strong>{}</strong> · {}: <strong>{}</strong>",
            _("declared"),
            declared,
            _("known"),
            obj.active_count,
            _("names still to record"),
            max(declared - obj.active_count, 0),
        )

    @admin.display(description=_("predecessors and successors"))
    def lineage(self, obj):
        def row(succession, other):
            when = format_partial_date(succession.date, succession.date_precision)
            url = reverse("admin:committees_committee_change", args=[other.pk])
            return (succession.get_kind_display(), url, other, when, succession.instrument or "")

        rows = [row(s, s.predecessor) for s in obj.successions_in.all()]
        rows += [row(s, s.successor) for s in obj.successions_out.all()]
        if not rows:
            return "—"
        return format_html_join("", '<div>{} <a href="{}">{}</a> ({}) {}</div>', rows)

    @admin.display(description=_("support groups"))
    def support_group_list(self, obj):
        groups = list(obj.support_groups.all())
        if not groups:
            return "—"
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({} {})</div>',
            (
                (
                    reverse("admin:committees_committee_change", args=[g.pk]),
                    g,
                    g.active_count,
                    _("known"),
                )
                for g in groups
            ),
        )


@admin.register(Succession)
class SuccessionAdmin(RegistryAdmin):
    form = partial_dates_form(Succession, {"date": "date_precision"})
    list_display = ("predecessor", "kind", "successor", "date_display", "instrument")
    list_filter = ("kind",)
    list_select_related = ("predecessor", "successor", "instrument")
    autocomplete_fields = ("predecessor", "successor", "instrument")
    folded_search_fields = ("predecessor__search_key", "successor__search_key")

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, obj):
        return format_partial_date(obj.date, obj.date_precision)
