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


def test_a_rename_records_the_lineage_and_the_names_and_the_roster_continues(body, groups):
    """Renaming is a step of lineage like a merge: the body under its old name ends the day
    before, the renamed body succeeds it ("renamed to", citing the decision) and keeps the
    old name with its dates; the seats continue; the secretariat keeps its body."""
    from committees import permissions
    from tests.factories import SupportGroupFactory, UserFactory

    committee, old_seat = body
    committee.founded_on = dt.date(2020, 5, 1)
    committee.save()
    group = SupportGroupFactory(parent=committee)
    clerk = UserFactory()
    permissions.grant_secretariat(clerk, committee)
    report = record_decision(
        DecisionInput(
            number="40/QĐ-UBND",
            title="Đổi tên Ban Chỉ đạo A",
            signed=When(dt.date(2026, 11, 1)),
            committee=committee,
            rename_to="Ban Chỉ đạo chuyển đổi số",
            appoint=parse_appendix("Ngô Bảo Châu;Phó Trưởng ban;;\nLê Thu Hà;Ủy viên;;"),
        ),
        by=clerk,
    )
    decision = LegalInstrument.objects.get(number="40/QĐ-UBND")
    step = Succession.objects.get(predecessor=committee)
    renamed = step.successor
    assert (step.kind, step.instrument, step.date) == (
        Succession.Kind.RENAMED_TO,
        decision,
        dt.date(2026, 11, 1),
    )
    assert report.committee_slug == renamed.slug
    assert renamed.name == "Ban Chỉ đạo chuyển đổi số"
    assert renamed.other_names == [
        {
            "name": "Ban Chỉ đạo A",
            "start_date": "2020-05-01",
            "end_date": "2026-10-31",
            "note": str(decision),
        }
    ]
    assert (renamed.founded_on, renamed.established_by) == (dt.date(2026, 11, 1), decision)
    committee.refresh_from_db()
    assert committee.dissolved_on == dt.date(2026, 10, 31)
    assert committee.name == "Ban Chỉ đạo A"  # the record of the old name is kept
    # The member seated before changes role on the renamed body, the same person.
    old_seat.refresh_from_db()
    assert (old_seat.end_date, old_seat.end_reason, old_seat.ended_by) == (
        dt.date(2026, 10, 31),
        Membership.EndReason.ROLE_CHANGED,
        decision,
    )
    seats = {m.person.full_name: m for m in renamed.memberships.all()}
    assert set(seats) == {"Ngô Bảo Châu", "Lê Thu Hà"}
    assert seats["Ngô Bảo Châu"].person_id == old_seat.person_id
    assert seats["Ngô Bảo Châu"].role == Role.DEPUTY_HEAD
    assert all(m.appointed_by == decision for m in seats.values())
    assert all(m.start_date == dt.date(2026, 11, 1) for m in seats.values())
    assert not committee.memberships.filter(end_date__isnull=True).exists()
    group.refresh_from_db()
    assert group.parent == renamed
    assert permissions.can_manage_roster(clerk, renamed)


def test_a_rename_carries_every_open_seat_citing_the_decision(body):
    committee, old_seat = body
    unnamed = membership_appoint(
        committee=committee,
        person=None,
        title="Thứ trưởng Bộ Tư pháp",
        start=dt.date(2022, 1, 1),
        reason="Thành lập",
    )
    record_decision(
        DecisionInput(
            title="Đổi tên",
            effective=When(dt.date(2026, 4, 1), Precision.QUARTER),
            committee=committee,
            rename_to="Ban Chỉ đạo B mới",
        ),
        by=None,
    )
    renamed = Succession.objects.get(predecessor=committee).successor
    for seat in (old_seat, unnamed):
        seat.refresh_from_db()
        assert seat.end_reason == Membership.EndReason.COMMITTEE_DISSOLVED
        assert seat.end_date == dt.date(2026, 3, 31)
    carried = renamed.memberships.order_by("role_rank", "pk")
    assert [(m.person_id, m.title_at_appointment) for m in carried] == [
        (old_seat.person_id, ""),
        (None, "Thứ trưởng Bộ Tư pháp"),
    ]
    assert {(m.start_date, m.start_precision) for m in carried} == {
        (dt.date(2026, 4, 1), Precision.QUARTER)
    }
    assert renamed.other_names[-1]["end_date"] == "2026"  # Popolo has no quarters


def test_a_rename_is_not_a_merge_too(body):
    committee, _old = body
    with pytest.raises(PackageInvalid):
        record_decision(
            DecisionInput(
                title="Đổi tên",
                committee=committee,
                rename_to="Tên mới",
                merge_into=CommitteeFactory(),
            ),
            by=None,
        )
    assert not Succession.objects.exists()


def test_a_merge_ends_the_body_through_the_one_lineage_service(body):
    """The decision form ends a body as the dissolve page does: every open seat (the
    appendix's new ones too) ends that day citing the decision and saying why, the step of
    lineage cites the decision, and a body already ended is refused, writing nothing."""
    committee, old = body
    other = CommitteeFactory(name="Ban Chỉ đạo hợp nhất")
    report = record_decision(
        DecisionInput(
            number="30/QĐ-UBND",
            title="Hợp nhất",
            committee=committee,
            merge_into=other,
            appoint=parse_appendix("Họ tên;Chức danh\nPhan Văn Tú;Ủy viên\n"),
            signed=When(dt.date(2026, 3, 15)),
        ),
        by=None,
    )
    decision = LegalInstrument.objects.get(number="30/QĐ-UBND")
    assert "Ngô Bảo Châu" in report.ended
    old.refresh_from_db()
    assert (old.end_date, old.ended_by) == (dt.date(2026, 3, 15), decision)
    assert "Ban Chỉ đạo hợp nhất" in old.end_note
    assert not committee.memberships.filter(end_date__isnull=True).exists()
    step = Succession.objects.get(predecessor=committee)
    assert (step.successor, step.kind, step.instrument) == (
        other,
        Succession.Kind.MERGED_INTO,
        decision,
    )
    decisions = LegalInstrument.objects.count()
    with pytest.raises(PackageInvalid) as caught:
        record_decision(
            DecisionInput(title="Giải thể", committee=committee, dissolve=True), by=None
        )
    assert any("already dissolved" in p or "đã giải thể" in p for p in caught.value.problems)
    assert LegalInstrument.objects.count() == decisions
