"""Forms of the roster operations in the admin: each asks for a reason, and those that change an
existing seat carry the version the editor saw, so a concurrent save is refused."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from committees.forms import PartialDatesForm
from committees.models import Committee, LegalInstrument, Succession
from members.models import Membership, Person, PositionHolding, Role
from members.roster_writer import SeatCorrect, SeatOpen, roster_check
from members.services import CORRECTABLE_FIELDS, holding_clash_message, stale_message


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for this change"),
        max_length=500,
        help_text=_("Kept in the history with your name and the date."),
        widget=forms.TextInput(attrs={"size": 80}),
    )


def decision_field() -> forms.ModelChoiceField:
    # A search box, not a drop-down of every decision in the city.
    return forms.ModelChoiceField(
        label=_("Decision"),
        queryset=LegalInstrument.objects.select_related(None).order_by("-signed_on", "number"),
        required=False,
        widget=AutocompleteSelect(Membership._meta.get_field("appointed_by"), admin.site),
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MembershipAdminForm(PartialDatesForm):
    """The add and correct form: a reason always; on a change, the version it was opened at.
    Each date is one box typed as clerks write it ("01/11/2026", "03/2025", "Quý II/2025",
    "2025"), its precision following what was typed."""

    partial_dates = {"start_date": "start_precision", "end_date": "end_precision"}
    reason = reason_field()
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Membership
        fields = (
            "committee",
            "person",
            "role",
            "role_title",
            "position",
            "title_at_appointment",
            "home_agency",
            "on_behalf_of",
            "start_date",
            "appointed_by",
            "end_date",
            "end_reason",
            "end_note",
            "ended_by",
            "source",
            "source_date",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin's change view runs in a transaction: the lock holds until this save
            # commits, so a second editor waits here and then sees the new version.
            current = (
                Membership.objects.select_for_update()
                .filter(pk=self.instance.pk)
                .order_by("pk")
                .values_list("version", flat=True)
                .first()
            )
            if cleaned.get("seen_version") != current:
                raise ValidationError(stale_message(), code="stale")
        return cleaned

    def _post_clean(self):
        """After the seat's own fields: the roster rules, asked of the roster writer, so the
        form refuses what the writer would, in the same words."""
        super()._post_clean()
        if self.errors:
            return
        seat = self.instance
        if seat.pk is None:
            change = SeatOpen(
                committee=seat.committee,
                person=seat.person,
                role=seat.role,
                role_title=seat.role_title,
                start=seat.start_date,
                start_precision=seat.start_precision,
                end=seat.end_date,
                end_precision=seat.end_precision,
                end_reason=seat.end_reason,
                position=seat.position,
                title=seat.title_at_appointment,
                home_agency=seat.home_agency,
            )
        else:
            changes = {name: getattr(seat, name) for name in CORRECTABLE_FIELDS}
            change = SeatCorrect(membership=Membership(pk=seat.pk), changes=changes)
        for problem in roster_check([change]):
            self.add_error(None, problem.message)


class EndForm(VersionedForm):
    on = forms.DateField(label=_("Last day on the committee"), widget=AdminDateWidget())
    end_reason = forms.ChoiceField(
        label=_("End reason"),
        choices=Membership.EndReason.choices,
        initial=Membership.EndReason.TERM_ENDED,
    )
    leave_vacant = forms.BooleanField(
        label=_("The seat stays: show it as vacant until someone is appointed"),
        required=False,
        initial=True,
    )
    decision = decision_field()
    reason = reason_field()


class ReplaceForm(VersionedForm):
    person = forms.ModelChoiceField(
        label=_("New member"),
        queryset=Person.objects.all(),
        widget=AutocompleteSelect(Membership._meta.get_field("person"), admin.site),
    )
    on = forms.DateField(label=_("First day of the new member"), widget=AdminDateWidget())
    decision = decision_field()
    reason = reason_field()


class ChangeRoleForm(VersionedForm):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    on = forms.DateField(label=_("First day in the new role"), widget=AdminDateWidget())
    decision = decision_field()
    reason = reason_field()


class PendingDecisionForm(forms.Form):
    change = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])
    reason = reason_field()


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (XLSX or CSV)"),
        help_text=_(
            "Columns: full name, rank, role, post, home agency, start date, decision number."
        ),
    )
    on = forms.DateField(
        label=_("The file's roster takes effect on"),
        required=False,
        widget=AdminDateWidget(),
        help_text=_("Today when empty. Members missing from the file end the day before."),
    )
    reason = reason_field()


class RosterImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    on = forms.DateField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(widget=forms.HiddenInput, max_length=500)


class SecretariatForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("grant", _("Grant secretariat rights")), ("revoke", _("Revoke them"))],
    )


class PositionHoldingAdminForm(PartialDatesForm):
    """Each date is one box typed as clerks write it, its precision following.

    A new current holder of a single-holder post is not refused here for the holder it
    replaces: the save goes through position_holder_change, which ends that holding first
    and checks the one-holder rule under its lock. A change of an existing holding is checked
    here, in the same words."""

    partial_dates = {"start_date": "start_precision", "end_date": "end_precision"}

    class Meta:
        model = PositionHolding
        fields = (
            "person",
            "position",
            "start_date",
            "end_date",
            "ended",
            "appointed_by",
            "source",
            "source_date",
        )

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.pk is None:
            return
        if message := holding_clash_message(self.instance):
            self.add_error(None, message)


class DissolveForm(forms.Form):
    """Dissolve a body, or merge it into (or have it replaced or renamed by) another: its open
    seats end on that day, citing the decision."""

    on = forms.DateField(label=_("Last day of the body"), widget=AdminDateWidget())
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", _("dissolved")), *Succession.Kind.choices],
        required=False,
    )
    successor = forms.ModelChoiceField(
        label=_("Successor"),
        queryset=Committee.objects.filter(dissolved_on__isnull=True),
        required=False,
        widget=AutocompleteSelect(Succession._meta.get_field("successor"), admin.site),
        help_text=_("The body that takes this one over, when there is one."),
    )
    decision = decision_field()
    reason = reason_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and not cleaned.get("successor"):
            self.add_error("successor", _("Name the body that takes this one over."))
        if cleaned.get("successor") and not cleaned.get("kind"):
            cleaned["kind"] = Succession.Kind.MERGED_INTO
        return cleaned
