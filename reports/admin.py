"""Admin: reports (read-only rows with "generate now") and schedules (editable data)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from committees import permissions
from reports import services
from reports.models import Report, ReportDownload, ReportSchedule
from reports.periods import period_containing


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


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "kind",
        "period",
        "status",
        "page_count",
        "requested_by",
        "finished_at",
        "download_link",
    )
    list_filter = ("status", "kind", "language")
    list_select_related = ("committee", "requested_by")
    search_fields = ("committee__name", "period")
    readonly_fields = [field.name for field in Report._meta.fields] + ["download_link"]
    actions = ["generate_again"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("snapshot")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download_link(self, obj):
        if not obj.is_ready:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.get_download_url(), _("Download PDF"))

    @admin.action(description=_("Generate now (make the selected reports again)"))
    def generate_again(self, request, queryset):
        if not permissions.is_reader(request.user):
            raise PermissionDenied
        _request(
            self,
            request,
            [
                (report.committee, report.period_obj, report.language, True)
                for report in queryset.select_related("committee")
            ],
        )


@admin.register(ReportSchedule)
class ReportScheduleAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "cadence", "language", "next_run_at", "last_run_at", "active")
    list_filter = ("cadence", "active")
    list_select_related = ("committee",)
    autocomplete_fields = ("committee",)
    readonly_fields = ("last_run_at", "last_report")
    actions = ["generate_now"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Generate now (the current period's report)"))
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
class ReportDownloadAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "report", "ip_address")
    list_select_related = ("user", "report__committee")
    readonly_fields = ("report", "user", "at", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
