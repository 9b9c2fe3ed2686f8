"""Reads: a user's work queue (in the app, in a digest, in immediate e-mails), follows, rules."""

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from committees import permissions
from committees.models import Committee
from notifications import providers
from notifications.models import Channel, Follow, Kind, NotificationPreference, NotificationRule
from notifications.providers import PROVIDERS, Item, Provider, Scope

SECRETARIAT = "to_secretariat"
LEADERS = "to_leaders"
CITY_STAFF = "to_city_staff"
ADMINISTRATORS = "to_administrators"
FOCAL_POINTS = "to_focal_points"  # covers agencies, not committees
KIND_ORDER = {kind: index for index, kind in enumerate(Kind.values)}

Roles = dict[str, frozenset[int] | None]


def is_following(user, committee: Committee) -> bool:
    return Follow.objects.filter(user=user, committee=committee).exists()


def roles_for(users) -> dict[int, Roles]:
    """For each user's id, each recipient role the user has and what it covers: the committees
    (None: every one), or for focal points the agencies. A fixed number of queries whatever the
    number of users: the committees kept, the committees followed, the agencies reported for."""
    readers = [user for user in users if permissions.is_reader(user)]
    admins = {user.pk for user in readers if permissions.is_administrator(user)}
    keepers = [u for u in readers if u.pk not in admins and permissions.is_secretariat(u)]
    followers = [
        user
        for user in readers
        if user.pk not in admins
        and (permissions.is_leader(user) or permissions.is_city_staff(user))
    ]
    focal = [
        user for user in users if user.pk not in admins and permissions.in_focal_points_group(user)
    ]
    kept = permissions.committee_ids_roster_editable_by(keepers) if keepers else {}
    followed: dict[int, set[int]] = {user.pk: set() for user in followers}
    if followers:
        rows = Follow.objects.filter(user_id__in=list(followed)).values_list(
            "user_id", "committee_id"
        )
        for user_id, committee_id in rows:
            followed[user_id].add(committee_id)
    agencies = permissions.agency_ids_focal_for_users(focal) if focal else {}
    roles: dict[int, Roles] = {}
    for user in users:
        mine: Roles = {}
        roles[user.pk] = mine
        if user.pk in admins:
            mine[ADMINISTRATORS] = None
            continue
        if kept.get(user.pk):
            mine[SECRETARIAT] = kept[user.pk]
        if user.pk in followed:
            if permissions.is_leader(user):
                mine[LEADERS] = frozenset(followed[user.pk])
            if permissions.is_city_staff(user):
                mine[CITY_STAFF] = frozenset(followed[user.pk])
        if agencies.get(user.pk):
            mine[FOCAL_POINTS] = agencies[user.pk]
    return roles


def user_roles(user) -> Roles:
    return roles_for([user])[user.pk]


def _rules(channel: str) -> list[NotificationRule]:
    return list(NotificationRule.objects.filter(channel=channel, active=True).order_by("kind"))


def _muted(users, rules: list[NotificationRule]) -> dict[int, set[int]]:
    """For each user, the rules (among these) it turned off: one query for every user."""
    muted: dict[int, set[int]] = {user.pk: set() for user in users}
    rows = NotificationPreference.muted_rules.through.objects.filter(
        notificationpreference__user_id__in=list(muted),
        notificationrule_id__in=[rule.pk for rule in rules],
    ).values_list("notificationpreference__user_id", "notificationrule_id")
    for user_id, rule_id in rows:
        muted[user_id].add(rule_id)
    return muted


def _is_muted(rule: NotificationRule, muted: set[int]) -> bool:
    return rule.pk in muted and not rule.mandatory


def _rule_scope(rule: NotificationRule, roles: Roles, *, by_agency: bool):
    """What a rule covers for this user: the committees (None: every one), or for an agency's
    kinds the agencies; False when it reaches none of the user's roles."""
    covered: set[int] = set()
    reached = False
    for role, ids in roles.items():
        if not getattr(rule, role) or (role == FOCAL_POINTS) != by_agency:
            continue
        if ids is None:
            return None
        reached = True
        covered |= ids
    return frozenset(covered) if reached else False


@dataclass(frozen=True)
class CommitteeItems:
    committee_name: str
    items: list[Item]


@dataclass(frozen=True)
class WorkQueue:
    items: list[Item]
    truncated: bool

    @property
    def count(self) -> int:
        return len(self.items)

    def by_committee(self) -> list[CommitteeItems]:
        groups: list[CommitteeItems] = []
        for item in self.items:
            if not groups or groups[-1].committee_name != item.committee_name:
                groups.append(CommitteeItems(item.committee_name, []))
            groups[-1].items.append(item)
        return groups


def work_queue(user, *, channel: str = Channel.QUEUE, now: dt.datetime | None = None) -> WorkQueue:
    """What needs doing for this user (see work_queues)."""
    return work_queues([user], channel=channel, now=now)[user.pk]


