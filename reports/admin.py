"""Admin: reports (read-only rows with "generate now"), schedules (editable data), downloads.

Who sees which row is the permission module's answer: a user sees the reports, schedules
and downloads of the scopes it may download (every scope for leaders, city staff and
administrators; the committees it keeps for a secretariat), and may ask for a report
to be made only where it may download it.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.admin_base import FoldedSearchMixin, RegistryAdmin
from reports import selectors, services
from reports.models import Report, ReportDownload, ReportSchedule
from reports.periods import parse_period, period_containing


def _request(modeladmin, request, items) -> None:
    made = 0
    for committee, period, language, regenerate in items:
        try:
            services.report_request(
                committee=committee,
                period=period,
                language=language,
                regenerate=regenerate,
                by=request.user,
            )
            made += 1
        except (ValidationError, PermissionDenied) as exc:
            modeladmin.message_user(
                request, "; ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
            )
    if made:
        modeladmin.message_user(
            request, _("%(count)d report(s) queued or already made.") % {"count": made}
        )


def _may_request_reports(user) -> bool:
    """Whether the user may have any report made: city-wide readers, or a secretariat."""
    return permissions.can_download_reports(user, None) or permissions.can_manage_any_roster(user)


class ReportScopeMixin:
    """Rows carry a committee (empty for the city overview): a user sees a row only when the
    permission module lets it download that scope."""

    scope = "committee"
    folded_search_fields = ("committee__search_key",)
    search_fields = folded_search_fields

    def _committee(self, obj):
        return obj.committee if obj.committee_id else None

    def get_queryset(self, request):
        return selectors.downloadable_by(
            request.user, super().get_queryset(request), scope=self.scope
        )

    def has_module_permission(self, request):
        return permissions.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        if not permissions.can_use_admin(request.user):
            return False
        return obj is None or permissions.can_download_reports(request.user, self._committee(obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def has_generate_permission(self, request) -> bool:
        return permissions.can_use_admin(request.user) and _may_request_reports(request.user)


@admin.register(Report)
class ReportAdmin(ReportScopeMixin, RegistryAdmin):
    list_display = (
        "__str__",
        "kind",
        "period",
        "status",
        "page_count",
        "requested_by",
        "finished_display",
        "download_link",
    )
    list_filter = ("status", "kind", "language")
    list_select_related = ("committee", "requested_by")
    readonly_fields = [field.name for field in Report._meta.fields] + ["download_link"]
    actions = ["generate_again"]

    def get_queryset(self, request):
        # The changelist adds list_select_related only to a queryset that selects nothing yet.
        return (
            super()
            .get_queryset(request)
            .select_related("committee", "requested_by")
            .defer("snapshot")
        )

    def get_search_results(self, request, queryset, search_term):
        # A period among the words ("2026-q1") is that period; the other words are searched
        # in the committee's names ("du lieu"), as in every list.
        names = []
        for word in search_term.split():
            try:
                queryset = queryset.filter(period=parse_period(word).code)
            except ValueError:
                names.append(word)
        return super().get_search_results(request, queryset, " ".join(names))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Reports are made by the service, never edited; "generate now" makes one again.
        return False

    def revert_disabled(self, request, obj=None):
        # History leaves the snapshot out: reverting to a version would lose it.
        return True

    @admin.display(description=_("finished at"), ordering="finished_at")
    def finished_display(self, obj):
        # Compact, so the column is not cut off: "02/12/2026 06:12", not the long local format.
        if obj.finished_at is None:
            return "—"
        return format_html(
            '<span style="white-space: nowrap" data-finished>{}</span>',
            timezone.localtime(obj.finished_at).strftime("%d/%m/%Y %H:%M"),
        )

    @admin.display(description=_("file"))
    def download_link(self, obj):
        if not obj.is_ready:
            return "—"
        return format_html(
            '<a href="{}" style="white-space: nowrap">{}</a>',
            obj.get_download_url(),
            _("Download PDF"),
        )

    @admin.action(
        description=_("Generate now (make the selected reports again)"),
        permissions=["generate"],
    )
    def generate_again(self, request, queryset):
        # Only rows the user may download reach here (get_queryset); the service asks again.
        _request(
            self,
            request,
            [
                (report.committee, report.period_obj, report.language, True)
                for report in queryset.select_related("committee")
            ],
        )


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ReportScopeMixin, RegistryAdmin):
    """Schedules are data: administrators keep them; others see their scopes' schedules."""

    list_display = ("__str__", "cadence", "language", "next_run_at", "last_run_at", "active")
    list_filter = ("cadence", "active")
    list_select_related = ("committee",)
    autocomplete_fields = ("committee",)
    readonly_fields = ("last_run_at", "last_report")
    actions = ["generate_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("committee")

    @admin.action(
        description=_("Generate now (the current period's report)"), permissions=["generate"]
    )
    def generate_now(self, request, queryset):
        today = timezone.localdate()
        _request(
            self,
            request,
            [
                (
                    schedule.committee,
                    period_containing(today, schedule.cadence),
                    schedule.language,
                    False,
                )
                for schedule in queryset.select_related("committee")
            ],
        )


@admin.register(ReportDownload)
class ReportDownloadAdmin(ReportScopeMixin, FoldedSearchMixin, admin.ModelAdmin):
    """The download log, read-only: each user sees the downloads of the reports it may download."""

    scope = "report__committee"
    folded_search_fields = ("report__committee__search_key",)
    search_fields = folded_search_fields
    list_display = ("at", "user", "report", "ip_address")
    list_select_related = ("user", "report__committee")
    readonly_fields = ("report", "user", "at", "ip_address")
    date_hierarchy = "at"

    def _committee(self, obj):
        return obj.report.committee if obj.report.committee_id else None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "report__committee")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
