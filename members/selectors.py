"""Reads of rosters: who sat on a committee on a given day, and how that compares to the declared count."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from committees.models import Committee
from members.models import Membership, PendingSeatChange, PositionHolding, Role, open_holdings


def today() -> dt.date:
    return timezone.localdate()


def memberships_active_on(day: dt.date, prefix: str = "") -> Q:
    """The condition for a seat held on a day; a seat whose start is unknown counts (and is marked).

    `prefix` applies it along a relation, e.g. "memberships__" from a committee."""
    return (Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day})) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})
    )


def with_post_left(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Annotate each seat held ex officio with whether its holder still holds the post that
    gives it: `post_left` is true when the registry records the holder's holding of that post
    as ended and no current one; `post_left_on` is the day it ended (None when not known)."""
    holdings = PositionHolding.objects.filter(
        person_id=OuterRef("person_id"), position_id=OuterRef("position_id")
    )
    ended = holdings.filter(Q(end_date__isnull=False) | Q(ended=True))
    return queryset.annotate(
        post_held=Exists(holdings.filter(open_holdings())),
        post_ended=Exists(ended),
        post_left_on=Subquery(ended.order_by("-end_date").values("end_date")[:1]),
    )


def post_left(seat: Membership) -> bool:
    return bool(
        seat.position_id
        and seat.person_id
        and getattr(seat, "post_ended", False)
        and not getattr(seat, "post_held", True)
    )


def _roster_seats(day: dt.date) -> QuerySet[Membership]:
    return with_post_left(
        Membership.objects.filter(memberships_active_on(day))
        .select_related("person", "position__agency", "home_agency", "appointed_by")
        .order_by("role_rank", "person__full_name", "pk")
    )


def roster_queryset(committee: Committee, day: dt.date) -> QuerySet[Membership]:
    return _roster_seats(day).filter(committee=committee)


def mark_roster_entries(entries: list[Membership], day: dt.date) -> list[Membership]:
    """Set `start_uncertain`, `end_uncertain` and `post_left` on seats read by roster_queryset."""
    for entry in entries:
        entry.start_uncertain = entry.start_uncertain_on(day)
        entry.end_uncertain = entry.end_uncertain_on(day)
        entry.post_left = post_left(entry)
    return entries


def roster_on(committee: Committee, day: dt.date | None = None) -> list[Membership]:
    """The roster on a day (today by default), by role rank; each entry carries
    `start_uncertain` (the registry cannot tell that the seat had begun by that day) and
    `end_uncertain` (the seat ends in that day's month or year, so it may already have ended)."""
    day = day or today()
    return mark_roster_entries(list(roster_queryset(committee, day)), day)


def rosters_on(committees: list[Committee], day: dt.date) -> dict[int, list[Membership]]:
    """roster_on for several committees (a body and its support groups) in one query, by
    committee id; each seat comes with its appointing decision and that decision's issuer."""
    rosters: dict[int, list[Membership]] = {committee.pk: [] for committee in committees}
    seats = _roster_seats(day).filter(committee__in=committees)
    for seat in mark_roster_entries(list(seats.select_related("appointed_by__issuer")), day):
        rosters[seat.committee_id].append(seat)
    return rosters


@dataclass(frozen=True)
class MemberCounts:
    """Declared against known seats. Seats known are named (a person), named by their title
    only (the person not known yet) or vacant (the holder left, nobody replaces them yet);
    the gap is what the decision declares beyond the seats known."""

    declared: int | None
    named: int
    title_only: int = 0
    vacant: int = 0

    @property
    def actual(self) -> int:
        return self.named + self.title_only + self.vacant

    @property
    def gap(self) -> int | None:
        """Seats still to record: a work item for the secretariat, not an error."""
        if self.declared is None:
            return None
        return max(self.declared - self.actual, 0)


def seat_kind_counts() -> dict[str, Count]:
    """What makes a seat named (a person), title-only (no person yet) or vacant (no person
    since its holder left): the one definition every count of seats uses."""
    return {
        "named": Count("pk", filter=Q(person__isnull=False)),
        "title_only": Count("pk", filter=Q(person__isnull=True, follows__isnull=True)),
        "vacant": Count("pk", filter=Q(person__isnull=True, follows__isnull=False)),
    }


def seat_counts(queryset: QuerySet[Membership]) -> dict:
    """The named, title-only and vacant seats of a set of seats, in one aggregate."""
    return queryset.aggregate(**seat_kind_counts())


def seat_counts_by_committee(committee_ids, day: dt.date) -> dict[int, MemberCounts]:
    """The seats held on the day on each of these committees (a page of a list), in one query
    that reads those committees' seats only: an annotation on the list would aggregate every
    seat of the registry before paging. Committees without a seat are missing from the result."""
    rows = (
        Membership.objects.filter(memberships_active_on(day), committee_id__in=list(committee_ids))
        .order_by()  # the model's ordering would join committees and people into the GROUP BY
        .values("committee_id")
        .annotate(**seat_kind_counts())
        .values_list("committee_id", "named", "title_only", "vacant")
    )
    return {
        committee_id: MemberCounts(declared=None, named=named, title_only=title, vacant=vacant)
        for committee_id, named, title, vacant in rows
    }


def member_counts(committee: Committee, day: dt.date | None = None) -> MemberCounts:
    day = day or today()
    counts = seat_counts(Membership.objects.filter(memberships_active_on(day), committee=committee))
    return MemberCounts(declared=committee.declared_member_count, **counts)


