"""import_roster and export_roster from the shell."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from members.models import Membership
from members.services import membership_end

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "fast_passwords")]


def test_export_then_dry_run_then_import(tmp_path, head_of_a):
    committee = head_of_a.committee
    output = tmp_path / "roster.csv"
    call_command("export_roster", committee.slug, "--format", "csv", "--output", str(output))
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "Phan Văn Mãi" in output.read_text(encoding="utf-8-sig")
    # The same roster comes back unchanged.
    before = Membership.history.count()
    call_command("import_roster", str(output), "--committee", committee.slug)
    assert Membership.history.count() == before
    # Added rows show in a dry run and are written only without it.
    output.write_text(
        output.read_text(encoding="utf-8-sig") + "Lê Minh Hiếu,,member,,,2024,\n",
        encoding="utf-8-sig",
    )
    call_command("import_roster", str(output), "--committee", committee.slug, "--dry-run")
    assert Membership.objects.filter(committee=committee).count() == 1
    call_command("import_roster", str(output), "--committee", committee.slug)
    assert Membership.objects.filter(committee=committee).count() == 2


def test_export_on_a_date_as_xlsx(tmp_path, head_of_a):
    from openpyxl import load_workbook

    membership_end(membership=head_of_a, on=dt.date(2023, 6, 30), reason="x")
    output = tmp_path / "r.xlsx"
    call_command(
        "export_roster", head_of_a.committee.slug, "--as-of", "2023-06-30", "--output", str(output)
    )
    assert load_workbook(output).active["A2"].value == "Phan Văn Mãi"
    call_command(
        "export_roster", head_of_a.committee.slug, "--as-of", "2023-07-01", "--output", str(output)
    )
    assert load_workbook(output).active["A2"].value is None


def test_a_bad_file_fails_with_the_row_errors(tmp_path, committee_a):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Full name,Rank,Role,Post,Home agency,Start date,Decision number\nA,,chief,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_roster", str(bad), "--committee", committee_a.slug)
    with pytest.raises(CommandError, match="No committee"):
        call_command("import_roster", str(bad), "--committee", "khong-co")
    assert not Membership.objects.exists()
