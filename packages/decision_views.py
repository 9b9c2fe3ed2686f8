"""The decision form in the admin (preview, then one atomic apply), the list of seats
without a decision, and the decision scan served through the permission module."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from committees import permissions
from committees.models import Committee, LegalInstrument
from members.selectors import seats_without_decision
from packages.apply import NEW
from packages.decision_forms import DecisionForm
from packages.decisions import record_decision
from packages.schema import PackageInvalid

STAGING_DIR = "decision-uploads"
SESSION_KEY = "decision_uploads"
MAX_BYTES = 20 * 1024 * 1024


def _stage(request, token: str, name: str, upload) -> dict | None:
    if upload is None:
        return None
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PackageInvalid([gettext("(file): the file is larger than 20 MB")])
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / STAGING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{token}-{name}.bin"
    path.write_bytes(data)
    return {"path": str(path), "name": upload.name[:200]}


def record_view(model_admin, request):
    """Record a decision with its effects: the form, a preview, then the confirmed apply."""
    if not permissions.can_manage_any_roster(request.user):
        raise PermissionDenied
    pending = request.session.get(SESSION_KEY, {})
    token = request.POST.get("token") or secrets.token_urlsafe(18)
    staged = pending.get(token, {})
    for name in ("committee", "merge_into"):
        chosen = request.POST.get(name)
        if chosen and chosen.isdigit():
            body = Committee.objects.filter(pk=chosen).first()
            if body is not None and not permissions.can_record_decision(request.user, body):
                raise PermissionDenied
    form = DecisionForm(request.POST or None, request.FILES or None, user=request.user)
    report, problems, confirming = None, [], "confirm" in request.POST
    if request.method == "POST" and form.is_valid():
        try:
            for name in ("scan", "appoint_file"):
                entry = _stage(request, token, name, form.cleaned_data.get(name))
                if entry:
                    staged[name] = entry
            pending[token] = staged
            request.session[SESSION_KEY] = pending
            appendix = staged.get("appoint_file")
            scan = staged.get("scan")
            decision_input = form.to_input(
                appendix_bytes=Path(appendix["path"]).read_bytes() if appendix else None,
                appendix_name=appendix["name"] if appendix else "",
                scan=SimpleUploadedFile(scan["name"], Path(scan["path"]).read_bytes())
                if scan and confirming
                else None,
            )
            confirmations = {
                key[len("match:") :]: value
                for key, value in request.POST.items()
                if key.startswith("match:") and (value == NEW or value.isdigit())
            }
            report = record_decision(
                decision_input,
                by=request.user,
                dry_run=not confirming,
                confirmations=confirmations,
            )
        except PackageInvalid as exc:
            problems = exc.problems
        except PermissionDenied as exc:
            problems = [str(exc)]
        else:
            if confirming:
                for entry in staged.values():
                    Path(entry["path"]).unlink(missing_ok=True)
                pending.pop(token, None)
                request.session[SESSION_KEY] = pending
                model_admin.message_user(
                    request,
                    gettext("Decision recorded: %(decision)s.") % {"decision": report.decision},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("portal:decision-detail", args=[report.decision_id])
                )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Record a decision"),
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "problems": problems,
        "token": token,
        "staged": staged,
    }
    return TemplateResponse(request, "admin/committees/legalinstrument/record.html", context)


def no_decision_view(model_admin, request):
    """Open seats recorded without a decision, on the bodies the user keeps."""
    if not permissions.can_manage_any_roster(request.user):
        raise PermissionDenied
    committees = permissions.committees_roster_editable_by(request.user)
    # ?committee=ID: one body's seats (the work queue links here from that body's item).
    only = request.GET.get("committee", "")
    only = committees.filter(pk=only).first() if only.isdigit() else None
    seats = (
        seats_without_decision()
        .filter(committee__in=committees if only is None else [only])
        .select_related("committee", "person")
        .order_by("committee__name", "role_rank", "pk")
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Seats recorded without a decision"),
        "opts": model_admin.model._meta,
        "seats": seats[:500],
        "only": only,
    }
    return TemplateResponse(request, "admin/committees/legalinstrument/no_decision.html", context)


def scan_view(request, pk: int):
    """The signed decision's scan, to the registry's readers only (never a public URL)."""
    if not permissions.can_view_decision_scan(request.user):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    decision = get_object_or_404(LegalInstrument, pk=pk)
    if not decision.scan:
        raise Http404
    try:
        handle = decision.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=Path(decision.scan.name).name)
