"""Worker liveness: which Celery workers are alive, and which worker holds which render.

Every worker process tree gets an identity when it starts (`<host>#<random>`, so a worker
restarted under the same host name is a different worker). Its main process keeps a heartbeat
key in Redis (`registry:worker-alive:<identity>`, refreshed every few seconds, expiring after
REPORTS_WORKER_HEARTBEAT_TTL seconds), and records for each render message it receives which
worker holds it (`registry:task-holder:<task id>`). A worker killed outright stops refreshing
its key: within the TTL it counts as dead, and the recovery (services.recover_orphaned_reports,
run by beat) queues its reports again. The render records the identity in Report.worker.

Outside a worker (the web, a shell, eager mode) there is no identity: such renders are never
judged by liveness, only by the long stuck-report sweeper.
"""

import logging
import os
import socket
import threading
import uuid

from celery import signals
from django.conf import settings

logger = logging.getLogger(__name__)

IDENTITY_ENV = "REGISTRY_WORKER_IDENTITY"
HEARTBEAT_PREFIX = "registry:worker-alive:"
HOLDER_PREFIX = "registry:task-holder:"
RENDER_TASK = "reports.tasks.render_report"

# The heartbeat runs as long as the worker process does: a warm shutdown may wait minutes for
# a render to finish, and that render's worker must not look dead meanwhile. After the process
# exits its key simply expires.
_stop = threading.Event()
_thread: threading.Thread | None = None


def identity() -> str | None:
    """This worker's identity (set in the main process, inherited by the pool children)."""
    return os.environ.get(IDENTITY_ENV) or None


def worker_label() -> str:
    """What a render records in Report.worker: `<identity>:<pid>` inside a worker."""
    own = identity() or socket.gethostname()
    return f"{own}:{os.getpid()}"


def identity_of(worker_label_value: str) -> str | None:
    """The identity in a Report.worker value, or None for a render made outside a worker."""
    if "#" not in worker_label_value or ":" not in worker_label_value:
        return None
    return worker_label_value.rsplit(":", 1)[0]


def _client():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2, health_check_interval=10
    )


def heartbeat_ttl() -> int:
    return int(settings.REPORTS_WORKER_HEARTBEAT_TTL)


def _beat_once(client, own: str) -> None:
    client.set(HEARTBEAT_PREFIX + own, str(os.getpid()), ex=heartbeat_ttl())


def _heartbeat_loop(own: str) -> None:
    client = _client()
    every = max(1.0, heartbeat_ttl() / 4)
    while not _stop.wait(every):
        try:
            _beat_once(client, own)
        except Exception as exc:  # Redis away: try again next round
            logger.warning("Worker heartbeat not written: %s", exc)


@signals.worker_init.connect
def _on_worker_init(sender=None, **kwargs) -> None:
    if not settings.REDIS_URL:
        return
    own = f"{socket.gethostname()}#{uuid.uuid4().hex[:12]}"
    os.environ[IDENTITY_ENV] = own  # inherited by the pool children forked after this
    try:
        _beat_once(_client(), own)
    except Exception as exc:
        logger.warning("Worker heartbeat not written: %s", exc)


@signals.worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    global _thread
    own = identity()
    if own is None or _thread is not None:
        return
    _stop.clear()
    _thread = threading.Thread(
        target=_heartbeat_loop, args=(own,), name="registry-heartbeat", daemon=True
    )
    _thread.start()
    logger.info("Worker %s: heartbeat every %ss.", own, max(1, heartbeat_ttl() // 4))


@signals.task_received.connect
def _on_task_received(sender=None, request=None, **kwargs) -> None:
    """Record which worker holds a render message (it may wait in the worker before it runs)."""
    own = identity()
    if own is None or request is None or request.name != RENDER_TASK:
        return
    try:
        _client().set(
            HOLDER_PREFIX + request.id,
            own,
            ex=int(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]),
        )
    except Exception as exc:
        logger.warning("Holder of task %s not recorded: %s", request.id, exc)


# --- What the recovery reads. ---


def live(identities: set[str]) -> set[str]:
    """Which of these worker identities have a fresh heartbeat. Raises when Redis is away."""
    ordered = sorted(identities)
    if not ordered:
        return set()
    values = _client().mget([HEARTBEAT_PREFIX + own for own in ordered])
    return {own for own, value in zip(ordered, values, strict=True) if value is not None}


def holders(task_ids: list[str]) -> dict[str, str]:
    """The worker identity holding each render message that a worker has received."""
    if not task_ids:
        return {}
    values = _client().mget([HOLDER_PREFIX + task_id for task_id in task_ids])
    return {
        task_id: value.decode()
        for task_id, value in zip(task_ids, values, strict=True)
        if value is not None
    }


def queued_task_ids(queue: str) -> set[str]:
    """Task ids of the messages waiting in the broker's queue (every priority list of it)."""
    import json

    client = _client()
    # kombu's Redis transport keeps one list per priority step: "<queue>" for 0, then
    # "<queue>\x06\x16<step>" for the others (its default separator and steps).
    keys = [queue] + [f"{queue}\x06\x16{step}" for step in (3, 6, 9)]
    found: set[str] = set()
    for key in keys:
        for raw in client.lrange(key, 0, -1):
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            task_id = (message.get("headers") or {}).get("id")
            if task_id:
                found.add(task_id)
    return found
