"""The report a leader hands out: cover, first-page summary, progress bars, decisions listed
once, signature, "data as of" on every page, no page holding a lone line."""

import datetime as dt
import io
import re
import unicodedata

import pypdf
import pytest

from committees.models import Committee
from mandates.models import Target
from reports import services
from reports.models import Report
from reports.periods import parse_period
from reports.rendering import committee_review_context, progress_share, render_report_html
from tests.factories import MeasurementFactory

pytestmark = pytest.mark.django_db
PERIOD = parse_period("2026-Q3")


def made(slug: str, language: str = "vi") -> Report:
    report = services.report_request(
        committee=Committee.objects.get(slug=slug), period=PERIOD, language=language
    )
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error_message
    return report


def pages_of(report: Report) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(services.report_file(report).read_bytes()))
    return [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_first_page_has_the_cover_and_says_how_the_committee_stands(seeded, language):
    report = made("bcd-chuyen-doi-so-tphcm", language)
    first = squash(pages_of(report)[0])
    if language == "vi":
        assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH" in first.upper()
        assert "Độc lập \u2013 Tự do \u2013 Hạnh phúc" in first
        assert "TP. Hồ Chí Minh, ngày" in first
        assert "thành viên theo quyết định" in first
        assert "có tên" in first
        assert "chỉ tiêu đã đạt" in first
        assert "quá hạn" in first
    else:
        assert "HO CHI MINH CITY PEOPLE'S COMMITTEE" in first.upper()
        assert "members declared" in first
        assert "targets achieved" in first
    assert f"{report.pk:04d}/BC-2026-Q3" in first
    assert "2026-Q3" in first
    assert "30/09/2026" in first


def test_every_page_says_the_data_as_of_day_and_none_holds_a_lone_line(seeded):
    report = made("bcd-chuyen-doi-so-tphcm")
    pages = pages_of(report)
    assert len(pages) >= 2
    for text in pages:
        assert "Dữ liệu tính đến 30/09/2026" in text
    # The last page is not one stray line: the signature travels with the last decisions.
    last = squash(pages[-1])
    assert "TM. BAN CHỈ ĐẠO" in last.upper()
    assert "Quyết định" in last


def test_each_decision_title_appears_once_and_roster_lines_give_only_its_number(seeded):
    report = made("bcd-chuyen-doi-so-tphcm")
    text = squash(" ".join(pages_of(report)))
    title = "về việc thành lập Ban chỉ đạo và Tổ giúp việc Ban chỉ đạo về chuyển đổi số"
    assert text.count(title) == 1
    assert "Các văn bản được dẫn chiếu" in text
    assert text.count("Quyết định 944") >= 3  # the roster lines cite it by number


def test_target_bars_measure_progress_toward_the_target_value(seeded):
    target = Target.objects.filter(committee__slug="bcd-chuyen-doi-so-tphcm").first()
    target.baseline = 40
    target.baseline_date = dt.date(2021, 12, 31)
    target.save(update_fields=["baseline", "baseline_date"])
    MeasurementFactory(
        target=target, value=(40 + float(target.target_value)) / 2, date=dt.date(2022, 6, 30)
    )
    report = made("bcd-chuyen-doi-so-tphcm")
    line = next(t for t in report.snapshot["targets"] if t["indicator"] == target.indicator)
    assert progress_share(line) == pytest.approx(0.5)
    context = committee_review_context(report.snapshot)
    shown = next(t for t in context["targets"] if t["indicator"] == target.indicator)
    assert shown["percent"] == 50
    assert shown["progress"]["filled"] == pytest.approx(shown["progress"]["width"] / 2)
    assert shown["baseline"] == "40 %"
    assert shown["baseline_date"] == "31/12/2021"
    assert shown["latest_date"] == "30/06/2022"
    others = [t for t in context["targets"] if t["indicator"] != target.indicator]
    assert all(t["progress"]["filled"] == 0 for t in others)  # no measurement: an empty bar
    assert all(t["latest"] != "—" and t["baseline"] != "—" for t in context["targets"])


def test_progress_for_a_target_to_stay_below():
    line = {
        "latest": {"value": "30", "date": "2026-01-01"},
        "target_value": "20",
        "baseline": "40",
        "direction": "at_most",
    }
    assert progress_share(line) == pytest.approx(0.5)


def test_the_summary_chart_compares_declared_and_named_seats(seeded):
    report = made("bcd-du-lieu-tphcm")
    summary = committee_review_context(report.snapshot)["summary"]
    assert (summary["declared"], summary["named"]) == (32, 4)
    assert summary["chart"]["named"] == pytest.approx(
        summary["chart"]["declared"] * 4 / 32, abs=0.2
    )
    html = render_report_html(snapshot=report.snapshot, language="vi")
    assert 'class="seat-chart"' in html
    assert 'data-slot="title-only"' in html
