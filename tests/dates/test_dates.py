"""Dates as clerks write them: day first in both languages, partial dates wherever a precision is kept."""

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from committees.forms import PartialDateField, clerk_text
from committees.models import LegalInstrument
from committees.partial_dates import Precision
from mandates.models import Target
from tests.factories import CommitteeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["vi", "en"])
def test_it_reads_dates_day_first_and_never_month_first(language):
    field = forms.DateField()
    with translation.override(language):
        assert field.clean("01/11/2026") == dt.date(2026, 11, 1)
        assert field.clean("2026-11-01") == dt.date(2026, 11, 1)
        assert field.clean("25/11/2026") == dt.date(2026, 11, 25)
        with pytest.raises(forms.ValidationError):
            field.clean("11/25/2026")


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("2025", dt.date(2025, 1, 1), Precision.YEAR),
        ("03/2025", dt.date(2025, 3, 1), Precision.MONTH),
        ("Q2/2025", dt.date(2025, 4, 1), Precision.QUARTER),
        ("Quý II/2025", dt.date(2025, 4, 1), Precision.QUARTER),
        ("2025-Q2", dt.date(2025, 4, 1), Precision.QUARTER),
        ("13/03/2025", dt.date(2025, 3, 13), Precision.DAY),
        ("2025-03-13", dt.date(2025, 3, 13), Precision.DAY),
    ],
)
def test_it_reads_a_partial_date_at_its_precision(text, date, precision):
    assert PartialDateField().clean(text) == (date, precision)
    assert PartialDateField().clean(clerk_text(date, precision)) == (date, precision)


def test_it_refuses_a_partial_date_it_cannot_read():
    with pytest.raises(forms.ValidationError, match="13/03/2025"):
        PartialDateField().clean("13-2025-03")


def test_it_saves_a_quarter_typed_in_the_admin(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/committees/legalinstrument/add/",
        {
            "kind": "decision",
            "number": "12/QĐ-UBND",
            "title": "Quyết định kiện toàn",
            "signed_on": "Quý II/2025",
            "effective_on": "01/11/2026",
            "source_date": "01/11/2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = LegalInstrument.objects.get(number="12/QĐ-UBND")
    assert (decision.signed_on, decision.signed_precision) == (dt.date(2025, 4, 1), "quarter")
    assert decision.effective_on == dt.date(2026, 11, 1)
    assert decision.source_date == dt.date(2026, 11, 1)
    page = client.get(f"/admin/committees/legalinstrument/{decision.pk}/change/").content.decode()
    assert 'value="Q2/2025"' in page
    assert 'value="01/11/2026"' in page


def test_it_saves_a_target_deadline_given_as_a_quarter(client, superuser):
    client.force_login(superuser)
    committee = CommitteeFactory()
    response = client.post(
        "/admin/mandates/target/add/",
        {
            "committee": committee.pk,
            "indicator": "Chuyên gia dữ liệu",
            "value_text": "ít nhất 100 chuyên gia",
            "unit": "",
            "direction": "at_least",
            "deadline": "2025-Q2",
            "measurements-TOTAL_FORMS": "0",
            "measurements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    target = Target.objects.get()
    assert target.deadline_precision == Precision.QUARTER
    assert target.target_value is None


def test_it_shows_a_year_as_a_year_in_both_languages(client, seeded, superuser):
    client.force_login(superuser)
    for language in ("vi", "en"):
        client.cookies["django_language"] = language
        page = client.get("/admin/committees/legalinstrument/").content.decode()
        assert "Ngày 01 tháng 1" not in page
        assert "January 1, 2022" not in page
