"""Health endpoints for a load balancer or process manager (docs/deploy.md).

``/healthz`` (liveness) says only that this process answers requests: it touches nothing else,
so a database or Redis outage never makes the balancer restart healthy web processes.
``/readyz`` (readiness) checks what a request needs (the database and Redis) and answers 503
naming the failing part, so the balancer stops sending traffic until it is back.
"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

# Short: a balancer probes every few seconds and a hung probe is itself a failure.
PROBE_TIMEOUT_SECONDS = 2


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> str | None:
    """None when the database answers, else the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _redis_ok() -> str | None:
    """None when the site's Redis (RQ queues and cache) answers PING, else the error."""
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    failing = {part: error for part, error in checks.items() if error}
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {part: ("error" if error else "ok") for part, error in checks.items()},
        "errors": failing,
    }
    return JsonResponse(body, status=503 if failing else 200)
