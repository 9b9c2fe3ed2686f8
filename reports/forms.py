"""The "generate now" form of the report list."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.models import Committee
from reports.periods import Cadence, Period, parse_period, period_containing


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
    regenerate = forms.BooleanField(label=_("Make it again even if it exists"), required=False)

    def __init__(self, *args, committees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = (
            committees if committees is not None else Committee.objects.none()
        ).order_by("name", "pk")
        self.fields["period"].initial = period_containing(
            timezone.localdate(), Cadence.QUARTERLY
        ).code

    def clean_period(self) -> Period:
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
