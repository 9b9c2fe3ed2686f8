"""The "generate now" form of the report list."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Committee
from reports.periods import Period, last_complete_period, parse_period


class GenerateReportForm(forms.Form):
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.none(),
        required=False,
        empty_label=_("City overview (all committees)"),
    )
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026-Q4, 2026-03 or 2026.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="vi")
    regenerate = forms.BooleanField(
        label=_("Make it again even if it exists"),
        required=False,
        help_text=_("A report whose data changed since it was made is made again anyway."),
    )

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = (
            committees if committees is not None else Committee.objects.none()
        ).order_by("name", "pk")
        self.fields["period"].initial = last_complete_period(timezone.localdate()).code

    def clean_period(self) -> Period:
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ReportFilterForm(forms.Form):
    """The filters of the report list (GET)."""

    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.none(),
        required=False,
        empty_label=_("all committees"),
    )
    period = forms.CharField(label=_("Period"), max_length=10, required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("all languages")), *settings.LANGUAGES]
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, committees=None, **kwargs):
        from reports.models import Report

        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = (
            committees if committees is not None else Committee.objects.none()
        ).order_by("name", "pk")
        self.fields["status"].choices = [("", _("all statuses")), *Report.Status.choices]

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        found = {}
        if data.get("committee"):
            found["committee"] = data["committee"]
        if data.get("period"):
            found["period"] = data["period"].strip()
        if data.get("language"):
            found["language"] = data["language"]
        if data.get("status"):
            found["status"] = data["status"]
        return found
