"""Form pieces for dates as clerks write them.

`PartialDateField` reads "13/03/2025", "2025-03-13", "03/2025", "Q2/2025", "Quý II/2025",
"2025-Q2", "H1/2025" and "2025" (never month first) and returns (date, precision).
`PartialDatesForm` puts it in place of a model's date column and its precision column.
"""

import datetime as dt

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from committees.partial_dates import Precision, parse_partial_date

PLACEHOLDER = _("dd/mm/yyyy, mm/yyyy, Q2/2025 or yyyy")


def clerk_text(date: dt.date | None, precision: str | None) -> str:
    """A partial date as a clerk types it, so a form shows what it reads back."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.HALF:
        return f"H{1 if date.month <= 6 else 2}/{date.year:04d}"
    if precision == Precision.QUARTER:
        return f"Q{(date.month - 1) // 3 + 1}/{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.month:02d}/{date.year:04d}"
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


class PartialDateWidget(AdminDateWidget):
    """A text box with the admin's day picker (which writes dd/mm/yyyy); a month, quarter or
    year is typed."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": PLACEHOLDER, "size": "16", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, tuple):
            return clerk_text(*value)
        if isinstance(value, dt.date):
            return clerk_text(value, Precision.DAY)
        return value or ""


class PartialDateField(forms.Field):
    widget = PartialDateWidget
    default_error_messages = {
        "invalid": _(
            "Enter the date as 13/03/2025, 2025-03-13, 03/2025, Q2/2025, Quý II/2025, 2025-Q2 or 2025."
        ),
    }

    def to_python(self, value) -> tuple[dt.date | None, str]:
        if isinstance(value, tuple):
            return value
        if isinstance(value, dt.date):
            return value, Precision.DAY
        text = (value or "").strip()
        if not text:
            return None, Precision.DAY
        try:
            return parse_partial_date(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value) -> None:
        if self.required and (value is None or value[0] is None):
            raise ValidationError(self.error_messages["required"], code="required")

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return clerk_text(*value)
        return value


class PartialDatesForm(forms.ModelForm):
    """A model form whose date columns with a precision take one partial-date box each.

    `partial_dates` maps each date column to its precision column."""

    partial_dates: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for date_name, precision_name in self.partial_dates.items():
            self.fields.pop(precision_name, None)
            old = self.fields.get(date_name)
            if old is None:
                continue
            self.fields[date_name] = PartialDateField(
                label=old.label,
                required=old.required,
                help_text=old.help_text or PLACEHOLDER,
                disabled=old.disabled,
            )
            if self.instance is not None and self.instance.pk is not None:
                self.initial[date_name] = (
                    getattr(self.instance, date_name),
                    getattr(self.instance, precision_name),
                )

    def clean(self):
        data = super().clean()
        for date_name, precision_name in self.partial_dates.items():
            value = data.get(date_name)
            if isinstance(value, tuple):
                data[date_name] = value[0]
                setattr(self.instance, precision_name, value[1])
        return data


def partial_dates_form(model, mapping: dict[str, str]) -> type[PartialDatesForm]:
    """A PartialDatesForm for a model admin (`form = partial_dates_form(Model, {...})`)."""
    meta = type("Meta", (), {"model": model, "exclude": tuple(mapping.values())})
    return type(
        f"{model.__name__}PartialDatesForm",
        (PartialDatesForm,),
        {"Meta": meta, "partial_dates": mapping},
    )
