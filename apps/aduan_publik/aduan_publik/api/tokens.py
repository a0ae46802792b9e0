"""Token writes: issue (the secret is returned once), revoke, and the lookup of a presented token."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import OPD
from .models import DEFAULT_SCOPES, SCOPES, ApiToken

TOKEN_PREFIX = "adu_"  # noqa: S105 (a marker, not a secret)
# "last used" is written at most once a minute per token: no write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode()).hexdigest()


def scopes_clean(scopes: Iterable[str] | None) -> list[str]:
    """The scopes asked for, checked against :data:`SCOPES` (the default read set when empty)."""
    wanted = [s.strip() for s in (scopes or ()) if s and s.strip()]
    unknown = sorted(set(wanted) - set(SCOPES))
    if unknown:
        raise ValidationError(_("Cakupan tidak dikenal: %(s)s. Pilihan: %(all)s.")
                              % {"s": ", ".join(unknown), "all": ", ".join(SCOPES)})
    return sorted(set(wanted)) if wanted else list(DEFAULT_SCOPES)


@transaction.atomic
def token_create(
    *, user: Any, name: str, by: Any = None, scopes: Iterable[str] | None = None, opd: OPD | None = None,
    expires_at: datetime | None = None, rate_per_minute: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``. Returns the row and the secret, which is never stored nor shown again."""
    if not access.api_token_allowed(user, opd.pk if opd else None):
        raise PermissionDenied(_("Token API tidak dapat dibuat untuk pengguna ini (tanpa peran, atau OPD lain)."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("Tanggal kedaluwarsa harus di masa depan."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=(name or user.get_username())[:100], prefix=raw[:12], key_hash=hash_token(raw),
        scopes=scopes_clean(scopes), opd=opd, expires_at=expires_at, rate_per_minute=rate_per_minute,
        created_by=by if by is not None and not isinstance(by, str) else None,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by: Any = None) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first moment."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def token_for(raw: str) -> ApiToken | None:
    """The active token for a presented secret, or None (unknown, revoked, expired, user inactive)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user", "user__aduan_profile").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    return token


def token_touch(token: ApiToken, *, now: datetime | None = None) -> None:
    """Record "last used", at most once per :data:`LAST_USED_EVERY` (a conditional UPDATE)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
