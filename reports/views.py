"""Report pages: the list with "generate now", and the permission-checked, logged download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committees import permissions
from committees.models import Committee
from config.middleware import client_ip
from reports import selectors, services
from reports.forms import GenerateReportForm, ReportFilterForm
from reports.models import Report
from reports.periods import last_complete_period

STATUS_POLL_LIMIT = 100

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
    filter_form = ReportFilterForm(request.GET or None, committees=committees)
    page = Paginator(
        selectors.report_list_for(request.user, filter_form.filters()), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "form": form,
            "filter_form": filter_form,
            "query": query.urlencode(),
            "may_request_city": permissions.can_download_reports(request.user, None),
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


def _status_line(report: Report) -> dict:
    made = report.finished_at if report.is_ready else None
    return {
        "id": report.pk,
        "status": report.status,
        "label": report.get_status_display(),
        "ready": report.is_ready,
        "outdated": bool(getattr(report, "outdated", False)),
        "made_on": date_format(timezone.localtime(made), "d/m/Y H:i") if made else "",
        "size": filesizeformat(report.size_bytes) if report.size_bytes else "",
        "pages": report.page_count,
        "download_url": report.get_download_url() if report.is_ready else "",
        "error": report.error_message if report.status == Report.Status.FAILED else "",
    }


@login_required
@require_GET
def report_status(request):
    """The status of the reports asked for (`?ids=1,2,3`), for the list's polling script:
    queued → running → ready without a reload. Only reports the user may see; one query."""
    permissions.require_reader(request.user)
    ids = []
    for part in request.GET.get("ids", "").split(",")[:STATUS_POLL_LIMIT]:
        if part.strip().isdigit():
            ids.append(int(part))
    reports = selectors.report_list_for(request.user).filter(pk__in=ids)
    response = JsonResponse({"reports": [_status_line(report) for report in reports]})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def report_request_current(request, slug: str):
    """From a committee's page: its report of the last complete quarter, in the page's language
    (made again when its data changed since)."""
    committee = get_object_or_404(Committee, slug=slug)
    if not permissions.can_download_reports(request.user, committee):
        raise PermissionDenied
    period = last_complete_period(timezone.localdate())
    try:
        report = services.report_request(
            committee=committee,
            period=period,
            language=get_language() if get_language() in ("vi", "en") else "vi",
            by=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(committee.get_absolute_url() + "#reports")
    if getattr(report, "queue_error", False):
        messages.error(
            request,
            _("The report was saved but could not be queued: the task queue is unavailable."),
        )
    else:
        report.refresh_from_db(fields=["status"])
        messages.success(
            request,
            _("Report %(report)s: %(status)s.")
            % {"report": report, "status": report.get_status_display()},
        )
    return redirect(committee.get_absolute_url() + "#reports")
