"""The registry's revision: a cheap token that moves whenever a registry record is written.

Public pages and open-data files are cached under it, so a write makes them fresh at once.
It lives in the cache (Redis in production): reading it costs no database query. When the
cache has lost it (restart, eviction), a new one is drawn, which only costs a cache miss.
Bulk writes that bypass model signals (`QuerySet.update`, `bulk_create`) should call
`registry_revision_bump()` themselves; the page cache's timeout bounds the staleness anyway.
"""

import time

from django.core.cache import cache
from django.db import transaction

REVISION_KEY = "registry:revision"
REVISION_TIMEOUT = None  # kept until the next write


def registry_revision() -> str:
    revision = cache.get(REVISION_KEY)
    if revision is None:
        revision = str(time.time_ns())
        cache.add(REVISION_KEY, revision, REVISION_TIMEOUT)
        revision = cache.get(REVISION_KEY) or revision
    return revision


def registry_revision_bump(**_kwargs) -> str:
    revision = str(time.time_ns())
    cache.set(REVISION_KEY, revision, REVISION_TIMEOUT)
    return revision


def _bump_after_commit() -> None:
    registry_revision_bump()


def registry_changed(**_kwargs) -> None:
    """A registry row was written: move the revision once its transaction commits (a page
    rendered before the commit must not be cached under the new revision), and only once per
    transaction however many rows it writes (an import writes thousands)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        registry_revision_bump()
        return
    # Already due from this block or one enclosing it (whose rollback would discard ours too).
    active = set(connection.savepoint_ids)
    for savepoints, func, *_rest in connection.run_on_commit:
        if func is _bump_after_commit and savepoints <= active:
            return
    transaction.on_commit(_bump_after_commit)


# The models whose writes change what the public pages and open data show.
REGISTRY_MODELS = (
    "committees.Agency",
    "committees.LegalInstrument",
    "committees.Committee",
    "committees.Succession",
    "members.Person",
    "members.Position",
    "members.PositionHolding",
    "members.Membership",
    "mandates.Mandate",
    "mandates.Target",
    "mandates.Measurement",
    "api.ExternalIdentifier",
    # What the Popolo export (and the open-data file made of it) shows besides.
    "areas.Area",
    "api.PopoloEvent",
    "api.MembershipPeriod",
    "api.PopoloExtras",
    "api.PopoloFileMeta",
    "work.Meeting",
)


def connect_revision_signals() -> None:
    """Called from PortalConfig.ready(): every save or delete of a registry model moves it."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in REGISTRY_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        uid = f"registry-revision-{label}"
        post_save.connect(registry_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(registry_changed, sender=model, dispatch_uid=uid + "-delete")
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            m2m_changed.connect(registry_changed, sender=through, dispatch_uid=f"{uid}-{m2m.name}")
