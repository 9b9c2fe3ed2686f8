"""The decision form: a decision with its effects, previewed, then applied at once, citing it."""

import datetime as dt
import io

import pytest

from committees.models import DeclaredCount, LegalInstrument, Succession
from committees.partial_dates import Precision
from members.models import Membership, Person, Role
from members.services import membership_appoint
from packages.decisions import DecisionInput, parse_appendix, record_decision
from packages.schema import PackageInvalid, When
from tests.factories import CommitteeFactory, InstrumentFactory, PersonFactory

pytestmark = pytest.mark.django_db

RECORD = "/admin/committees/legalinstrument/record/"
APPENDIX = "Họ tên;Chức danh;Chức vụ;Cơ quan\nTrần Minh Khoa;Trưởng ban;Chủ tịch UBND;UBND TP.HCM\nLê Thu Hà;Ủy viên;Phó Giám đốc Sở TT&TT;Sở TT&TT\n"


@pytest.fixture
def body(committee_a):
    old = membership_appoint(
        committee=committee_a,
        person=PersonFactory(full_name="Ngô Bảo Châu"),
        role=Role.MEMBER,
        start=dt.date(2022, 1, 1),
        reason="Thành lập",
    )
    return committee_a, old


def test_it_applies_a_decision_with_its_appendix_at_once_citing_it(body):
    committee, old = body
    report = record_decision(
        DecisionInput(
            number="12/QĐ-UBND",
            issuer="UBND TP.HCM",
            title="Kiện toàn Ban Chỉ đạo A",
            signed=When(dt.date(2026, 11, 1)),
            committee=committee,
            declared_count=25,
            appoint=parse_appendix(APPENDIX),
            end=parse_appendix("Ngô Bảo Châu"),
        ),
        by=None,
    )
    decision = LegalInstrument.objects.get(number="12/QĐ-UBND")
    assert report.appointed
    assert report.ended == ["Ngô Bảo Châu"]
    new = committee.memberships.filter(end_date__isnull=True)
    assert sorted(m.person.full_name for m in new) == ["Lê Thu Hà", "Trần Minh Khoa"]
    assert all(m.appointed_by == decision for m in new)
    assert all(m.start_date == dt.date(2026, 11, 1) for m in new)
    old.refresh_from_db()
    assert old.ended_by == decision
    assert old.end_date == dt.date(2026, 10, 31)
    count = DeclaredCount.objects.get(committee=committee)
    assert (count.count, count.decision) == (25, decision)
    committee.refresh_from_db()
    assert committee.declared_member_count == 25


def test_it_previews_without_writing(body):
    committee, _old = body
    before = (
        LegalInstrument.objects.count(),
        Membership.objects.count(),
        Membership.history.count(),
    )
    report = record_decision(
        DecisionInput(title="Kiện toàn", committee=committee, appoint=parse_appendix(APPENDIX)),
        by=None,
        dry_run=True,
    )
    assert len(report.appointed) == 2
    assert before == (
        LegalInstrument.objects.count(),
        Membership.objects.count(),
        Membership.history.count(),
    )


def test_it_writes_nothing_when_one_effect_fails(body):
    committee, _old = body
    before = (LegalInstrument.objects.count(), Membership.objects.count())
    with pytest.raises(PackageInvalid) as caught:
        record_decision(
            DecisionInput(
                title="Kiện toàn",
                committee=committee,
                appoint=parse_appendix(APPENDIX),
                end=parse_appendix("Người Không Có"),
            ),
            by=None,
        )
    assert any("Người Không Có" in p for p in caught.value.problems)
    assert before == (LegalInstrument.objects.count(), Membership.objects.count())


def test_it_merges_and_dissolves_bodies(body):
    committee, old = body
    other = CommitteeFactory(name="Ban Chỉ đạo mới")
    record_decision(
        DecisionInput(
            title="Hợp nhất",
            committee=committee,
            merge_into=other,
            effective=When(dt.date(2026, 1, 1), Precision.MONTH),
        ),
        by=None,
    )
    committee.refresh_from_db()
    old.refresh_from_db()
    assert committee.dissolved_on == dt.date(2026, 1, 31)
    assert old.end_reason == Membership.EndReason.COMMITTEE_DISSOLVED
    assert Succession.objects.get(predecessor=committee).successor == other


