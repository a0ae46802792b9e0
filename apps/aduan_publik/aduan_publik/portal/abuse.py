"""The portal's defences against abuse: rate limits, a self-hosted captcha and a honeypot.

Rate limits are fixed-window counters in the Django cache (Redis) kept by django-ratelimit,
per client address and per contact. Limits can be tuned per site with the setting
``ADUAN_PORTAL_RATES`` (a dict overriding :data:`DEFAULT_RATES`).

The captcha is a small sum, signed with Django's signing and single-use. It was chosen over an
image captcha (django-simple-captcha) because it is readable by screen readers and on any
phone, needs no extra app, table or JavaScript, and the page can be tested like a person uses
it. It stops form-filling bots, not a determined attacker: the rate limits are the real brake.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django_ratelimit.core import get_usage

DEFAULT_RATES = {
    "submit_ip": "10/h",  # complaints from one address
    "submit_contact": "5/h",  # complaints naming one phone or email
    "track_fail_ip": "20/h",  # wrong tracking number/code pairs from one address
    "track_fail_number": "10/h",  # wrong codes tried against one tracking number
    "reply_ip": "30/h",
    "subscribe_ip": "10/h",
    "subscribe_phone": "5/h",
}

CAPTCHA_SALT = "aduan_portal.captcha"
CAPTCHA_MAX_AGE = 2 * 3600  # seconds a form may stay open before its captcha expires


def rate(name: str) -> str:
    return {**DEFAULT_RATES, **getattr(settings, "ADUAN_PORTAL_RATES", {})}[name]


def over_limit(request: HttpRequest, name: str, *, key: str = "", increment: bool = True) -> bool:
    """Count one hit of ``name`` for the client address (or for ``key``) and say if it is over the limit.

    With ``increment=False`` it only looks whether the limit is already used up: for limits
    that count failures after the fact (wrong tracking codes).
    """
    usage = get_usage(
        request, group=f"portal:{name}", rate=rate(name), increment=increment,
        key=(lambda _g, _r: key.lower()) if key else "ip",
    )
    if usage is None:
        return False
    return usage["should_limit"] if increment else usage["count"] >= usage["limit"]


# ---- captcha ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def captcha_new() -> Challenge:
    """A new sum to solve. The token carries a keyed hash of the answer, never the answer."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    digest = salted_hmac(CAPTCHA_SALT, f"{nonce}:{a + b}").hexdigest()
    return Challenge(question=f"{a} + {b}", token=signing.dumps({"n": nonce, "h": digest}, salt=CAPTCHA_SALT))


def captcha_check(token: str, answer: Any) -> bool:
    """Whether ``answer`` solves the challenge of ``token``; each token passes only once."""
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=CAPTCHA_MAX_AGE)
        nonce, digest = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError):
        return False
    expected = salted_hmac(CAPTCHA_SALT, f"{nonce}:{str(answer).strip()}").hexdigest()
    if not constant_time_compare(expected, digest):
        return False
    # Single use: a solved token replayed by a script is refused.
    return cache.add(f"aduan_portal:captcha:{nonce}", 1, timeout=CAPTCHA_MAX_AGE)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
