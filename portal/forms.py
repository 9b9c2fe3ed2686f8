"""The portal's query forms: they read GET parameters and never write."""

import datetime as dt

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from committees.models import Agency, Committee, Level
from committees.search import MAX_QUERY_LENGTH
from portal.selectors import CommitteeFilters

FIRST_DAY = dt.date(1945, 9, 2)
LAST_DAY = dt.date(2100, 12, 31)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class CommitteeFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("active and dissolved")),
        ("active", _("active")),
        ("dissolved", _("dissolved")),
    ]

    q = forms.CharField(
        label=_("Name contains"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("all levels")), *Level.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("all kinds")), *Committee.Kind.choices],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    agency = forms.ModelChoiceField(
        label=_("Standing agency"),
        required=False,
        # EXISTS rather than a DISTINCT join over every committee.
        queryset=Agency.objects.filter(
            Exists(Committee.objects.filter(standing_agency=OuterRef("pk")))
        ),
        to_field_name="slug",
        empty_label=_("all agencies"),
    )

    def filters(self) -> CommitteeFilters:
        """The valid filters (an invalid field is dropped and its error shown)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return CommitteeFilters(
            q=data.get("q") or "",
            level=data.get("level") or "",
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            agency=data.get("agency"),
        )


AS_OF_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("Roster on"),
        required=False,
        input_formats=AS_OF_FORMATS,
        # A text box, not the browser's date input: that one shows mm/dd/yyyy in English.
        widget=forms.DateInput(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "size": "10"},
            format="%d/%m/%Y",
        ),
    )

    def __init__(self, data=None, *args, **kwargs):
        # A day asked as 2026-01-14 (a link, a bookmark) is written back as clerks write it,
        # 14/01/2026, so the box shows the day the roster is for in the form it takes.
        if data is not None and data.get("as_of"):
            for fmt in AS_OF_FORMATS:
                try:
                    day = dt.datetime.strptime(data["as_of"].strip(), fmt).date()  # noqa: DTZ007 (a calendar day)
                except ValueError:
                    continue
                data = data.copy()
                data["as_of"] = day.strftime("%d/%m/%Y")
                break
        super().__init__(data, *args, **kwargs)

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is not None and not (FIRST_DAY <= day <= LAST_DAY):
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={
                    "first": FIRST_DAY.strftime("%d/%m/%Y"),
                    "last": LAST_DAY.strftime("%d/%m/%Y"),
                },
            )
        return day

    def day(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return default


def page_number(request, name: str) -> int:
    """A page number from the query string; anything else is the first page."""
    text = request.GET.get(name, "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1
