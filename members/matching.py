"""Who a name in an imported file means, once for the roster import and the committee package.

A name alone never proves two records are one person (issue 10). A row means a namesake the
registry knows only when something besides the name shows it: a post or agency the registry
knows that namesake by, or — for a row that gives neither — being the one namesake seated on
the body, named once by the file (in another role, perhaps: issue 11's role change). Anything
else with namesakes is a possible match the clerk decides; a seated member's name given with a
post or agency the registry does not know them by is one of those, never taken for them.

Plain functions over plain values, plus one batched read of what the registry knows people
by (`known_posts`), so a file of common names costs the same queries in any registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from committees.names import loose_key, name_key
from members.models import Membership, Person, PositionHolding


@dataclass(frozen=True)
class KnownPost:
    """A post the registry knows a person held, as plain text (no model rows kept)."""

    title: str
    agency: str
    agency_short: str = ""


def known_posts(people: Iterable[int] | QuerySet[Person]) -> dict[int, set[KnownPost]]:
    """What the registry knows each person held: posts (holdings, past ones too) and seats'
    titles with their home agency or post, read as text only, so a file of common names stays
    small in memory at city scale. `people`: their ids, or a query of them, read as a
    subquery: two queries however many people it finds, none too."""
    posts: dict[int, set[KnownPost]] = defaultdict(set)
    if isinstance(people, QuerySet):
        whose = Q(person__in=people.values("pk"))
    else:
        ids = list(set(people))
        if not ids:
            return posts
        whose = Q(person_id__in=ids)
    # In no order (they fill sets): a default order joins and sorts for nothing.
    holdings = (
        PositionHolding.objects.filter(whose)
        .values_list(
            "person_id", "position__title", "position__agency__name", "position__agency__short_name"
        )
        .order_by()
    )
    for person_id, title, agency, short in holdings.iterator(chunk_size=2000):
        posts[person_id].add(KnownPost(title, agency or "", short or ""))
    seats = (
        Membership.objects.filter(whose)
        .values_list(
            "person_id",
            "title_at_appointment",
            "home_agency__name",
            "home_agency__short_name",
            "position__title",
            "position__agency__name",
            "position__agency__short_name",
        )
        .order_by()
    )
    for person_id, printed, home, home_short, post, agency, short in seats.iterator(
        chunk_size=2000
    ):
        posts[person_id].add(KnownPost(printed, home or "", home_short or ""))
        if post:
            posts[person_id].add(KnownPost(post, agency or "", short or ""))
    return posts


def _same_title(known: str, given: str) -> bool:
    return bool(known) and name_key(known) == name_key(given)


def _names_agency(post: KnownPost, given: str) -> bool:
    """The known post's agency is the one given, by name or short name, written out or by
    its common abbreviations, with or without its trailing place ("… TP.HCM")."""
    return any(
        name_key(known) == name_key(given) or loose_key(known) == loose_key(given)
        for known in (post.agency, post.agency_short)
        if known
    )


def known_by(known: Iterable[KnownPost], *, post: str, agencies: Sequence[str]) -> bool:
    """The row's post and agency are ones the registry knows the person held, together.
    `agencies` are the names the row's agency goes by (as written, and the agency it was
    found to be); a row that gives neither post nor agency is known by nothing."""
    agencies = [agency for agency in agencies if agency]
    if not (post or agencies):
        return False
    return any(
        (not post or _same_title(held.title, post))
        and (not agencies or any(_names_agency(held, agency) for agency in agencies))
        for held in known
    )


def described(known: Iterable[KnownPost]) -> list[str]:
    """What the registry knows a person by, as the clerk reads it ("Giám đốc — Sở Y tế")."""
    return sorted(
        {" — ".join(part for part in (post.title, post.agency) if part) for post in known} - {""}
    )


@dataclass(frozen=True)
class Match:
    """Whom a row's name means: `person`, when something besides the name shows it; else,
    when `candidates` is not empty, a possible match the clerk decides (`contested`: the
    namesakes seated on the body whom the row's post or agency does not fit — a seated
    member's name with a post the registry does not know them by); else a new person."""

    person: Person | None = None
    candidates: tuple[Person, ...] = ()
    contested: tuple[Person, ...] = ()

    @property
    def possible(self) -> bool:
        return self.person is None and bool(self.candidates)


def namesake_match(
    candidates: Sequence[Person],
    *,
    seated: Collection[int],
    named_once: bool,
    post: str,
    agencies: Sequence[str],
    known: Mapping[int, Iterable[KnownPost]],
) -> Match:
    """The one rule. `candidates`: the people of the row's (folded) name the row may mean;
    `seated`: the ids of those seated on the body; `named_once`: the file gives the name
    once; `post`, `agencies`: what the row says the person holds (the agency by each name it
    goes by); `known`: what the registry knows each candidate held (`known_posts`)."""
    if not candidates:
        return Match()
    agree = [p for p in candidates if known_by(known.get(p.pk, ()), post=post, agencies=agencies)]
    if len(agree) == 1:
        return Match(person=agree[0])
    on_body = [p for p in candidates if p.pk in seated]
    gives = bool(post or any(agencies))
    if len(on_body) == 1 and named_once and not gives:
        return Match(person=on_body[0])
    contested = tuple(p for p in on_body if p not in agree) if gives else ()
    return Match(candidates=tuple(candidates), contested=contested)
