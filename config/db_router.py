"""Portal and API reads from a read replica, when one is configured (DATABASE_REPLICA_URL);
every write, and every other read, on the primary.

A request reads from the replica only when all of these hold: a replica is configured, the
request is a GET or HEAD of a portal or API page (the middleware decides, by the URL's
namespace), it has written nothing yet (then it reads its own writes on the primary), the
primary has no transaction open (a service reads what it locks and writes), and the model is
registry data (accounts, sessions, permissions and request keys are always read where they are
written). The admin, the report and work pages, Celery tasks and commands never set the
request's state, so they use the primary only. Without a replica both parts do nothing.
"""

from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest

REPLICA = "replica"
# URL namespaces whose GET and HEAD requests may read from the replica.
REPLICA_NAMESPACES = frozenset({"portal", "api"})
# Apps read on the primary even there: who is signed in, what they may do and what they
# follow must not lag behind what they just changed.
PRIMARY_ONLY_APPS = frozenset(
    {
        "auth",
        "authtoken",
        "sessions",
        "contenttypes",
        "admin",
        "axes",
        "guardian",
        "idempotency",
        "notifications",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class ReadState:
    """What the current request may read from the replica; `wrote` once it has written."""

    replica: bool = False
    wrote: bool = False


_state: ContextVar[ReadState | None] = ContextVar("replica_read_state", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    """Django's database router: reads as the request's state allows, writes on the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        state = _state.get()
        if (
            state is None
            or not state.replica
            or state.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read from either relates to both.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints) -> bool | None:
        # The replica follows the primary's schema through replication, never by migrating.
        return False if db == REPLICA else None


def _streamed(state: ReadState, content: Iterable[bytes]) -> Iterator[bytes]:
    """A streamed body is produced after the view returns: it reads as its request did."""
    token = _state.set(state)
    try:
        yield from content
    finally:
        try:
            _state.reset(token)
        except ValueError:  # finished in another context (a closed iterator, another thread)
            _state.set(None)


class ReplicaReadsMiddleware:
    """Marks the portal's and the API's GET and HEAD requests as allowed to read from the
    replica (for the length of the request, and of its streamed body)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        state = ReadState()
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.replica and response.streaming:
            response.streaming_content = _streamed(state, response.streaming_content)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        state = _state.get()
        match = request.resolver_match
        if (
            state is not None
            and replica_configured()
            and request.method in SAFE_METHODS
            and match is not None
            and match.namespaces[:1] != []
            and match.namespaces[0] in REPLICA_NAMESPACES
        ):
            state.replica = True
        return None
