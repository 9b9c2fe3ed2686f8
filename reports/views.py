"""Report pages: the list with "generate now", and the permission-checked, logged download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from committees import permissions
from committees.models import Committee
from config.middleware import client_ip
from reports import selectors, services
from reports.forms import GenerateReportForm
from reports.models import Report

PAGE_SIZE = 50


def _requestable_committees(user):
    if permissions.can_download_reports(user, None):
        return Committee.objects.all()
    return permissions.committees_roster_editable_by(user)


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    permissions.require_reader(request.user)
    committees = _requestable_committees(request.user)
    form = GenerateReportForm(request.POST or None, committees=committees)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        committee = form.cleaned_data["committee"]
        try:
            report = services.report_request(
                committee=committee,
                period=form.cleaned_data["period"],
                language=form.cleaned_data["language"],
                regenerate=form.cleaned_data["regenerate"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if hasattr(exc, "messages") else str(exc))
            if isinstance(exc, services.ReportRateLimited):
                status = 429
        else:
            # Where tasks run in-process (SQLite, no Redis) the report is already made by now:
            # say what the list will show, not the status it had when it was queued.
            if getattr(report, "queue_error", False):
                messages.error(
                    request,
                    _(
                        "The report was saved but could not be queued: the task queue is "
                        "unavailable. It will be queued again automatically, or request it "
                        "again later."
                    ),
                )
                return redirect("reports:list")
            report.refresh_from_db(fields=["status"])
            messages.success(
                request,
                _("Report %(report)s: %(status)s.")
                % {"report": report, "status": report.get_status_display()},
            )
            return redirect("reports:list")
    page = Paginator(selectors.report_list_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    in_flight = any(
        report.status in (Report.Status.QUEUED, Report.Status.RUNNING) for report in page
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "form": form,
            "may_request_city": permissions.can_download_reports(request.user, None),
            "refresh": in_flight,
        },
        status=status,
    )


@login_required
@require_GET
def report_download(request, pk: int):
    """The only way to a report file: the permission module decides, and the download is logged."""
    report = selectors.report_get(pk)
    if report is None or not permissions.can_download_reports(request.user, report.committee):
        raise Http404
    path = services.report_file(report) if report.is_ready else None
    if path is None or not path.is_file():
        raise Http404
    services.report_download_log(report=report, user=request.user, ip_address=client_ip(request))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=report.download_name(),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
