"""Staff sign-in reads: lock state of an account or address, second-factor state of a user."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def _recent() -> Any:
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def failures(*, username: str | None = None, ip: str | None = None) -> int:
    """Failed sign-ins counted towards a lock (within the lock period), by account or by address."""
    qs = _recent()
    qs = qs.filter(username=username) if username is not None else qs.filter(ip_address=ip)
    return int(qs.aggregate(n=Sum("failures_since_start"))["n"] or 0)


def lock_state(*, username: str | None, ip: str | None) -> dict[str, bool]:
    """Which of the two is locked: ``{"account": bool, "address": bool}`` (each only if counted)."""
    limit, params = settings.AXES_FAILURE_LIMIT, settings.AXES_LOCKOUT_PARAMETERS
    return {
        "account": bool(username) and "username" in params and failures(username=username) >= limit,
        "address": bool(ip) and "ip_address" in params and failures(ip=ip) >= limit,
    }


def attempts_with_lock_state() -> QuerySet[AccessAttempt]:
    """Every attempt row with the recent failure sums of its account and its address (two subqueries,
    not two queries per row), for the desk's list."""
    def recent_sum(field: str) -> Subquery:
        rows = _recent().filter(**{field: OuterRef(field)}).order_by().values(field)
        return Subquery(rows.annotate(n=Sum("failures_since_start")).values("n")[:1], output_field=IntegerField())

    zero = Value(0, output_field=IntegerField())
    return AccessAttempt.objects.annotate(account_failures=Coalesce(recent_sum("username"), zero),
                                          address_failures=Coalesce(recent_sum("ip_address"), zero))


def row_locked(row: Any) -> bool:
    """Whether the account or the address of an annotated row is locked now."""
    limit, params = settings.AXES_FAILURE_LIMIT, settings.AXES_LOCKOUT_PARAMETERS
    return ("username" in params and row.account_failures >= limit) or (
        "ip_address" in params and row.address_failures >= limit)


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