def test_it_records_a_decision_in_the_admin_with_preview_and_links(
    client, superuser, body, settings, tmp_path
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    committee, _old = body
    earlier = InstrumentFactory(number="944/QĐ-UBND")
    client.force_login(superuser)
    scan = io.BytesIO(b"%PDF-1.4 scan")
    scan.name = "qd-15.pdf"
    data = {
        "kind": "decision",
        "number": "15/QĐ-UBND",
        "issuer": "UBND TP.HCM",
        "signed": "01/11/2026",
        "title": "Sửa đổi Quyết định 944",
        "committee": committee.pk,
        "amends": "944/QĐ-UBND",
        "appoint_text": APPENDIX,
        "declared_count": "30",
    }
    response = client.post(RECORD, {**data, "scan": scan, "preview": "1"})
    assert response.status_code == 200
    assert "Trần Minh Khoa" in response.content.decode()
    assert not LegalInstrument.objects.filter(number="15/QĐ-UBND").exists()
    token = response.context["token"]
    response = client.post(RECORD, {**data, "token": token, "confirm": "1"})
    assert response.status_code == 302
    decision = LegalInstrument.objects.get(number="15/QĐ-UBND")
    assert list(decision.amends.all()) == [earlier]
    assert decision.signed_on == dt.date(2026, 11, 1)
    page = client.get(earlier.get_absolute_url()).content.decode()
    assert decision.get_absolute_url() in page
    assert decision.scan.name.startswith("decisions/")
    assert (tmp_path / decision.scan.name).read_bytes() == b"%PDF-1.4 scan"
    assert client.get(f"/decisions/{decision.pk}/scan/").status_code == 200
    client.logout()
    assert client.get(f"/decisions/{decision.pk}/scan/").status_code == 302


def test_it_lists_seats_without_a_decision_for_their_secretariat(
    client, body, secretariat_a, secretariat_b
):
    client.force_login(secretariat_a)
    page = client.get("/admin/committees/legalinstrument/no-decision/").content.decode()
    assert "Ngô Bảo Châu" in page
    client.force_login(secretariat_b)
    page = client.get("/admin/committees/legalinstrument/no-decision/").content.decode()
    assert "Ngô Bảo Châu" not in page


def test_an_appointment_of_someone_seated_in_another_role_changes_their_role(body):
    """The appendix names Ngô Bảo Châu, a member of this body, as deputy head: the same
    person changes role (no namesake), the old seat ends the day before, both cite it."""
    committee, old = body
    people = Person.objects.count()
    report = record_decision(
        DecisionInput(
            number="20/QĐ-UBND",
            title="Phân công Phó Trưởng ban",
            signed=When(dt.date(2026, 11, 1)),
            committee=committee,
            appoint=parse_appendix("Ngô Bảo Châu;Phó Trưởng ban;;"),
        ),
        by=None,
    )
    decision = LegalInstrument.objects.get(number="20/QĐ-UBND")
    assert Person.objects.count() == people
    assert report.ended == ["Ngô Bảo Châu"]
    old.refresh_from_db()
    assert (old.end_date, old.end_reason, old.ended_by) == (
        dt.date(2026, 10, 31),
        Membership.EndReason.ROLE_CHANGED,
        decision,
    )
    new = committee.memberships.get(end_date__isnull=True)
    assert (new.person_id, new.role, new.start_date, new.appointed_by) == (
        old.person_id,
        Role.DEPUTY_HEAD,
        dt.date(2026, 11, 1),
        decision,
    )
    assert "20/QĐ-UBND" in old.history.first().history_change_reason


def test_two_namesakes_on_the_body_are_not_guessed_into_a_role_change(body):
    committee, _old = body
    membership_appoint(
        committee=committee,
        person=PersonFactory(full_name="Ngô Bảo Châu"),
        role=Role.MEMBER,
        title="Viện trưởng",
        start=dt.date(2022, 1, 1),
        reason="Thành lập",
    )
    people = Person.objects.count()
    record_decision(
        DecisionInput(
            title="Bổ sung",
            signed=When(dt.date(2026, 11, 1)),
            committee=committee,
            appoint=parse_appendix("Ngô Bảo Châu;Phó Trưởng ban;;"),
        ),
        by=None,
    )
    assert Person.objects.count() == people + 1
    assert committee.memberships.filter(end_date__isnull=True).count() == 3
