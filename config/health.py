"""/healthz (the process answers) and /readyz (the database and Redis answer), for probes.

They are answered by a middleware at the top of the stack, before host validation and the
HTTPS redirect, so a container probe on http://127.0.0.1:8000/healthz works in production.
"""

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
PROBE_TIMEOUT_SECONDS = 2


def _reason(exc: Exception) -> str:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:300]


def database_status() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        # A broken connection stays unusable; drop it so the next probe reconnects.
        connections["default"].close_if_unusable_or_obsolete()
        return _reason(exc)
    return "ok"


def redis_status() -> str:
    url = getattr(settings, "REDIS_URL", None)
    if not url:
        return "not configured (tasks run in-process)"
    import redis

    try:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return _reason(exc)
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering; it touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic when the database and (if configured) Redis answer; 503 otherwise."""
    checks = {"database": database_status(), "redis": redis_status()}
    ready = checks["database"] == "ok" and checks["redis"] in (
        "ok",
        "not configured (tasks run in-process)",
    )
    if not ready:
        logger.warning("Not ready: %s", checks)
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


class HealthCheckMiddleware:
    """Answers the two probe paths before anything else runs (host check, HTTPS redirect,
    sessions), so a probe never depends on the Host header or on the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        path = request.path_info.rstrip("/")
        if path == HEALTH_PATH:
            return _no_store(healthz(request))
        if path == READY_PATH:
            return _no_store(readyz(request))
        return self.get_response(request)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
