"""Admin for people, posts, post holdings and memberships."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.admin_base import RegistryAdmin, active_filter
from committees.models import Committee
from committees.partial_dates import format_partial_date
from members import services
from members.admin_forms import (
    ChangeRoleForm,
    EndForm,
    MembershipAdminForm,
    PositionHoldingAdminForm,
    ReplaceForm,
)
from members.admin_merge import PersonMergeAdminMixin
from members.models import (
    Membership,
    PendingSeatChange,
    Person,
    Position,
    PositionHolding,
    open_holdings,
)
from records.writes import save_validated

ADMIN_REASON = _("Changed in the admin")


def holding_status_filter():
    """Current holdings, or ended ones (with or without a known end date)."""

    class HoldingStatusFilter(admin.SimpleListFilter):
        parameter_name = "active"
        title = _("status")

        def lookups(self, request, model_admin):
            return [("yes", _("active")), ("no", _("ended"))]

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(open_holdings())
            if self.value() == "no":
                return queryset.exclude(open_holdings())
            return queryset

    return HoldingStatusFilter


class TermDisplayMixin:
    @admin.display(description=_("start"), ordering="start_date")
    def start_display(self, obj):
        return format_partial_date(obj.start_date, obj.start_precision)

    @admin.display(description=_("end"), ordering="end_date")
    def end_display(self, obj):
        if obj.end_date is None and getattr(obj, "ended", False):
            return gettext("ended, date unknown")
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
class PersonAdmin(PersonMergeAdminMixin, RegistryAdmin):  # merge action and duplicates page
    list_display = ("full_name", "rank", "gender", "source")
    list_filter = ("gender",)
    prepopulated_fields = {"slug": ("full_name",)}
    inlines = (HoldingInline, PersonMembershipInline)
    fields = ("full_name", "rank", "gender", "slug", "other_names", "source", "source_date")

    # A secretariat records the people it appoints and corrects those seated only on its
    # committees; everything else about people is read-only to it.
    def has_add_permission(self, request):
        return permissions.can_manage_any_roster(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_manage_any_roster(request.user)
        return permissions.can_change_person(request.user, obj)

    def save_model(self, request, obj, form, change):
        save_validated(obj, by=request.user, reason=str(ADMIN_REASON))


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
    form = PositionHoldingAdminForm
    list_display = ("person", "position", "agency", "start_display", "end_display")
    list_filter = (
        holding_status_filter(),
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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # A new holder is a new holding (so the outgoing one ends and every ex officio
            # seat of the post gets a pending change), never an edit of an existing one.
            return ("person", "position")
        return ()

    def save_model(self, request, obj, form, change):
        # A new current holder goes through the service, so the outgoing holder's term ends
        # and every ex officio seat of the post gets a pending change for its secretariat;
        # nothing changes silently. A start that is not known is passed as unknown.
        if not change and obj.is_active:
            holding, _changes = services.position_holder_change(
                position=obj.position,
                person=obj.person,
                on=obj.start_date,
                start_precision=obj.start_precision,
                decision=obj.appointed_by,
                reason=str(ADMIN_REASON),
                by=request.user,
                source=obj.source,
                source_date=obj.source_date,
            )
            obj.pk = holding.pk
            obj._state.adding = False
            return
        services.position_holding_save(holding=obj, by=request.user, reason=str(ADMIN_REASON))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # The service refused under its lock (someone else changed the post meanwhile):
            # nothing was saved; say why and show the form again.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Membership)
class MembershipAdmin(TermDisplayMixin, RegistryAdmin):
    """Seats. A secretariat appoints and corrects seats on the committees it keeps; ending,
    replacing and changing role are operations with their own pages; a concurrent save of
    the same seat is refused; only administrators delete."""

    form = MembershipAdminForm
    list_display = (
        "holder",
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
        # Agencies are few; committees are many (search finds them by name instead).
        ("home_agency", admin.RelatedFieldListFilter),
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
    # The roster index serves this order; no date hierarchy: over every seat of the city it
    # costs more than it helps (the roster-on-a-date page answers "who sat when").
    ordering = ("committee_id", "role_rank", "pk")
    change_form_template = "admin/members/membership/change_form.html"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "committee",
                    "person",
                    "role",
                    "role_title",
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
                    "start_date",
                    "appointed_by",
                    "end_date",
                    "end_reason",
                    "end_note",
                    "ended_by",
                )
            },
        ),
        (_("Source"), {"fields": ("source", "source_date")}),
        (_("Why"), {"fields": ("reason", "seen_version")}),
    )

    # --- who may do what (asked of committees.permissions) ---

    def has_add_permission(self, request):
        return permissions.can_manage_any_roster(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_manage_any_roster(request.user)
        return permissions.can_manage_roster(request.user, obj.committee)

    def revert_disabled(self, request, obj=None):
        return True  # a revert would bypass the roster operations and the version check

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            return fieldsets[:-1]  # no reason to give on a read-only page
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # The person, committee and role change through replace and change role.
            return ("committee", "person", "role")
        return ()

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if not request.user.is_superuser:
            return tuple(name for name in fields if name != "committee")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "committee" and not request.user.is_superuser:
            kwargs["queryset"] = permissions.committees_roster_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("person"), ordering="person__full_name")
    def holder(self, obj):
        return obj.holder_display

    def response_add(self, request, obj, post_url_continue=None):
        # Back to the committee's roster, where the new seat is seen among the others.
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, gettext("The seat was recorded."), messages.SUCCESS)
        return HttpResponseRedirect(
            reverse("admin:committees_committee_roster", args=[obj.committee_id])
        )

    # --- writes go through the services ---

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data["reason"]
        if not change:
            created = services.membership_appoint(
                committee=obj.committee,
                person=obj.person,
                role=obj.role,
                role_title=obj.role_title,
                start=obj.start_date,
                start_precision=obj.start_precision,
                position=obj.position,
                title=obj.title_at_appointment,
                home_agency=obj.home_agency,
                decision=obj.appointed_by,
                reason=reason,
                by=request.user,
                source=obj.source,
                source_date=obj.source_date,
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        # A date's precision is read with the date from its one box (PartialDatesForm).
        given = {*form.cleaned_data, *form.partial_dates.values()}
        changes = {
            name: getattr(obj, name)
            if name in form.partial_dates.values()
            else form.cleaned_data[name]
            for name in services.CORRECTABLE_FIELDS
            if name in given
        }
        updated = services.membership_update(
            membership=obj,
            expected_version=form.cleaned_data["seen_version"],
            changes=changes,
            reason=reason,
            by=request.user,
        )
        obj.version = updated.version

    def add_view(self, request, form_url="", extra_context=None):
        # A seat on a committee the user does not keep is refused outright, not as a form error.
        if request.method == "POST":
            key = request.POST.get("committee", "")
            committee = Committee.objects.filter(pk=key).first() if key.isdigit() else None
            if committee is not None and not permissions.can_manage_roster(request.user, committee):
                raise PermissionDenied
        return super().add_view(request, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A race the form could not see (the service refused under its lock): nothing
            # was saved; say why and show the current record.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        services.membership_delete(
            membership=obj, reason=gettext("Deleted in the admin"), by=request.user
        )

    # --- the roster operations: end, replace, change role ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/end/", wrap(self.end_view), name="members_membership_end"),
            path(
                "<path:object_id>/replace/",
                wrap(self.replace_view),
                name="members_membership_replace",
            ),
            path(
                "<path:object_id>/change-role/",
                wrap(self.change_role_view),
                name="members_membership_change_role",
            ),
            *super().get_urls(),
        ]

    def _seat_for_operation(self, request, object_id) -> Membership:
        seat = (
            Membership.objects.select_related("person", "committee", "position")
            .filter(pk=unquote(object_id))
            .first()
            if str(unquote(object_id)).isdigit()
            else None
        )
        if seat is None:
            raise Http404
        if not permissions.can_manage_roster(request.user, seat.committee):
            raise PermissionDenied
        if seat.end_date is not None:
            raise Http404
        return seat

    def _operation(self, request, object_id, form_class, title, run):
        seat = self._seat_for_operation(request, object_id)
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                try:
                    run(seat, form.cleaned_data)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(request, gettext("The roster was updated."))
                    return HttpResponseRedirect(
                        reverse("admin:committees_committee_roster", args=[seat.committee_id])
                    )
        else:
            form = form_class(initial={"version": seat.version})
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(seat),
            "opts": self.model._meta,
            "seat": seat,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/members/membership/operation.html", context)

    def end_view(self, request, object_id):
        def run(seat, data):
            services.membership_end(
                membership=seat,
                on=data["on"],
                end_reason=data["end_reason"],
                decision=data["decision"],
                leave_vacant=data["leave_vacant"],
                reason=data["reason"],
                by=request.user,
                expected_version=data["version"],
            )

        return self._operation(request, object_id, EndForm, gettext("End a membership"), run)

    def replace_view(self, request, object_id):
        def run(seat, data):
            services.membership_replace(
                membership=seat,
                person=data["person"],
                on=data["on"],
                decision=data["decision"],
                reason=data["reason"],
                by=request.user,
                expected_version=data["version"],
            )

        return self._operation(request, object_id, ReplaceForm, gettext("Replace a member"), run)

    def change_role_view(self, request, object_id):
        def run(seat, data):
            services.membership_change_role(
                membership=seat,
                role=data["role"],
                on=data["on"],
                decision=data["decision"],
                reason=data["reason"],
                by=request.user,
                expected_version=data["version"],
            )

        return self._operation(
            request, object_id, ChangeRoleForm, gettext("Change a member's role"), run
        )


@admin.register(PendingSeatChange)
class PendingSeatChangeAdmin(RegistryAdmin):
    """Read-only list; the committee's secretariat decides on the committee's pending page."""

    list_display = ("committee", "position", "outgoing", "incoming", "status", "created_at", "act")
    list_filter = ("status", ("committee", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("committee", "position", "membership__person", "new_holding__person")
    folded_search_fields = ("committee__search_key", "position__search_key")

    @admin.display(description=_("outgoing"))
    def outgoing(self, obj):
        return obj.membership.person

    @admin.display(description=_("incoming"))
    def incoming(self, obj):
        return obj.new_holding.person

    @admin.display(description=_("decide"))
    def act(self, obj):
        if obj.status != PendingSeatChange.Status.PENDING:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:committees_committee_pending", args=[obj.committee_id]),
            _("confirm or decline"),
        )


# The committee admin's roster pages live with the rosters: registering them here replaces the
# committee admin with one that has them.
from members import admin_roster  # noqa: E402, F401