def _fetch(
    provider: Provider, rule: NotificationRule, scopes: dict, day: dt.date, now: dt.datetime
) -> dict[int, list[Item]]:
    """One rule's items for every user it reaches, with at most two fetches: one for the users
    who cover every committee, one for the others together; each user then keeps its own."""
    limit = providers.KIND_LIMIT
    found: dict[int, list[Item]] = {}
    everywhere = frozenset(pk for pk, ids in scopes.items() if ids is None)
    some = {pk: ids for pk, ids in scopes.items() if ids is not None}
    batches = []
    if everywhere:
        batches.append((everywhere, None))
    if some:
        batches.append((frozenset(some), frozenset().union(*some.values())))
    for user_ids, ids in batches:
        scope = Scope(
            committee_ids=None if provider.by_agency else ids,
            agency_ids=ids if provider.by_agency else frozenset(),
            day=day,
            now=now,
            lead_days=rule.lead_days,
            user_ids=user_ids,
            limit=limit,
            per_group=len(user_ids) > 1 and ids is not None,
        )
        items = provider.fetch(scope)
        if ids is None:
            for pk in user_ids:
                found[pk] = [item for item in items if pk not in item.done_by][:limit]
            continue
        # Each user reads only its own committees' (or agencies') items, in the provider's order.
        by_group: dict[int | None, list[tuple[int, Item]]] = {}
        for index, item in enumerate(items):
            by_group.setdefault(item.group_id, []).append((index, item))
        for pk in user_ids:
            mine = sorted(
                (pair for group in scopes[pk] for pair in by_group.get(group, ())),
                key=lambda pair: pair[0],
            )
            found[pk] = [item for _, item in mine if pk not in item.done_by][:limit]
    return found


def work_queues(
    users, *, channel: str = Channel.QUEUE, now: dt.datetime | None = None
) -> dict[int, WorkQueue]:
    """What needs doing for each user: for each rule of the channel that reaches one of the
    user's roles (and that the user did not turn off), its provider's items over what those roles
    cover. The number of queries depends on the rules, never on the data nor on the number of
    users: each rule's provider is asked once (twice at most) for all of them."""
    users = list(users)
    roles = roles_for(users)
    empty = WorkQueue(items=[], truncated=False)
    # Users with no role covering anything have nothing to do: no more queries for them.
    live = [
        user
        for user in users
        if not all(ids is not None and not ids for ids in roles[user.pk].values())
    ]
    if not live:
        return {user.pk: empty for user in users}
    now = now or timezone.now()
    day = timezone.localdate(now)
    rules = _rules(channel)
    muted = _muted(live, rules)
    collected: dict[int, dict[str, Item]] = {user.pk: {} for user in live}
    truncated: dict[int, bool] = {user.pk: False for user in live}
    for rule in rules:
        provider = PROVIDERS.get(rule.kind)
        if provider is None:
            continue
        scopes = {}
        for user in live:
            if _is_muted(rule, muted[user.pk]):
                continue
            ids = _rule_scope(rule, roles[user.pk], by_agency=provider.by_agency)
            if ids is False or (ids is not None and not ids):
                continue
            scopes[user.pk] = ids
        if not scopes:
            continue
        for pk, found in _fetch(provider, rule, scopes, day, now).items():
            truncated[pk] = truncated[pk] or len(found) >= providers.KIND_LIMIT
            for item in found:
                collected[pk].setdefault(item.key, item)
    queues = {user.pk: empty for user in users}
    for user in live:
        items = collected[user.pk].values()
        if not permissions.can_use_admin(user):
            items = [
                replace(item, url=item.reader_url) if item.reader_url else item for item in items
            ]
        ordered = sorted(
            items,
            key=lambda item: (
                item.committee_id is None,
                item.committee_name,
                KIND_ORDER.get(item.kind, 99),
                item.since or dt.date.min,
                item.key,
            ),
        )
        queues[user.pk] = WorkQueue(items=ordered, truncated=truncated[user.pk])
    return queues


def recipients(username: str | None = None) -> QuerySet:
    """Active users who may have a queue (administrators, the registry's groups and the focal
    points), with their groups and preference read in the same few queries."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__name__in=[
                    permissions.SECRETARIAT_GROUP,
                    permissions.LEADERS_GROUP,
                    permissions.CITY_STAFF_GROUP,
                    permissions.FOCAL_POINTS_GROUP,
                ]
            )
        )
        .distinct()
        .select_related("notification_preference")
        .prefetch_related("groups")
        .order_by("username")
    )
    if username is not None:
        users = users.filter(username=username)
    return users


def user_language(user) -> str:
    # A missing preference raises an AttributeError subclass: the default language then.
    preference = getattr(user, "notification_preference", None)
    return preference.language if preference is not None else "vi"


def preference_get(user) -> NotificationPreference:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def _reaching(user) -> Q:
    reach = Q(pk__in=[])
    for role in user_roles(user):
        reach |= Q(**{role: True})
    return reach


def optional_rules(user=None) -> QuerySet[NotificationRule]:
    """Rules a user may turn off: on, not mandatory, and (given a user) reaching one of the
    user's roles."""
    rules = NotificationRule.objects.filter(active=True, mandatory=False)
    if user is not None:
        rules = rules.filter(_reaching(user))
    return rules.order_by("kind", "channel")


def mandatory_rules(user) -> QuerySet[NotificationRule]:
    """Rules that are on and mandatory, among those reaching one of the user's roles."""
    return (
        NotificationRule.objects.filter(active=True, mandatory=True)
        .filter(_reaching(user))
        .order_by("kind", "channel")
    )
