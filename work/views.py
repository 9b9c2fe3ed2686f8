"""Pages of meetings and tasks (thin: forms validate, services write, selectors read)."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committees import permissions
from committees.models import Agency, Committee
from members.selectors import today
from portal.forms import page_number
from work import calendar, selectors, services
from work.forms import (
    AttendanceRowForm,
    BoardFilterForm,
    CancelForm,
    ConclusionForm,
    DayForm,
    DocumentForm,
    GuestForm,
    MeetingForm,
    ProgressForm,
    RescheduleForm,
    TaskItemFormSet,
)
from work.models import CalendarToken, MeetingDocument, Task
from work.services import TaskItem

PAGE_SIZE = 50


def signed_in(view):
    """Signed in; each view then asks the permission module about the object it shows."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    return wrapper


def _messages_of(exc: Exception) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


def _committee_for_reader(request, slug: str) -> Committee:
    permissions.require_reader(request.user)
    return get_object_or_404(Committee, slug=slug)


# --- Meetings ---------------------------------------------------------------------------------


@signed_in
@require_GET
def committee_meetings(request, slug):
    committee = _committee_for_reader(request, slug)
    page = Paginator(selectors.meeting_list(committee), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.attach_meeting_counts(page.object_list)
    return render(
        request,
        "work/meeting_list.html",
        {
            "committee": committee,
            "page": page,
            "may_record": permissions.can_record_work(request.user, committee),
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def meeting_new(request, slug):
    committee = _committee_for_reader(request, slug)
    permissions.require_work_right(request.user, committee)
    form = MeetingForm(request.POST or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                committee=committee,
                kind=data["kind"],
                title=data["title"],
                date=data["date"],
                time=data["time"],
                place=data["place"],
                online=data["online"],
                online_link=data["online_link"],
                chair_name=data["chair_name"],
                agenda=data["agenda"].splitlines(),
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(
                request,
                _("The meeting was recorded with %(count)s invitees from the roster on its day.")
                % {"count": meeting.invitees.count()},
            )
            return redirect(meeting)
    return render(
        request,
        "work/meeting_form.html",
        {"committee": committee, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _attendance_forms(page, data=None):
    return [
        (
            invitee,
            AttendanceRowForm(
                data,
                prefix=f"i{invitee.pk}",
                initial={
                    "attendance": invitee.attendance,
                    "absence_reason": invitee.absence_reason,
                    "substitute_name": invitee.substitute_name,
                    "substitute_post": invitee.substitute_post,
                },
            ),
        )
        for invitee in page.invitees
    ]


def _agency_choices():
    return Agency.objects.order_by("name")


@signed_in
@require_http_methods(["GET", "POST"])
def meeting_detail(request, pk):
    permissions.require_reader(request.user)
    day = today()
    page = selectors.meeting_page(pk=pk, user=request.user, day=day)
    meeting = page.meeting
    action = request.POST.get("action", "") if request.method == "POST" else ""
    post = request.POST if action else None
    files = request.FILES if action else None
    guest_form = GuestForm(post if action == "guest" else None, prefix="guest")
    document_form = DocumentForm(
        post if action == "document" else None,
        files if action == "document" else None,
        prefix="doc",
    )
    conclusion_form = ConclusionForm(
        post if action == "conclusion" else None,
        prefix="notice",
        initial={"signed_on": meeting.date},
    )
    agencies = _agency_choices() if page.may_record else None
    items = (
        TaskItemFormSet(
            post if action == "conclusion" else None,
            prefix="item",
            form_kwargs={"agencies": agencies},
        )
        if page.may_record
        else None
    )
    attendance = (
        _attendance_forms(page, post if action == "attendance" else None) if page.may_record else []
    )
    attendance_reason = (
        (request.POST.get("attendance_reason") or "").strip() if action == "attendance" else ""
    )
    error = None
    if action:
        permissions.require_work_right(request.user, meeting.committee)
        try:
            done = _meeting_action(
                request, action, meeting, guest_form, document_form, conclusion_form, items,
                attendance, attendance_reason,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(_messages_of(exc))
            done = False
        if done:
            return redirect(meeting)
        if error is None:
            error = _("Please correct the errors below; nothing was saved.")
    return render(
        request,
        "work/meeting_detail.html",
        {
            "page": page,
            "meeting": meeting,
            "committee": meeting.committee,
            "attendance": attendance,
            "guest_form": guest_form,
            "document_form": document_form,
            "conclusion_form": conclusion_form,
            "items": items,
            "error": error,
            "action": action,
        },
        status=400 if action else 200,
    )


def _meeting_action(
    request, action, meeting, guest_form, document_form, conclusion_form, items, attendance, reason
) -> bool:
    user = request.user
    if action == "attendance":
        if not all(form.is_valid() for _invitee, form in attendance):
            return False
        if not reason:
            raise ValidationError(_("Say why: a reason is required for every change."))
        rows = {invitee.pk: form.cleaned_data for invitee, form in attendance}
        changed = services.attendance_record(meeting=meeting, rows=rows, reason=reason, by=user)
        messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
        return True
    if action == "guest":
        if not guest_form.is_valid():
            return False
        services.guest_add(
            meeting=meeting, name=guest_form.cleaned_data["name"], post=guest_form.cleaned_data["post"],
            reason=guest_form.cleaned_data["reason"], by=user,
        )  # fmt: skip
        messages.success(request, _("The guest was added."))
        return True
    if action == "document":
        if not document_form.is_valid():
            return False
        services.document_add(
            meeting=meeting, title=document_form.cleaned_data["title"],
            upload=document_form.cleaned_data["file"], reason=document_form.cleaned_data["reason"], by=user,
        )  # fmt: skip
        messages.success(request, _("The document was stored."))
        return True
    if action == "conclusion":
        if not (conclusion_form.is_valid() and items.is_valid()):
            return False
        task_items = []
        for form in items:
            data = form.cleaned_data
            if not data or not (data.get("text") or "").strip():
                continue
            deadline, precision = data["deadline"]
            task_items.append(
                TaskItem(
                    text=data["text"],
                    lead_agency=data["lead_agency"],
                    coordinating=list(data["coordinating"]),
                    deadline=deadline,
                    deadline_precision=precision,
                )
            )
        data = conclusion_form.cleaned_data
        with transaction.atomic():
            _notice, tasks = services.conclusion_record(
                meeting=meeting, number=data["number"], signed_on=data["signed_on"],
                summary=data["summary"], items=task_items, reason=data["reason"], by=user,
            )  # fmt: skip
        messages.success(
            request,
            _("The concluding notice was recorded; %(count)s tasks assigned.")
            % {"count": len(tasks)},
        )
        return True
    raise ValidationError(_("Unknown action."))


@signed_in
@require_GET
def document_download(request, pk):
    """Meeting files are served only here: the permission module decides."""
    document = get_object_or_404(MeetingDocument.objects.select_related("meeting"), pk=pk)
    if not permissions.can_download_meeting_document(request.user, document.meeting):
        raise Http404
    path = services.private_file(document.file_path)
    if path is None or not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Tasks ------------------------------------------------------------------------------------


def _board(request, *, committee=None, agency=None, template="work/task_board.html"):
    form = BoardFilterForm(request.GET or None)
    day = form.value("on") or today()
    filters = selectors.BoardFilters(
        status=form.value("status") or "",
        lead_agency=form.value("lead_agency"),
        deadline_from=form.value("deadline_from"),
        deadline_to=form.value("deadline_to"),
    )
    tasks = selectors.task_board(day=day, committee=committee, agency=agency, filters=filters)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page.object_list:
        task.status_today = task.status_on(day)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "committee": committee,
            "agency": agency,
            "form": form,
            "page": page,
            "day": day,
            "counts": selectors.task_counts(day=day, committee=committee, agency=agency),
            "query": query.urlencode(),
            "may_record": committee is not None
            and permissions.can_record_work(request.user, committee),
        },
    )


@signed_in
@require_GET
def committee_tasks(request, slug):
    committee = _committee_for_reader(request, slug)
    return _board(request, committee=committee)


@signed_in
@require_GET
def agency_tasks(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    if not permissions.can_view_agency_tasks(request.user, agency):
        raise PermissionDenied
    return _board(request, agency=agency)


@signed_in
@require_GET
def my_tasks(request):
    """A focal point's start page: the boards of the agencies it reports for."""
    agencies = list(selectors.tasks_for_focal_point(request.user))
    if len(agencies) == 1 and not permissions.is_reader(request.user):
        return redirect("work:agency-tasks", agencies[0].slug)
    if not agencies and not permissions.is_reader(request.user):
        raise PermissionDenied
    return render(request, "work/my_tasks.html", {"agencies": agencies})


@signed_in
@require_http_methods(["GET", "POST"])
def task_detail(request, pk):
    task = selectors.task_get(pk)
    if not permissions.can_view_task(request.user, task):
        raise PermissionDenied
    day = today()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    progress = ProgressForm(
        request.POST if action == "progress" else None,
        request.FILES if action == "progress" else None,
        prefix="progress",
        initial={"date": day},
    )
    cancel = CancelForm(
        request.POST if action == "cancel" else None, prefix="cancel", initial={"on": day}
    )
    reschedule = RescheduleForm(
        request.POST if action == "reschedule" else None,
        prefix="reschedule",
        initial={"lead_agency": task.lead_agency_id},
    )
    error = None
    if action:
        try:
            if _task_action(request, action, task, progress, cancel, reschedule):
                return redirect(task)
            error = _("Please correct the errors below; nothing was saved.")
        except ValidationError as exc:
            error = " ".join(_messages_of(exc))
    data = selectors.task_page(task=task, user=request.user, day=day)
    return render(
        request,
        "work/task_detail.html",
        {
            "page": data,
            "task": task,
            "day": day,
            "progress_form": progress,
            "cancel_form": cancel,
            "reschedule_form": reschedule,
            "error": error,
        },
        status=400 if action else 200,
    )


def _task_action(request, action, task, progress, cancel, reschedule) -> bool:
    user = request.user
    if action == "progress":
        permissions.require_task_progress_right(user, task)
        if not progress.is_valid():
            return False
        data = progress.cleaned_data
        services.task_progress_add(
            task=task, date=data["date"], text=data["text"], evidence_link=data["evidence_link"],
            evidence_file=data["evidence_file"], state=data["state"] or None,
            completed_on=data["completed_on"], by=user,
        )  # fmt: skip
        messages.success(request, _("The progress report was saved."))
        return True
    permissions.require_work_right(user, task.committee)
    if action == "cancel":
        if not cancel.is_valid():
            return False
        services.task_cancel(
            task=task, on=cancel.cleaned_data["on"], reason=cancel.cleaned_data["reason"], by=user
        )
        messages.success(request, _("The task was cancelled."))
        return True
    if action == "reschedule":
        if not reschedule.is_valid():
            return False
        deadline, precision = reschedule.cleaned_data["deadline"]
        services.task_update(
            task=task, deadline=deadline, deadline_precision=precision,
            lead_agency=reschedule.cleaned_data["lead_agency"], reason=reschedule.cleaned_data["reason"], by=user,
        )  # fmt: skip
        messages.success(request, _("The task was changed."))
        return True
    raise ValidationError(_("Unknown action."))


@signed_in
@require_GET
def task_evidence(request, pk):
    from work.models import TaskUpdate

    update = get_object_or_404(TaskUpdate.objects.select_related("task"), pk=pk)
    if not permissions.can_view_task(request.user, update.task):
        raise Http404
    path = services.private_file(update.evidence_path)
    if path is None or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=update.evidence_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _counts_page(request, day, by: str) -> dict:
    """One page of a count table, and the numbers of the pages before and after it."""
    number = page_number(request, f"{by}_page")
    per_page = selectors.COUNTS_PAGE
    rows = selectors.task_counts_by(day=day, by=by, page=number, per_page=per_page)
    return {
        f"by_{by}": rows[:per_page],
        f"{by}_previous": number - 1 if number > 1 else None,
        f"{by}_next": number + 1 if len(rows) > per_page else None,
    }


@signed_in
@require_GET
def work_stats(request):
    """Counts and on-time completion rates per committee and per lead agency, on any day."""
    permissions.require_reader(request.user)
    form = DayForm(request.GET or None)
    day = (form.cleaned_data.get("on") if form.is_bound and form.is_valid() else None) or today()
    return render(
        request,
        "work/stats.html",
        {
            "form": form,
            "day": day,
            **_counts_page(request, day, "committee"),
            **_counts_page(request, day, "agency"),
        },
    )


# --- Calendar feeds ---------------------------------------------------------------------------


@signed_in
@require_http_methods(["GET", "POST"])
def calendar_settings(request, slug):
    committee = _committee_for_reader(request, slug)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = get_object_or_404(
                CalendarToken, pk=request.POST.get("token"), user=request.user
            )
            services.calendar_token_revoke(token=token, by=request.user)
            messages.success(request, _("The calendar address was revoked; it no longer works."))
        else:
            services.calendar_token_issue(user=request.user, committee=committee)
            messages.success(request, _("Your private calendar address is ready."))
        return redirect("work:calendar-settings", committee.slug)
    token = CalendarToken.objects.filter(
        user=request.user, committee=committee, revoked_at__isnull=True
    ).first()
    feed_url = request.build_absolute_uri(token.get_absolute_url()) if token else ""
    return render(
        request,
        "work/calendar.html",
        {"committee": committee, "token": token, "feed_url": feed_url},
    )


@require_GET
def calendar_feed(request, token):
    """A committee's meetings and task deadlines as iCalendar, at a private, revocable address."""
    live = (
        CalendarToken.objects.select_related("user", "committee")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if live is None or not permissions.can_view_committee(live.user, live.committee):
        raise Http404
    body = calendar.committee_calendar(live.committee, day=today())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="{live.committee.slug}.ics"'
    return response


__all__ = ["Task", "dt", "require_POST"]
