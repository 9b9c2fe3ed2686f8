"""Shared set-ups of the portal tests: a roster change on the data steering committee."""

import datetime as dt

from committees.models import Committee, LegalInstrument
from committees.text import fold
from members.models import Membership, Person, Role
from members.services import membership_appoint, membership_end
from records.writes import save_validated

DATA_COMMITTEE = "bcd-du-lieu-tphcm"
CHANGE_DAY = dt.date(2025, 7, 1)
BEFORE_CHANGE = dt.date(2025, 6, 1)
NEW_DEPUTY = "Trần Thị Thu Hà"
OLD_DEPUTY = "Nguyễn Mạnh Cường"


def change_standing_deputy() -> tuple[Membership, Membership]:
    """End Nguyễn Mạnh Cường's seat on 30/06/2025 and seat a new standing deputy head from
    01/07/2025, both on one decision (through the roster services)."""
    committee = Committee.objects.get(slug=DATA_COMMITTEE)
    decision = save_validated(
        LegalInstrument(
            kind=LegalInstrument.Kind.DECISION,
            number="2101/QĐ-UBND",
            title="Quyết định kiện toàn Ban Chỉ đạo về dữ liệu",
            signed_on=dt.date(2025, 6, 28),
            search_key=fold("2101/QĐ-UBND"),
        ),
        reason="test",
    )
    old = Membership.objects.get(
        committee=committee, role=Role.STANDING_DEPUTY_HEAD, end_date__isnull=True
    )
    ended = membership_end(
        membership=old,
        on=CHANGE_DAY - dt.timedelta(days=1),
        reason="Điều động công tác khác",
        end_reason=Membership.EndReason.REPLACED,
        decision=decision,
    )
    person = save_validated(Person(full_name=NEW_DEPUTY, slug="tran-thi-thu-ha"), reason="test")
    new = membership_appoint(
        committee=committee,
        person=person,
        role=Role.STANDING_DEPUTY_HEAD,
        start=CHANGE_DAY,
        title="Phó Chủ tịch UBND Thành phố",
        decision=decision,
        reason="Kiện toàn Ban Chỉ đạo",
    )
    return ended, new
