"""The admin of meetings and tasks: readers see all; a secretariat changes its committees' records;
focal points and calendar feeds are kept by administrators. Writes go through work.services."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.admin_base import RegistryAdmin
from work import services
from work.models import (
    AgendaItem,
    CalendarToken,
    FocalPoint,
    Invitee,
    Meeting,
    MeetingDocument,
    Task,
    TaskUpdate,
)

ADMIN_REASON = _("Changed in the admin")


class WorkAdmin(RegistryAdmin):
    """A secretariat adds and changes the meetings and tasks of the committees it keeps."""

    def _committee(self, obj):
        return obj.committee

    def has_add_permission(self, request):
        return permissions.can_manage_any_roster(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return permissions.can_manage_any_roster(request.user)
        return permissions.can_record_work(request.user, self._committee(obj))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A service refused the change (its rule, or the database's): say why, change nothing.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "committee" and not permissions.is_administrator(request.user):
            kwargs["queryset"] = permissions.committees_roster_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("order", "title", "presenter")

    def has_add_permission(self, request, obj=None):
        return obj is not None and permissions.can_record_work(request.user, obj.committee)

    def has_change_permission(self, request, obj=None):
        return obj is not None and permissions.can_record_work(request.user, obj.committee)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_administrator(request.user)


class InviteeInline(admin.TabularInline):
    model = Invitee
    extra = 0
    fields = (
        "name",
        "role",
        "post",
        "guest",
        "attendance",
        "absence_reason",
        "substitute_name",
        "substitute_post",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = MeetingDocument
    extra = 0
    fields = ("title", "file_name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(WorkAdmin):
    list_display = ("title", "committee", "kind", "date", "place")
    # Committees are thousands: found by search (by name), not listed in a filter.
    # No date hierarchy: its years are a DISTINCT over every meeting; the date filter costs nothing.
    list_filter = ("kind", "committee__level", "date")
    list_select_related = ("committee",)
    folded_search_fields = ("search_key", "committee__search_key")
    autocomplete_fields = ("chair", "concluding_notice")
    fields = (
        "committee", "kind", "title", "date", "time", "place", "online", "online_link", "chair",
        "chair_name", "concluding_notice", "conclusions", "source", "source_date",
    )  # fmt: skip
    inlines = (AgendaInline, InviteeInline, DocumentInline)

    def save_model(self, request, obj, form, change):
        services.meeting_save(meeting=obj, by=request.user, reason=str(ADMIN_REASON))

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            services.save_validated(instance, by=request.user, reason=str(ADMIN_REASON))
        for instance in formset.deleted_objects:
            instance._change_reason = str(ADMIN_REASON)
            instance.delete()


@admin.register(Task)
class TaskAdmin(WorkAdmin):
    list_display = ("__str__", "committee", "lead_agency", "deadline_display", "state")
    list_filter = ("state", "source_kind", "committee__level")
    list_select_related = ("committee", "lead_agency")
    folded_search_fields = ("search_key", "committee__search_key")
    autocomplete_fields = (
        "lead_agency",
        "assigned_by",
        "source_instrument",
        "coordinating_agencies",
    )
    raw_id_fields = ("source_meeting", "target")
    exclude = ("search_key",)

    @admin.display(description=_("deadline"), ordering="deadline_last_day")
    def deadline_display(self, obj):
        return obj.deadline_partial.display() if obj.deadline else obj.deadline_as_written or "—"

    def save_model(self, request, obj, form, change):
        services.task_save(task=obj, by=request.user, reason=str(ADMIN_REASON))

    def save_related(self, request, form, formsets, change):
        services.stamp_history(form.instance, by=request.user, reason=str(ADMIN_REASON))
        super().save_related(request, form, formsets, change)


@admin.register(TaskUpdate)
class TaskUpdateAdmin(RegistryAdmin):
    list_display = ("task", "date", "by", "created_at")
    list_select_related = ("task", "by")
    search_fields = ()
    readonly_fields = ("task", "date", "text", "evidence_link", "evidence_name", "by")

    # Progress is reported on the task page (by the focal point or the secretariat), not here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        return queryset, False


@admin.register(FocalPoint)
class FocalPointAdmin(RegistryAdmin):
    list_display = ("user", "agency", "active")
    list_filter = ("active",)
    list_select_related = ("user", "agency")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("user",)

    def get_search_results(self, request, queryset, search_term):
        return queryset, False

    def save_model(self, request, obj, form, change):
        services.save_validated(obj, by=request.user, reason=str(ADMIN_REASON))
        if obj.active:  # the focal points group is where the work queue looks for them
            permissions.join_focal_points_group(obj.user)


@admin.register(CalendarToken)
class CalendarTokenAdmin(RegistryAdmin):
    list_display = ("user", "committee", "created_at", "revoked_at")
    list_select_related = ("user", "committee")
    fields = ("user", "committee", "created_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def get_search_results(self, request, queryset, search_term):
        return queryset, False

    @admin.action(description=_("Revoke the selected calendar addresses"))
    def revoke(self, request, queryset):
        updated = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)s addresses revoked.") % {"count": updated})
