"""The roster rules, once: roles and their printed titles, the roles one person holds at a time,
the term-clash rule and no seat outside the body's life.

Plain functions over plain values, so every path that writes a seat — the admin, the
spreadsheet and Popolo imports, the committee package, the seeders — asks the same rule in
the same words (through members.roster_writer), and the database constraints are built from
the same sets (SINGLE_SEAT_ROLES).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.text import fold


class Role(models.TextChoices):
    HEAD = "head", gettext_lazy("head")
    STANDING_DEPUTY_HEAD = "standing_deputy_head", gettext_lazy("standing deputy head")
    DEPUTY_HEAD = "deputy_head", gettext_lazy("deputy head")
    GROUP_LEADER = "group_leader", gettext_lazy("group leader")
    DEPUTY_GROUP_LEADER = "deputy_group_leader", gettext_lazy("deputy group leader")
    STANDING_MEMBER = "standing_member", gettext_lazy("standing member")
    SUBCOMMITTEE_HEAD = "subcommittee_head", gettext_lazy("head of a sub-committee")
    MEMBER = "member", gettext_lazy("member")
    SECRETARY = "secretary", gettext_lazy("secretary")


ROLE_RANK: dict[str, int] = {
    Role.HEAD: 10,
    Role.GROUP_LEADER: 10,
    Role.STANDING_DEPUTY_HEAD: 20,
    Role.DEPUTY_HEAD: 30,
    Role.DEPUTY_GROUP_LEADER: 30,
    Role.STANDING_MEMBER: 40,
    Role.SUBCOMMITTEE_HEAD: 45,
    Role.MEMBER: 50,
    Role.SECRETARY: 60,
}

# Roles that at most one seat holds on a body on any day. The partial unique constraint and
# the PostgreSQL exclusion constraint on members_membership are built from this set.
SINGLE_SEAT_ROLES: frozenset[str] = frozenset(
    {Role.HEAD, Role.STANDING_DEPUTY_HEAD, Role.GROUP_LEADER}
)

# Printed role titles, folded (no diacritics, lower case), as decisions and files write them.
# "Chủ tịch" of a national committee ranks as its head; the printed words are kept on the
# seat (Membership.role_title) and shown as printed.
ROLE_TITLES: dict[str, tuple[str, ...]] = {
    Role.HEAD: (
        "truong ban", "truong ban chi dao", "chu tich", "chu nhiem", "head", "chair",
        "chairman", "chairperson", "chairwoman", "president",
    ),
    Role.STANDING_DEPUTY_HEAD: (
        "pho truong ban thuong truc", "pho chu tich thuong truc", "pho chu nhiem thuong truc",
        "standing deputy head", "standing vice chair", "standing vice chairman",
        "permanent vice chair", "first vice chair",
    ),
    Role.DEPUTY_HEAD: (
        "pho truong ban", "pho chu tich", "pho chu nhiem", "deputy head", "vice chair",
        "vice chairman", "vice chairperson", "vice president", "deputy chair",
    ),
    Role.GROUP_LEADER: ("to truong", "nhom truong", "group leader", "team leader"),
    Role.DEPUTY_GROUP_LEADER: (
        "to pho", "nhom pho", "deputy group leader", "deputy team leader",
    ),
    Role.STANDING_MEMBER: (
        "uy vien thuong truc", "thanh vien thuong truc", "standing member", "permanent member",
    ),
    Role.SUBCOMMITTEE_HEAD: (
        "truong tieu ban", "head of sub-committee", "head of subcommittee",
        "sub-committee head", "subcommittee head",
    ),
    Role.MEMBER: ("uy vien", "thanh vien", "member", "members"),
    Role.SECRETARY: ("thu ky", "uy vien kiem thu ky", "secretary"),
}  # fmt: skip

_TITLE_TO_ROLE: dict[str, str] = {
    alias: str(role) for role, aliases in ROLE_TITLES.items() for alias in aliases
}
_BY_LENGTH = sorted(_TITLE_TO_ROLE, key=len, reverse=True)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION = re.compile("[,;:.\\-\u2013\u2014]+")


def role_from_title(text: str) -> str | None:
    """The role a printed title names: "Phó Trưởng ban Thường trực" → standing deputy head,
    "Chair" → head, "Member (representative)" → member, "Tổ phó" → deputy group leader.

    Also reads the role's own code ("deputy_head") and its label in either language. The
    longest printed title the text begins with wins, so "Phó Trưởng ban Thường trực Ban Chỉ
    đạo …" is a standing deputy head, not a deputy head. None when nothing fits."""
    folded = fold(_PUNCTUATION.sub(" ", _BRACKETS.sub(" ", text or ""))).strip()
    if not folded:
        return None
    if folded.replace(" ", "_") in Role.values:
        return folded.replace(" ", "_")
    for role in Role:
        if folded == fold(str(role.label)):
            return str(role)
    if folded in _TITLE_TO_ROLE:
        return _TITLE_TO_ROLE[folded]
    for alias in _BY_LENGTH:
        if folded.startswith(alias + " "):
            return _TITLE_TO_ROLE[alias]
    return None