def seats_to_check(committee: Committee) -> list[Membership]:
    """Current seats held ex officio through a post whose holder has left it: each needs the
    secretariat to replace, end or confirm it."""
    seats = with_post_left(
        Membership.objects.filter(
            committee=committee, end_date__isnull=True, position__isnull=False
        )
        .exclude(person__isnull=True)
        .select_related("person", "position__agency")
        .order_by("role_rank", "pk")
    ).filter(post_held=False, post_ended=True)
    return list(seats)


def seats_without_decision() -> QuerySet[Membership]:
    """Open seats recorded without a decision ("no decision"): the secretariat records the
    decision that gave each of them."""
    return Membership.objects.filter(appointed_by__isnull=True, end_date__isnull=True)


# --- Roster stewardship: pending ex officio changes, the roster-change timeline ----------


def pending_changes_for(committee: Committee) -> QuerySet[PendingSeatChange]:
    """Pending ex officio changes the committee's secretariat still has to confirm or decline."""
    return (
        PendingSeatChange.objects.filter(
            committee=committee, status=PendingSeatChange.Status.PENDING
        )
        .select_related(
            "membership__person",
            "position__agency",
            "new_holding__person",
            "new_holding__appointed_by",
        )
        .order_by("created_at", "pk")
    )


def pending_changes_visible_to(user) -> QuerySet[PendingSeatChange]:
    """Pending changes on the committees whose rosters the user keeps."""
    from committees.permissions import committees_roster_editable_by

    return (
        PendingSeatChange.objects.filter(
            status=PendingSeatChange.Status.PENDING,
            committee__in=committees_roster_editable_by(user),
        )
        .select_related("committee", "membership__person", "position", "new_holding__person")
        .order_by("committee__name", "created_at", "pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One change to a committee's roster: who changed what, when, why, on which decision."""

    when: dt.datetime
    user: str
    action: str  # "appointed", "ended", "changed" or "deleted"
    action_label: str
    person: str
    role: str
    changes: tuple[str, ...]
    reason: str
    decision: str
    membership_id: int


_TRACKED = (
    "person_id",
    "role_title",
    "role",
    "position_id",
    "title_at_appointment",
    "home_agency_id",
    "on_behalf_of_id",
    "appointed_by_id",
    "start_date",
    "start_precision",
    "end_date",
    "end_precision",
    "end_reason",
    "end_note",
    "ended_by_id",
    "source",
    "source_date",
)
_TRACKED_COLUMNS = ("history_id", "id", *(name.removesuffix("_id") for name in _TRACKED))


def roster_timeline(committee: Committee, limit: int | None = 200) -> list[TimelineEntry]:
    """The committee's roster changes, newest first, from the history rows.

    The database returns only the newest `limit` rows (with their people, users and
    decisions), each annotated with the key of the same seat's previous history row; a
    second query reads those previous rows, to say which fields each change touched. Two
    queries whatever the length of the committee's history."""
    from django.utils.translation import gettext as _

    history = Membership.history.model
    previous_row = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    newest = (
        history.objects.filter(committee_id=committee.pk)
        .select_related("history_user", "person", "appointed_by", "ended_by")
        .annotate(previous_history_id=Subquery(previous_row))
        .order_by("-history_date", "-history_id")
    )
    rows = list(newest[:limit] if limit is not None else newest)
    wanted = {row.previous_history_id for row in rows if row.previous_history_id}
    previous = (
        history.objects.filter(history_id__in=wanted).only(*_TRACKED_COLUMNS).in_bulk()
        if wanted
        else {}
    )
    labels = {
        "appointed": _("appointed"),
        "ended": _("ended"),
        "changed": _("changed"),
        "deleted": _("deleted"),
    }
    entries: list[TimelineEntry] = []
    for row in rows:
        before = previous.get(row.previous_history_id)
        changed_fields: tuple[str, ...] = ()
        if row.history_type == "+":
            action, decision = "appointed", row.appointed_by
        elif row.history_type == "-":
            action, decision = "deleted", None
        else:
            changed_fields = tuple(
                name
                for name in _TRACKED
                if before is not None and getattr(before, name) != getattr(row, name)
            )
            ended_now = row.end_date is not None and (before is None or before.end_date is None)
            action = "ended" if ended_now else "changed"
            decision = row.ended_by if ended_now else row.appointed_by
        if action == "changed" and before is not None and not changed_fields:
            continue  # a save that changed nothing on the roster
        field_labels = tuple(
            str(Membership._meta.get_field(name.removesuffix("_id")).verbose_name)
            for name in changed_fields
        )
        entries.append(
            TimelineEntry(
                when=row.history_date,
                user=(row.history_user.get_username() if row.history_user else _("system")),
                action=action,
                action_label=str(labels[action]),
                person=str(row.person)
                if row.person_id
                else (_("vacant") if row.follows_id else _("name not known"))
                + (f" ({row.title_at_appointment})" if row.title_at_appointment else ""),
                role=str(Role(row.role).label) if row.role in Role.values else row.role,
                changes=field_labels,
                reason=row.history_change_reason or "",
                decision=str(decision) if decision else "",
                membership_id=row.id,
            )
        )
    return entries


@dataclass(frozen=True)
class RosterChanges:
    appointed: list[Membership]
    ended: list[Membership]


def roster_changes_between(committee: Committee, start: dt.date, end: dt.date) -> RosterChanges:
    """Seats that began or ended within [start, end] (for review reports)."""
    base = Membership.objects.filter(committee=committee).select_related(
        "person", "appointed_by", "ended_by", "position"
    )
    appointed = list(
        base.filter(start_date__gte=start, start_date__lte=end).order_by("start_date", "pk")
    )
    ended = list(base.filter(end_date__gte=start, end_date__lte=end).order_by("end_date", "pk"))
    return RosterChanges(appointed=appointed, ended=ended)
