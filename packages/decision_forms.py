"""The decision form: the decision itself, then its effects."""

from django import forms
from django.utils.translation import gettext_lazy as _

from committees import permissions
from committees.forms import PartialDateField
from committees.models import Committee, LegalInstrument, Level
from committees.text import fold, nfc
from packages.decisions import DecisionInput, parse_appendix
from packages.schema import PackageInvalid, When

APPENDIX_HELP = _(
    "One seat a line: person; role; post; agency (tab, semicolon or comma between them). "
    "Leave the person empty for a seat named by its title only."
)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=LegalInstrument.Kind.choices, initial=LegalInstrument.Kind.DECISION
    )
    number = forms.CharField(label=_("number"), max_length=100, required=False)
    issuer = forms.CharField(
        label=_("issuer"),
        max_length=300,
        required=False,
        help_text=_('As printed; matched to the agencies kept ("UBND TP.HCM", "Sở TT&TT").'),
    )
    signer = forms.CharField(label=_("signer"), max_length=200, required=False)
    signed = PartialDateField(label=_("signed on"), required=False)
    effective = PartialDateField(
        label=_("effective from"),
        required=False,
        help_text=_("Seats start and end from this date (the signing date when empty)."),
    )
    title = forms.CharField(label=_("title"), max_length=500)
    scan = forms.FileField(label=_("scan"), required=False)
    amends = forms.CharField(
        label=_("amends"), required=False, help_text=_("Numbers of the decisions, one a line.")
    )
    replaces = forms.CharField(
        label=_("replaces"), required=False, help_text=_("Numbers of the decisions, one a line.")
    )
    repeals = forms.CharField(
        label=_("repeals"), required=False, help_text=_("Numbers of the decisions, one a line.")
    )
    committee = forms.ModelChoiceField(
        label=_("body"), queryset=Committee.objects.none(), required=False
    )
    establish_name = forms.CharField(
        label=_("establish a new body named"), max_length=400, required=False
    )
    establish_level = forms.ChoiceField(
        label=_("level of the new body"), choices=Level.choices, initial=Level.CITY, required=False
    )
    rename_to = forms.CharField(
        label=_("rename the body to"),
        max_length=400,
        required=False,
        help_text=_(
            "The body under its old name ends the day before; the renamed body succeeds it, "
            "keeps the old name among its names, and its seats continue on it."
        ),
    )
    dissolve = forms.BooleanField(label=_("dissolve the body"), required=False)
    merge_into = forms.ModelChoiceField(
        label=_("merge the body into"), queryset=Committee.objects.none(), required=False
    )
    declared_count = forms.IntegerField(
        label=_("declared member count"), min_value=0, required=False
    )
    appoint_text = forms.CharField(
        label=_("seats to appoint (appendix)"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
        required=False,
        help_text=APPENDIX_HELP,
    )
    appoint_file = forms.FileField(
        label=_("or upload the appendix"),
        required=False,
        help_text=_("CSV, TSV or XLSX with the same columns."),
    )
    whole_roster = forms.BooleanField(
        label=_("the appendix is the whole roster (end the seats it leaves out)"), required=False
    )
    end_text = forms.CharField(
        label=_("seats to end"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 90}),
        required=False,
        help_text=_("One person (or post of a title-only seat) a line."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if permissions.is_administrator(user):
            editable = Committee.objects.all()
        else:
            editable = permissions.committees_roster_editable_by(user)
        self.fields["committee"].queryset = editable.order_by("name")
        self.fields["merge_into"].queryset = editable.order_by("name")
        if not permissions.is_administrator(user):
            for name in ("establish_name", "establish_level"):
                del self.fields[name]

    def _decisions(self, name: str) -> list[LegalInstrument]:
        numbers = [nfc(n) for n in (self.cleaned_data.get(name) or "").splitlines() if n.strip()]
        found = []
        for number in numbers:
            matches = list(LegalInstrument.objects.filter(number__iexact=number)[:2]) or [
                i
                for i in LegalInstrument.objects.filter(search_key__startswith=fold(number))[:5]
                if fold(i.number) == fold(number)
            ]
            if len(matches) != 1:
                self.add_error(
                    name,
                    _("No single decision is recorded with the number %(number)s.")
                    % {"number": number},
                )
                continue
            found.append(matches[0])
        return found

    def clean(self):
        data = super().clean()
        data["amends_list"] = self._decisions("amends")
        data["replaces_list"] = self._decisions("replaces")
        data["repeals_list"] = self._decisions("repeals")
        if not data.get("committee") and not data.get("establish_name"):
            self.add_error(
                "committee", _("Choose the body the decision concerns, or establish one.")
            )
        if data.get("merge_into") and data.get("merge_into") == data.get("committee"):
            self.add_error("merge_into", _("A body cannot be merged into itself."))
        return data

    def to_input(self, *, appendix_bytes=None, appendix_name="", scan=None) -> DecisionInput:
        """The decision as the service takes it; raises PackageInvalid for a bad appendix."""
        data = self.cleaned_data
        try:
            appoint = parse_appendix(data.get("appoint_text") or "", appendix_bytes, appendix_name)
        except PackageInvalid:
            raise
        ends = parse_appendix(
            "\n".join(line.replace(",", " ") for line in (data.get("end_text") or "").splitlines())
        )
        signed = data.get("signed") or (None, "day")
        effective = data.get("effective") or (None, "day")
        return DecisionInput(
            kind=data["kind"],
            number=nfc(data.get("number") or ""),
            issuer=nfc(data.get("issuer") or ""),
            signer=nfc(data.get("signer") or ""),
            signed=When(*signed),
            effective=When(*effective),
            title=nfc(data["title"]),
            scan=scan,
            amends=data["amends_list"],
            replaces=data["replaces_list"],
            repeals=data["repeals_list"],
            committee=data.get("committee"),
            establish_name=nfc(data.get("establish_name") or ""),
            establish_level=data.get("establish_level") or Level.CITY,
            rename_to=nfc(data.get("rename_to") or ""),
            dissolve=bool(data.get("dissolve")),
            merge_into=data.get("merge_into"),
            declared_count=data.get("declared_count"),
            appoint=appoint,
            whole_roster=bool(data.get("whole_roster")),
            end=ends,
        )