def role_rank(role: str) -> int:
    return ROLE_RANK.get(role, ROLE_RANK[Role.MEMBER])


def unknown_role_message(text: str) -> str:
    return _("unknown role “%(role)s” (expected one of: %(roles)s).") % {
        "role": text,
        "roles": ", ".join(str(role.label) for role in Role),
    }


# --- Terms: the clash rule -----------------------------------------------------------------


def terms_overlap(
    start: dt.date | None,
    end: dt.date | None,
    other_start: dt.date | None,
    other_end: dt.date | None,
) -> bool:
    """Whether two terms share a day. An unknown start may be any day before the end, so it
    meets every term that has not ended by then; an open end runs on."""
    return (start is None or other_end is None or start <= other_end) and (
        other_start is None or end is None or other_start <= end
    )


@dataclass
class Term:
    """A seat as the clash rule sees it: on which body, whose (None: a seat named by its title),
    in which role, from when to when; `holder` and `where` say it in messages."""

    committee: int
    person: object | None
    role: str
    start: dt.date | None
    end: dt.date | None
    holder: str
    where: str = ""
    key: object = None  # the seat's primary key, for a seat already recorded


class TermIndex:
    """Every term of the bodies a change touches, indexed by person and by single-holder role,
    so checking a large file stays linear."""

    def __init__(self) -> None:
        self._by_person: dict[tuple[int, object], list[Term]] = defaultdict(list)
        self._by_role: dict[tuple[int, str], list[Term]] = defaultdict(list)

    def add(self, term: Term) -> None:
        if term.person is not None:
            self._by_person[(term.committee, term.person)].append(term)
        if term.role in SINGLE_SEAT_ROLES:
            self._by_role[(term.committee, term.role)].append(term)

    def remove(self, key: object) -> None:
        for index in (self._by_person, self._by_role):
            for terms in index.values():
                terms[:] = [term for term in terms if term.key is None or term.key != key]

    def clash(self, term: Term, committee_name: str) -> str | None:
        """The rule's refusal in words, or None when the term fits."""
        if term.person is not None:
            for other in self._by_person[(term.committee, term.person)]:
                if terms_overlap(term.start, term.end, other.start, other.end):
                    return _(
                        "%(name)s already has a seat on %(committee)s during these dates%(where)s."
                    ) % {"name": term.holder, "committee": committee_name, "where": _seen(other)}
        if term.role in SINGLE_SEAT_ROLES:
            for other in self._by_role[(term.committee, term.role)]:
                if terms_overlap(term.start, term.end, other.start, other.end):
                    return _(
                        "%(role)s of %(committee)s is already held by %(holder)s during these "
                        "dates%(where)s; end that term first."
                    ) % {
                        "role": Role(term.role).label,
                        "committee": committee_name,
                        "holder": other.holder,
                        "where": _seen(other),
                    }
        return None


def _seen(other: Term) -> str:
    return f" ({other.where})" if other.where else ""


# --- The body's life -------------------------------------------------------------------------


def outside_body_life(
    *,
    committee_name: str,
    founded_on: dt.date | None,
    founded_display: str,
    dissolved_on: dt.date | None,
    dissolved_display: str,
    start: dt.date | None,
    end: dt.date | None,
) -> str | None:
    """A seat lies within its body's life: not before it was founded, and ended by the day it
    was dissolved (a dissolved body has no current roster)."""
    if founded_on is not None and start is not None and start < founded_on:
        return _("%(committee)s was founded in %(date)s; a seat on it cannot start before.") % {
            "committee": committee_name,
            "date": founded_display,
        }
    if dissolved_on is not None:
        if start is not None and start > dissolved_on:
            return _(
                "%(committee)s was dissolved on %(date)s; a seat on it cannot start after."
            ) % {"committee": committee_name, "date": dissolved_display}
        if end is None or end > dissolved_on:
            return _("%(committee)s was dissolved on %(date)s; a seat on it must end by then.") % {
                "committee": committee_name,
                "date": dissolved_display,
            }
    return None
