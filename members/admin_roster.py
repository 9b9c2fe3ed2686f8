"""The roster pages of a committee in the admin: the roster on a date, the timeline of changes,
pending ex officio changes, import, export and the secretariat. Read by every reader, acted on
by the committee's secretariat; they extend the committee admin with the members app's pages."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from committees import permissions
from committees.admin import CommitteeAdmin
from committees.models import Committee
from members import services
from members.admin_forms import (
    DissolveForm,
    PendingDecisionForm,
    RosterImportConfirmForm,
    RosterImportForm,
    SecretariatForm,
)
from members.models import PendingSeatChange
from members.roster_import import roster_import
from members.selectors import (
    member_counts,
    pending_changes_for,
    roster_on,
    roster_timeline,
    seats_to_check,
    today,
)
from members.spreadsheets import MAX_IMPORT_BYTES, RosterFileError, roster_export
from members.workbooks import too_large_message

IMPORT_DIR = "roster-imports"


def _match_choices(data) -> dict[int, str]:
    """The clerk's decisions on possible matches: `match-<row>` = a person's slug or "new"."""
    choices = {}
    for key, value in data.items():
        if key.startswith("match-") and key[6:].isdigit() and value:
            choices[int(key[6:])] = value
    return choices


def _day(text: str | None) -> dt.date | None:
    """A day as clerks write it (14/01/2026) or as links carry it (2026-01-14)."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime((text or "").strip(), fmt).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    return None


