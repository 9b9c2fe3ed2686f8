"""Reads of rosters: who sat on a committee on a given day, and how that compares to the declared count."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from committees.models import Committee
from members.models import Membership


def today() -> dt.date:
    return timezone.localdate()


def memberships_active_on(day: dt.date) -> Q:
    """The condition for a seat held on a day; a seat whose start is unknown counts (and is marked)."""
    return (Q(start_date__isnull=True) | Q(start_date__lte=day)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


def roster_queryset(committee: Committee, day: dt.date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(memberships_active_on(day), committee=committee)
        .select_related("person", "position__agency", "home_agency", "appointed_by")
        .order_by("role_rank", "person__full_name", "pk")
    )


def roster_on(committee: Committee, day: dt.date | None = None) -> list[Membership]:
    """The roster on a day (today by default), by role rank; each entry carries
    `start_uncertain`: the registry cannot tell that the seat had begun by that day."""
    day = day or today()
    entries = list(roster_queryset(committee, day))
    for entry in entries:
        entry.start_uncertain = entry.start_uncertain_on(day)
    return entries


@dataclass(frozen=True)
class MemberCounts:
    declared: int | None
    actual: int

    @property
    def gap(self) -> int | None:
        """Names still to record: a work item for the secretariat, not an error."""
        if self.declared is None:
            return None
        return max(self.declared - self.actual, 0)


def member_counts(committee: Committee, day: dt.date | None = None) -> MemberCounts:
    day = day or today()
    actual = Membership.objects.filter(memberships_active_on(day), committee=committee).count()
    return MemberCounts(declared=committee.declared_member_count, actual=actual)
