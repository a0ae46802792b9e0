"""One Redis database per site: RQ queues are named ``default``/``short``/``long`` on every site.

Two sites pointed at the same Redis database would take each other's jobs (a job id in, the
wrong database read). Every process that starts (web, worker, ``manage.py check``) claims the
database for its site with ``SET NX``; a database already claimed by another site makes the
system check ``aduan_publik.E020`` fail and the process refuse to start (see ``Procfile``).

A site is the site name plus a digest of its secret key: the web and worker processes of one
site on several machines share both and may all use the database; two benches that each call
their site ``default`` do not.
"""

from __future__ import annotations

import hashlib
from typing import Any

import redis
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import gettext as _

CLAIM_KEY = "aduan:site-claim"
CHECK_TAG = "aduan_redis"


def site_identity(site_name: str, secret_key: str) -> str:
    digest = hashlib.sha256(f"aduan-redis-claim:{secret_key}".encode()).hexdigest()[:16]
    return f"{site_name}/{digest}"


def redis_claim(url: str, identity: str) -> str | None:
    """Claim the Redis database at ``url`` for ``identity``; the other site's identity if it is taken.

    Raises ``redis.RedisError`` when Redis does not answer.
    """
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.set(CLAIM_KEY, identity, nx=True)
        owner = client.get(CLAIM_KEY)
    finally:
        client.close()
    owner_text = owner.decode() if isinstance(owner, bytes) else str(owner or identity)
    return None if owner_text == identity else owner_text


@register(CHECK_TAG)
def redis_database_not_shared(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    identity = site_identity(settings.SITE_NAME, settings.SECRET_KEY)
    try:
        owner = redis_claim(settings.REDIS_URL, identity)
    except redis.RedisError as exc:
        return [Warning(_("Redis %(url)s tidak menjawab: %(error)s") % {"url": settings.REDIS_URL, "error": exc},
                        id="aduan_publik.W020")]
    if owner is None:
        return []
    other = owner.split("/", 1)[0]
    return [Error(
        _("Basis data Redis %(url)s sudah dipakai situs lain (%(other)s): antrean RQ akan tercampur.")
        % {"url": settings.REDIS_URL, "other": other},
        hint=_("beri setiap situs basis data Redis sendiri (redis_url …/1, …/2) di site_config.json; "
               "jika situs lama sudah tidak ada, hapus kunci %(key)s dari basis data itu") % {"key": CLAIM_KEY},
        id="aduan_publik.E020",
    )]