class CommitteeRosterAdmin(CommitteeAdmin):
    def get_urls(self):
        wrap = self.admin_site.admin_view
        mine = [
            ("roster", self.roster_view),
            ("timeline", self.timeline_view),
            ("pending", self.pending_view),
            ("import", self.import_view),
            ("export", self.export_view),
            ("secretariat", self.secretariat_view),
            ("check", self.check_view),
            ("dissolve", self.dissolve_view),
        ]
        return [
            path(
                f"<path:object_id>/{name}/",
                wrap(view),
                name=f"committees_committee_{name}",
            )
            for name, view in mine
        ] + super().get_urls()

    def _committee(self, request, object_id) -> Committee:
        key = unquote(object_id)
        committee = Committee.objects.filter(pk=key).first() if str(key).isdigit() else None
        if committee is None:
            raise Http404
        if not self.has_view_permission(request, committee):
            raise PermissionDenied
        return committee

    def _context(self, request, committee, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": str(committee),
            "opts": self.model._meta,
            "original": committee,
            "committee": committee,
            "can_manage": permissions.can_manage_roster(request.user, committee),
            **extra,
        }

    def roster_view(self, request, object_id):
        """The roster on any date, with the declared and actual counts and the gap."""

        committee = self._committee(request, object_id)
        day = _day(request.GET.get("on")) or today()
        context = self._context(
            request,
            committee,
            gettext("Roster on %(day)s") % {"day": day.strftime("%d/%m/%Y")},
            day=day,
            roster=roster_on(committee, day),
            counts=member_counts(committee, day),
        )
        return TemplateResponse(request, "admin/members/roster/roster.html", context)

    def timeline_view(self, request, object_id):
        """Who changed the roster, what, when, why and on which decision."""

        committee = self._committee(request, object_id)
        context = self._context(
            request,
            committee,
            gettext("Roster changes"),
            entries=roster_timeline(committee),
        )
        return TemplateResponse(request, "admin/members/roster/timeline.html", context)

    def pending_view(self, request, object_id):
        """Pending ex officio changes: the secretariat confirms or declines each one."""

        committee = self._committee(request, object_id)
        form = PendingDecisionForm()
        if request.method == "POST":
            if not permissions.can_manage_roster(request.user, committee):
                raise PermissionDenied
            form = PendingDecisionForm(request.POST)
            if form.is_valid():
                change = PendingSeatChange.objects.filter(
                    pk=form.cleaned_data["change"], committee=committee
                ).first()
                if change is None:
                    raise Http404
                try:
                    if form.cleaned_data["action"] == "confirm":
                        services.pending_change_confirm(
                            change=change, reason=form.cleaned_data["reason"], by=request.user
                        )
                        self.message_user(request, gettext("The change was confirmed."))
                    else:
                        services.pending_change_decline(
                            change=change, reason=form.cleaned_data["reason"], by=request.user
                        )
                        self.message_user(request, gettext("The change was declined."))
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return HttpResponseRedirect(request.path)
        context = self._context(
            request,
            committee,
            gettext("Pending ex officio changes"),
            changes=list(pending_changes_for(committee)),
            form=form,
        )
        return TemplateResponse(request, "admin/members/roster/pending.html", context)

    def export_view(self, request, object_id):

        committee = self._committee(request, object_id)
        fmt = request.GET.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise Http404
        data, content_type, name = roster_export(
            committee=committee, day=_day(request.GET.get("on")) or today(), fmt=fmt
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request, object_id):
        """Upload → dry run (what would be added, ended, unchanged) → confirm."""

        committee = self._committee(request, object_id)
        if not permissions.can_manage_roster(request.user, committee):
            raise PermissionDenied
        staging = settings.PRIVATE_STORAGE_ROOT / IMPORT_DIR
        pending = request.session.get("roster_imports", {})
        form, plan, confirm, file_error = RosterImportForm(), None, None, None
        if request.method == "POST" and "token" in request.POST:
            confirm = RosterImportConfirmForm(request.POST)
            token = request.POST.get("token", "")
            entry = pending.get(token)
            staged = staging / f"{token}.bin"
            if (
                not confirm.is_valid()
                or entry is None
                or entry["committee"] != committee.pk
                or not staged.is_file()
            ):
                self.message_user(
                    request,
                    gettext("The upload has expired; upload the file again."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.path)
            try:
                plan = roster_import(
                    committee=committee,
                    data=staged.read_bytes(),
                    filename=entry["name"],
                    on=confirm.cleaned_data["on"],
                    dry_run=False,
                    choices=_match_choices(request.POST),
                    reason=confirm.cleaned_data["reason"],
                    by=request.user,
                )
            except (RosterFileError, ValidationError) as exc:
                file_error = " ".join(exc.messages)
                confirm = None
            else:
                if plan.applied:
                    staged.unlink(missing_ok=True)
                    pending.pop(token, None)
                    request.session["roster_imports"] = pending
                    self.message_user(
                        request,
                        gettext("Roster imported: %(summary)s") % {"summary": plan.summary()},
                    )
                    url = reverse("admin:committees_committee_roster", args=[committee.pk])
                    return HttpResponseRedirect(f"{url}?on={plan.on.isoformat()}")
                if plan.errors:
                    confirm = None
                # Otherwise a possible match is still undecided: the same form asks again.
        elif request.method == "POST":
            form = RosterImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    if upload.size > MAX_IMPORT_BYTES:  # said with the file's real size
                        raise RosterFileError(too_large_message(upload.size))
                    data = upload.read()
                    plan = roster_import(
                        committee=committee,
                        data=data,
                        filename=upload.name,
                        on=form.cleaned_data["on"],
                        dry_run=True,
                        by=request.user,
                    )
                except RosterFileError as exc:
                    file_error = " ".join(exc.messages)
                else:
                    if not plan.errors:
                        token = secrets.token_urlsafe(24)
                        staging.mkdir(parents=True, exist_ok=True)
                        (staging / f"{token}.bin").write_bytes(data)
                        pending[token] = {"committee": committee.pk, "name": upload.name}
                        request.session["roster_imports"] = pending
                        confirm = RosterImportConfirmForm(
                            initial={
                                "token": token,
                                "on": plan.on,
                                "reason": form.cleaned_data["reason"],
                            }
                        )
        context = self._context(
            request,
            committee,
            gettext("Import a roster"),
            form=form,
            plan=plan,
            confirm=confirm,
            file_error=file_error,
        )
        return TemplateResponse(request, "admin/members/roster/import.html", context)

    def check_view(self, request, object_id):
        """Seats to check: held ex officio through a post its holder has left, or open on a
        body that no longer exists; each links to the seat's page where it is dealt with."""
        committee = self._committee(request, object_id)
        context = self._context(
            request,
            committee,
            gettext("Seats to check"),
            seats=seats_to_check(committee),
        )
        return TemplateResponse(request, "admin/members/roster/check.html", context)

    def dissolve_view(self, request, object_id):
        """Administrators dissolve a body or merge it into another: its open seats end that
        day, citing the decision; the roster after that day is empty."""
        committee = self._committee(request, object_id)
        if not permissions.is_administrator(request.user):
            raise PermissionDenied
        form = DissolveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                ended = services.committee_dissolve(
                    committee=committee,
                    on=data["on"],
                    kind=data["kind"],
                    successor=data["successor"],
                    decision=data["decision"],
                    reason=data["reason"],
                    by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    gettext("%(committee)s was dissolved; %(count)s open seats ended.")
                    % {"committee": committee, "count": len(ended)},
                )
                return HttpResponseRedirect(
                    reverse("admin:committees_committee_timeline", args=[committee.pk])
                )
        context = self._context(request, committee, gettext("Dissolve or merge"), form=form)
        return TemplateResponse(request, "admin/members/roster/dissolve.html", context)

    def get_readonly_fields(self, request, obj=None):
        # A body is dissolved through its own page, so its open seats end with it.
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ("dissolved_on", "dissolved_precision")
        return fields

    def secretariat_view(self, request, object_id):
        """Administrators grant or revoke a user's secretariat rights on this committee."""

        committee = self._committee(request, object_id)
        if not permissions.is_administrator(request.user):
            raise PermissionDenied
        form = SecretariatForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
            if user is None:
                form.add_error("username", gettext("No user with this name."))
            else:
                if form.cleaned_data["action"] == "grant":
                    permissions.grant_secretariat(user, committee)
                    message = gettext("%(user)s now keeps the roster of %(committee)s.")
                else:
                    permissions.revoke_secretariat(user, committee)
                    message = gettext("%(user)s no longer keeps the roster of %(committee)s.")
                self.message_user(request, message % {"user": user, "committee": committee})
                return HttpResponseRedirect(request.path)
        context = self._context(
            request,
            committee,
            gettext("Secretariat"),
            form=form,
            holders=list(permissions.secretariat_users(committee)),
        )
        return TemplateResponse(request, "admin/members/roster/secretariat.html", context)


admin.site.unregister(Committee)
admin.site.register(Committee, CommitteeRosterAdmin)
