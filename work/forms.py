"""Forms of the meeting and task pages: they validate input; the services write."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from committees.models import Agency
from committees.partial_dates import Precision, parse_partial_date
from work.models import Invitee, Meeting, Task

FIRST_DAY = dt.date(1945, 9, 2)
LAST_DAY = dt.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _in_range(value: dt.date | None) -> None:
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(_("Give a date between 1945 and 2100."))


class PartialDateField(forms.CharField):
    """A deadline as clerks write it: "30/06/2026", "06/2026", "Quý II/2026", "6 tháng đầu năm
    2026", "2026"; empty for none. Cleans to (date, precision) or (None, day)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("e.g. 30/06/2026, 06/2026, Quý II/2026, 6 tháng đầu năm 2026, 2026; empty if none"),
        )
        super().__init__(max_length=60, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None, Precision.DAY
        try:
            date, precision = parse_partial_date(text)
        except ValueError as exc:
            raise ValidationError(
                _('"%(value)s" is not a date: write 30/06/2026, 06/2026, Quý II/2026 or 2026.'),
                params={"value": text},
            ) from exc
        _in_range(date)
        return date, precision


REASON_FIELD_KWARGS = {"label": _("Why (kept in the history)"), "max_length": 300}


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=500)
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[_in_range])
    time = forms.TimeField(
        label=_("Time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)
    online_link = forms.URLField(label=_("Online link"), max_length=500, required=False)
    chair_name = forms.CharField(label=_("Chair (name and post)"), max_length=300, required=False)
    agenda = forms.CharField(
        label=_("Agenda (one item a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class AttendanceRowForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Invitee.Attendance.choices)
    absence_reason = forms.CharField(label=_("Reason for absence"), max_length=500, required=False)
    substitute_name = forms.CharField(label=_("Substitute"), max_length=300, required=False)
    substitute_post = forms.CharField(label=_("Substitute's post"), max_length=400, required=False)


class GuestForm(forms.Form):
    name = forms.CharField(label=_("Guest's name"), max_length=300)
    post = forms.CharField(label=_("Post or organisation"), max_length=400, required=False)
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    file = forms.FileField(label=_("File"))
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class ConclusionForm(forms.Form):
    number = forms.CharField(
        label=_("Notice number"), max_length=100, help_text=_('As printed, e.g. "25/TB-BCĐ".')
    )
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=DateInput(), validators=[_in_range]
    )
    summary = forms.CharField(
        label=_("Conclusions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class TaskItemForm(forms.Form):
    text = forms.CharField(
        label=_("Task"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"), queryset=Agency.objects.none(), required=False
    )
    coordinating = forms.ModelMultipleChoiceField(
        label=_("Coordinating agencies"), queryset=Agency.objects.none(), required=False
    )
    deadline = PartialDateField(label=_("Deadline"))

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = agencies if agencies is not None else Agency.objects.order_by("name")
        self.fields["lead_agency"].queryset = queryset
        self.fields["coordinating"].queryset = queryset
        self.fields["coordinating"].widget.attrs["size"] = 3


TaskItemFormSet = forms.formset_factory(TaskItemForm, extra=3, max_num=50)


class ProgressForm(forms.Form):
    STATE_CHOICES = [
        ("", _("keep the state")),
        (Task.State.IN_PROGRESS, _("in progress")),
        (Task.State.DONE, _("done")),
    ]

    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[_in_range])
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.URLField(label=_("Evidence link"), max_length=500, required=False)
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    completed_on = forms.DateField(
        label=_("Completed on"), required=False, widget=DateInput(), validators=[_in_range]
    )


class CancelForm(forms.Form):
    on = forms.DateField(label=_("Cancelled on"), widget=DateInput(), validators=[_in_range])
    reason = forms.CharField(label=_("Why is the task cancelled?"), max_length=500)


class RescheduleForm(forms.Form):
    deadline = PartialDateField(label=_("New deadline"))
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"), queryset=Agency.objects.order_by("name"), required=False
    )
    reason = forms.CharField(**REASON_FIELD_KWARGS)


class BoardFilterForm(forms.Form):
    on = forms.DateField(
        label=_("Status on"), required=False, widget=DateInput(), validators=[_in_range]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all statuses")), *Task.Status.choices]
    )
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        to_field_name="slug",
    )
    deadline_from = forms.DateField(
        label=_("Deadline from"), required=False, widget=DateInput(), validators=[_in_range]
    )
    deadline_to = forms.DateField(
        label=_("Deadline to"), required=False, widget=DateInput(), validators=[_in_range]
    )

    def value(self, name: str):
        # Valid fields stay in cleaned_data when another field is wrong; the wrong one is ignored.
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class DayForm(forms.Form):
    on = forms.DateField(label=_("On"), required=False, widget=DateInput(), validators=[_in_range])
