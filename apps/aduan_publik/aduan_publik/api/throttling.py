"""Rate limits per token (or per client address without one), counted in Redis.

A fixed one-minute window per token: ``INCR`` + ``EXPIRE`` in one round trip, shared by every
web process. Over the limit the request is refused with 429 and ``Retry-After`` (the seconds left
in the window). A token may carry its own limit (``ApiToken.rate_per_minute``); the site's
default is ``ADUAN["api"]["rate_per_minute"]``.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from .models import ApiToken

WINDOW = 60


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def hit(bucket: str, limit: int, *, now: float | None = None) -> tuple[bool, int]:
    """Count one request in ``bucket``; return (allowed, seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    key = f"aduan:{settings.SITE_NAME}:api-rate:{bucket}:{window}"
    pipe = _redis(settings.REDIS_URL).pipeline()
    pipe.incr(key)
    pipe.expire(key, WINDOW + 5)
    count = int(pipe.execute()[0])
    retry_after = max(1, int((window + 1) * WINDOW - now + 0.999))
    return count <= limit, retry_after


def client_address(request: Request) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        conf = settings.ADUAN["api"]
        if isinstance(token, ApiToken):
            bucket, limit = f"t{token.pk}", token.rate_per_minute or int(conf["rate_per_minute"])
        else:
            bucket, limit = f"ip{client_address(request)}", int(conf["anonymous_rate_per_minute"])
        allowed, self._wait = hit(bucket, limit)
        return allowed

    def wait(self) -> float | None:
        return float(getattr(self, "_wait", WINDOW))
