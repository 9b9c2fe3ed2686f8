"""Snapshots, HTML and PDF: languages, the city overview, local-only fetching, the command."""

import io
import unicodedata

import pypdf
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from committees.models import Committee
from reports import services
from reports.models import Report
from reports.pdf import LocalOnlyFetcher, html_to_pdf
from reports.periods import parse_period

PERIOD = parse_period("2026-Q4")


def text_of(report: Report) -> str:
    reader = pypdf.PdfReader(io.BytesIO(services.report_file(report).read_bytes()))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def make(committee, language="vi") -> Report:
    report = services.report_request(committee=committee, period=PERIOD, language=language)
    services.report_render(report_id=report.pk, task_id=report.task_id)
    report.refresh_from_db()
    assert report.status == Report.Status.READY, report.error_message
    return report


@pytest.mark.django_db
def test_an_english_report_uses_english_labels_and_keeps_the_names(seeded):
    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    text = text_of(make(committee, language="en"))
    assert "standing deputy head" in text.lower()
    assert "Phó Trưởng ban Thường trực" not in text
    assert unicodedata.normalize("NFC", "Nguyễn Văn Được") in text
    assert "Page 1 of" in text


@pytest.mark.django_db
def test_the_support_group_targets_and_lineage_are_in_the_review(seeded):
    committee = Committee.objects.get(slug="bcd-chuyen-doi-so-tphcm")
    report = make(committee)
    snapshot = report.snapshot
    assert {line["name"] for line in snapshot["predecessors"]} == {
        "Ban Chỉ đạo thực hiện Đề án xây dựng TP.HCM trở thành đô thị thông minh",
        "Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố",
    }
    assert snapshot["support_groups"][0]["roster"][0]["person"] == "Lê Quốc Cường"
    assert {line["status"] for line in snapshot["targets"]} == {"overdue"}
    text = text_of(report)
    assert "Lê Quốc Cường" in text
    assert "Tổ giúp việc" in text
    assert "Tỷ lệ người dân có điện thoại thông minh" in text


@pytest.mark.django_db
def test_the_same_snapshot_renders_the_same_text_again(seeded):
    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    report = make(committee)
    first = text_of(report)
    # The registry changes after the report was made; the stored snapshot does not.
    committee.declared_member_count = 40
    committee.save(update_fields=["declared_member_count"])
    from reports.rendering import render_report_html

    again = html_to_pdf(render_report_html(snapshot=report.snapshot, language=report.language))
    reader = pypdf.PdfReader(io.BytesIO(again.content))
    second = unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))
    assert second == first


@pytest.mark.django_db
def test_the_city_overview_lists_committees_people_and_counts(seeded):
    report = make(None)
    snapshot = report.snapshot
    names = {line["name"] for line in snapshot["committees"]}
    assert "Ban Chỉ đạo về dữ liệu TPHCM" in names
    # Dissolved bodies are not active.
    assert "Ban Chỉ đạo xây dựng Chính quyền điện tử thành phố" not in names
    busiest = {line["person"]: line["seats"] for line in snapshot["busiest_people"]}
    assert busiest.get("Lâm Đình Thắng") == 2
    data = next(
        line for line in snapshot["committees"] if line["name"] == "Ban Chỉ đạo về dữ liệu TPHCM"
    )
    assert data["head"] == "Nguyễn Văn Được"
    assert data["declared"] == 32
    assert data["actual"] == 4
    text = text_of(report)
    assert "Lâm Đình Thắng" in text
    assert "Nguyễn Văn Được" in text


def test_the_fetcher_refuses_anything_but_local_static_files_and_data(tmp_path):
    fetcher = LocalOnlyFetcher()
    for url in (
        "http://example.com/x.png",
        "https://example.com/",
        "file:///etc/passwd",
        "ftp://x/y",
    ):
        with pytest.raises(ValueError, match="may"):
            fetcher.fetch(url)
    stylesheet = settings.STATICFILES_DIRS[0] / "reports" / "report.css"
    assert b"DejaVu Sans" in fetcher.fetch(stylesheet.as_uri()).read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_a_remote_image_is_not_fetched_while_rendering():
    fetched = []

    class Recording(LocalOnlyFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    from weasyprint import HTML

    from reports.pdf import allowed_roots

    # The refusal is caught by WeasyPrint like any failed resource: the PDF is made without it.
    HTML(
        string='<img src="http://127.0.0.1:9/secret.png">',
        base_url=allowed_roots()[0].as_uri() + "/",
        url_fetcher=Recording(),
    ).write_pdf()
    assert fetched == ["http://127.0.0.1:9/secret.png"]
    with pytest.raises(ValueError, match="may not fetch"):
        Recording().fetch("http://127.0.0.1:9/secret.png")


@pytest.mark.django_db
def test_the_command_makes_a_report_in_process(seeded, capsys):
    call_command(
        "generate_reports", "--committee", "bcd-du-lieu-tphcm", "--period", "2026-Q4", "--sync"
    )
    report = Report.objects.get(committee__slug="bcd-du-lieu-tphcm", period="2026-Q4")
    assert report.status == Report.Status.READY
    assert "ready: 1" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_refuses_a_bad_period_or_committee(seeded):
    with pytest.raises(CommandError, match="2026-Q4"):
        call_command("generate_reports", "--period", "Q4")
    with pytest.raises(CommandError, match="khong-co"):
        call_command("generate_reports", "--committee", "khong-co")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_pending_ex_officio_changes_have_their_section(seeded):
    from members import selectors as member_selectors

    committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
    report = make(committee)
    expected = list(member_selectors.pending_changes_for(committee))
    assert report.snapshot["pending_ex_officio"] == [
        {
            "post": str(change.position),
            "current": str(change.membership.person),
            "role": change.membership.role,
            "new_holder": str(change.new_holding.person),
            "since": {
                "date": change.new_holding.start_date.isoformat()
                if change.new_holding.start_date
                else None,
                "precision": change.new_holding.start_precision,
            },
        }
        for change in expected
    ]
    from django.utils import translation

    with translation.override("vi"):
        heading = translation.gettext("Pending ex officio changes")
    assert heading != "Pending ex officio changes"
    assert unicodedata.normalize("NFC", heading) in text_of(report)


@pytest.mark.django_db
def test_target_charts_are_drawn_in_vietnamese_too(seeded):
    """SVG geometry must not take the locale's decimal comma ("280,5" is no width at all)."""
    import re

    from reports.rendering import render_report_html

    committee = Committee.objects.get(slug="bcd-chuyen-doi-so-tphcm")
    report = make(committee, language="vi")
    html = render_report_html(snapshot=report.snapshot, language="vi")
    widths = re.findall(r'<rect [^>]*width="([^"]+)"', html)
    assert widths, "each target has its bars"
    assert all(re.fullmatch(r"\d+(\.\d+)?", width) for width in widths), widths
    assert any(float(width) > 0 for width in widths)
    assert "85 %" in text_of(report)
