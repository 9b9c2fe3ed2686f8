"""load_seeds: every committee, person, post and count the articles state, and idempotency."""

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from committees.models import Agency, Committee, LegalInstrument, Succession
from demo.seeding import SEED_FILE
from mandates.models import Mandate, Target
from members.models import Membership, Person, Position, PositionHolding, Role, open_holdings
from members.selectors import member_counts

MODELS = (
    Agency,
    LegalInstrument,
    Committee,
    Succession,
    Person,
    Position,
    PositionHolding,
    Membership,
    Mandate,
    Target,
)
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def seat(committee_slug: str, person_slug: str) -> Membership:
    return Membership.objects.select_related("position__agency", "committee").get(
        committee__slug=committee_slug, person__slug=person_slug
    )


@pytest.mark.django_db
class TestLoadSeeds:
    def test_it_loads_the_data_committee(self, seeded):
        committee = Committee.objects.get(slug="bcd-du-lieu-tphcm")
        assert committee.name == "Ban Chỉ đạo về dữ liệu TPHCM"
        assert committee.declared_member_count == 32
        assert committee.standing_agency.slug == "cong-an-tphcm"
        roles = {m.person.full_name: m.role for m in committee.memberships.select_related("person")}
        assert roles == {
            "Nguyễn Văn Được": Role.HEAD,
            "Nguyễn Mạnh Cường": Role.STANDING_DEPUTY_HEAD,
            "Lâm Đình Thắng": Role.DEPUTY_HEAD,
            "Nguyễn Đình Dương": Role.DEPUTY_HEAD,
        }
        assert Person.objects.get(slug="nguyen-dinh-duong").rank == "Đại tá"
        assert (
            seat("bcd-du-lieu-tphcm", "nguyen-van-duoc").position.title == "Chủ tịch UBND Thành phố"
        )
        assert (
            seat("bcd-du-lieu-tphcm", "nguyen-dinh-duong").position.title
            == "Phó Giám đốc Công an Thành phố"
        )
        counts = member_counts(committee)
        assert (counts.declared, counts.actual, counts.gap) == (32, 4, 28)
        assert committee.mandates.count() == 4
        basis = {i.number or i.title for m in committee.mandates.all() for i in m.legal_basis.all()}
        assert basis == {"57-NQ/TW", "Luật Dữ liệu"}

    def test_it_loads_the_digital_transformation_committee(self, seeded):
        committee = Committee.objects.select_related("established_by").get(
            slug="bcd-chuyen-doi-so-tphcm"
        )
        assert committee.declared_member_count == 23
        assert committee.established_by.number == "944"
        assert committee.established_by.signed_on.year == 2022
        assert committee.established_by.signed_precision == "year"
        roles = {m.person.full_name: m.role for m in committee.memberships.select_related("person")}
        assert roles == {
            "Phan Văn Mãi": Role.HEAD,
            "Dương Anh Đức": Role.STANDING_DEPUTY_HEAD,
            "Lê Hồng Nam": Role.DEPUTY_HEAD,
            "Lâm Đình Thắng": Role.DEPUTY_HEAD,
        }
        predecessors = set(committee.successions_in.values_list("predecessor__slug", "kind"))
        assert predecessors == {
            ("bcd-do-thi-thong-minh-tphcm", "merged_into"),
            ("bcd-chinh-quyen-dien-tu-tphcm", "merged_into"),
        }
        targets = {t.indicator: (t.target_value, t.deadline.year) for t in committee.targets.all()}
        assert len(targets) == 4
        assert sorted(int(v) for v, _ in targets.values()) == [10, 15, 70, 85]
        assert {year for _, year in targets.values()} == {2022}

    def test_it_loads_the_support_group(self, seeded):
        group = Committee.objects.get(slug="to-giup-viec-bcd-chuyen-doi-so-tphcm")
        assert group.kind == Committee.Kind.SUPPORT_GROUP
        assert group.parent.slug == "bcd-chuyen-doi-so-tphcm"
        assert group.declared_member_count == 23
        roles = {m.person.full_name: m.role for m in group.memberships.select_related("person")}
        assert roles == {
            "Lê Quốc Cường": Role.GROUP_LEADER,
            "Võ Thị Trung Trinh": Role.DEPUTY_GROUP_LEADER,
            "Lê Minh Hiếu": Role.DEPUTY_GROUP_LEADER,
        }

    def test_it_loads_the_science_committee_and_national_lineage(self, seeded):
        sti = Committee.objects.get(slug="bcd-khcn-dmst-cds-tphcm")
        thong = seat("bcd-khcn-dmst-cds-tphcm", "dang-minh-thong")
        assert thong.role == Role.STANDING_DEPUTY_HEAD
        assert thong.position.title == "Phó Bí thư Thành ủy"
        assert thong.start_date is None  # the article gives no start: never invent one
        assert {int(t.target_value) for t in sti.targets.all()} == {12, 10}
        renamed = Succession.objects.select_related("instrument").get(
            predecessor__slug="uy-ban-quoc-gia-chinh-phu-dien-tu"
        )
        assert renamed.kind == Succession.Kind.RENAMED_TO
        assert renamed.successor.slug == "uy-ban-quoc-gia-chuyen-doi-so"
        assert renamed.instrument.number == "1619"
        assert renamed.date.isoformat() == "2021-09-24"

    def test_the_two_heads_head_different_committees(self, seeded):
        heads = dict(
            Membership.objects.filter(role=Role.HEAD).values_list(
                "person__full_name", "committee__slug"
            )
        )
        assert heads["Phan Văn Mãi"] != heads["Nguyễn Văn Được"]

    def test_no_single_holder_post_has_two_open_holdings(self, seeded):
        open_by_post = Counter(
            PositionHolding.objects.filter(
                open_holdings(), position__single_holder=True
            ).values_list("position__title", flat=True)
        )
        assert open_by_post, "the seeds hold single-holder posts"
        assert max(open_by_post.values()) == 1
        chairmen = PositionHolding.objects.filter(position__title="Chủ tịch UBND Thành phố")
        assert {(h.person.full_name, h.is_active, h.end_date) for h in chairmen} == {
            ("Phan Văn Mãi", False, None),  # ended; no article says when
            ("Nguyễn Văn Được", True, None),
        }

    def test_lam_dinh_thang_holds_the_science_post_now_and_held_the_other_before(self, seeded):
        current = PositionHolding.objects.filter(open_holdings(), person__slug="lam-dinh-thang")
        assert list(current.values_list("position__title", flat=True)) == [
            "Giám đốc Sở Khoa học và Công nghệ"
        ]
        former = PositionHolding.objects.get(
            person__slug="lam-dinh-thang", position__title="Giám đốc Sở Thông tin và Truyền thông"
        )
        assert (former.ended, former.end_date) == (True, None)

    def test_it_invents_no_date_and_no_source_instrument(self, seeded):
        plan = LegalInstrument.objects.get(title__startswith="Kế hoạch triển khai Chương trình")
        assert plan.signed_on is None  # the article gives the plan's year, not its signing
        growth_2026 = Target.objects.get(indicator="Tăng trưởng kinh tế năm 2026")
        assert growth_2026.source_instrument is None  # "TP đặt mục tiêu", not the resolution
        scheme = LegalInstrument.objects.select_related("issuer").get(kind="scheme", number="06")
        assert (scheme.issuer.slug, scheme.source) == (
            "thu-tuong-chinh-phu",
            "001_3477c4dc97e2d7e3.txt",
        )

    def test_a_dissolution_known_to_the_year_is_stored_as_its_last_day(self, seeded):
        merged = Committee.objects.get(slug="bcd-do-thi-thong-minh-tphcm")
        assert (merged.dissolved_on, merged.dissolved_display()) == (
            dt.date(2022, 12, 31),
            "2022",
        )

    def test_lam_dinh_thang_holds_two_posts_and_each_seat_points_to_its_post(self, seeded):
        posts = set(
            PositionHolding.objects.filter(person__slug="lam-dinh-thang").values_list(
                "position__title", flat=True
            )
        )
        assert posts == {
            "Giám đốc Sở Thông tin và Truyền thông",
            "Giám đốc Sở Khoa học và Công nghệ",
        }
        assert (
            seat("bcd-chuyen-doi-so-tphcm", "lam-dinh-thang").position.agency.short_name
            == "Sở TT&TT"
        )
        assert seat("bcd-du-lieu-tphcm", "lam-dinh-thang").position.agency.short_name == "Sở KH&CN"

    def test_city_wide_targets_of_the_1012_plan(self, seeded):
        city = Target.objects.filter(committee__isnull=True).select_related(
            "source_instrument", "responsible_agency"
        )
        assert {(int(t.target_value), t.deadline.year) for t in city} == {
            (50, 2025),
            (100, 2030),
            (100, 2025),
        }
        assert {t.responsible_agency.slug for t in city} == {"ubnd-tphcm"}

    def test_every_record_cites_an_article(self, seeded):
        names = set(json.loads(SEED_FILE.read_text(encoding="utf-8"))["sources"])
        for model in (
            Agency,
            LegalInstrument,
            Committee,
            Person,
            Position,
            PositionHolding,
            Membership,
            Mandate,
            Target,
            Succession,
        ):
            sources = set(model.objects.values_list("source", flat=True))
            assert sources <= names, model
            assert "" not in sources

    def test_running_it_twice_changes_no_count_and_writes_no_history(self, seeded):
        before = {m: (m.objects.count(), m.history.count()) for m in MODELS}
        call_command("load_seeds", stdout=open("/dev/null", "w"))  # noqa: SIM115
        after = {m: (m.objects.count(), m.history.count()) for m in MODELS}
        assert before == after

    def test_names_survive_with_their_diacritics(self, seeded):
        assert set(Person.objects.values_list("full_name", flat=True)) >= {
            "Nguyễn Văn Được",
            "Võ Thị Trung Trinh",
            "Đặng Minh Thông",
            "Lê Minh Hiếu",
        }


@pytest.mark.skipif(not SEEDS_DIR.exists(), reason="the shared articles are not on this machine")
@pytest.mark.django_db
def test_every_named_person_appears_in_the_article_cited(seeded):
    """When the articles are at hand (CI has them), each person's name is in their cited article."""
    for person in Person.objects.all():
        text = (SEEDS_DIR / person.source).read_text(encoding="utf-8")
        assert person.full_name in text, person
