"""Reads: a user's work queue (in the app, in a digest, in immediate e-mails), follows, rules."""

import datetime as dt
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from committees import permissions
from committees.models import Committee
from notifications.models import Channel, Follow, Kind, NotificationPreference, NotificationRule
from notifications.providers import KIND_LIMIT, PROVIDERS, Item, Scope

SECRETARIAT = "to_secretariat"
LEADERS = "to_leaders"
CITY_STAFF = "to_city_staff"
ADMINISTRATORS = "to_administrators"
KIND_ORDER = {kind: index for index, kind in enumerate(Kind.values)}


def followed_committee_ids(user) -> frozenset[int]:
    return frozenset(Follow.objects.filter(user=user).values_list("committee_id", flat=True))


def is_following(user, committee: Committee) -> bool:
    return Follow.objects.filter(user=user, committee=committee).exists()


def user_roles(user) -> dict[str, frozenset[int] | None]:
    """For each recipient role the user has, the committees it covers (None: every one)."""
    roles: dict[str, frozenset[int] | None] = {}
    if not permissions.is_reader(user):
        return roles
    if permissions.is_administrator(user):
        roles[ADMINISTRATORS] = None
        return roles
    if permissions.is_secretariat(user):
        kept = frozenset(
            permissions.committees_roster_editable_by(user).values_list("pk", flat=True)
        )
        if kept:
            roles[SECRETARIAT] = kept
    if permissions.is_leader(user) or permissions.is_city_staff(user):
        followed = followed_committee_ids(user)
        if permissions.is_leader(user):
            roles[LEADERS] = followed
        if permissions.is_city_staff(user):
            roles[CITY_STAFF] = followed
    return roles


def rules_for(user, channel: str) -> list[NotificationRule]:
    """The channel's rules that are on, less those the user turned off (mandatory ones stay)."""
    muted = NotificationPreference.muted_rules.through.objects.filter(
        notificationpreference__user=user
    ).values("notificationrule_id")
    return list(
        NotificationRule.objects.filter(channel=channel, active=True)
        .exclude(Q(pk__in=muted) & Q(mandatory=False))
        .order_by("kind")
    )


def _rule_scope(rule: NotificationRule, roles: dict) -> frozenset[int] | bool | None:
    """The committees a rule covers for this user; False when it reaches none of the user's roles."""
    covered: set[int] = set()
    reached = False
    for role, ids in roles.items():
        if not getattr(rule, role):
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
    """What needs doing for this user: for each rule of the channel that reaches one of the
    user's roles, its provider's items over the committees those roles cover. The number of
    queries depends on the rules, never on the data."""
    roles = user_roles(user)
    if all(ids is not None and not ids for ids in roles.values()):
        return WorkQueue(items=[], truncated=False)  # no role covers any committee
    admin_links = permissions.can_use_admin(user)
    now = now or timezone.now()
    day = timezone.localdate(now)
    items: dict[str, Item] = {}
    truncated = False
    for rule in rules_for(user, channel):
        committee_ids = _rule_scope(rule, roles)
        if committee_ids is False or rule.kind not in PROVIDERS:
            continue
        if committee_ids is not None and not committee_ids:
            continue
        found = PROVIDERS[rule.kind].fetch(
            Scope(
                committee_ids=committee_ids,
                day=day,
                now=now,
                lead_days=rule.lead_days,
                user_id=user.pk,
            )
        )
        truncated = truncated or len(found) >= KIND_LIMIT
        for item in found:
            if not admin_links and item.reader_url:
                item = replace(item, url=item.reader_url)
            items.setdefault(item.key, item)
    ordered = sorted(
        items.values(),
        key=lambda item: (
            item.committee_id is None,
            item.committee_name,
            KIND_ORDER.get(item.kind, 99),
            item.since or dt.date.min,
            item.key,
        ),
    )
    return WorkQueue(items=ordered, truncated=truncated)


def recipients(username: str | None = None) -> QuerySet:
    """Active users who may have a queue (administrators and the registry's groups), with their
    groups and preference read in the same few queries."""
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
