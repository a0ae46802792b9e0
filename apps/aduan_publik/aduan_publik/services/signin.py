"""Staff sign-in writes: refused sign-ins on record, unlocking, and the second factor's devices.

Lockout bookkeeping itself is django-axes' (its ``AccessAttempt`` rows); this module adds the
hub's audit trail (``Event`` rows with ``complaint=None``, like the ``login`` event) and the one
way to unlock. Second factors are django-otp devices: one TOTP device (an authenticator app)
and one static device holding the recovery codes, both per user.
"""

from __future__ import annotations

import re
from typing import Any

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import Event
from .audit import event_record

RECOVERY_CODES = 10
TOTP_NAME = "aplikasi-autentikator"
RECOVERY_NAME = "kode-pemulihan"


def refusal_reasons() -> dict[str, str]:
    """Why a sign-in was refused, in the words of the audit trail."""
    return {
        "password": _("nama pengguna atau kata sandi salah"),
        "locked": _("akun atau alamat sedang dikunci"),
        "code": _("kode verifikasi salah"),
        "inactive": _("akun tidak aktif"),
        "api_only": _("akun khusus API"),
        "no_role": _("akun tanpa peran"),
    }


def signin_refused_record(*, username: str, ip: str | None, reason: str) -> Event:
    """One refused sign-in on the audit trail (``login_failed``), whoever typed it."""
    username = (username or "")[:150]
    summary = _("Gagal masuk sebagai «%(username)s» dari %(ip)s: %(reason)s.") % {
        "username": username, "ip": ip or "?", "reason": refusal_reasons().get(reason, reason)}
    return event_record(complaint=None, by=None, verb="login_failed", summary=summary,
                        data={"username": username, "ip": ip, "reason": reason})


def signin_locked_record(*, username: str, ip: str | None, minutes: int) -> Event:
    """The moment an account or an address becomes locked (``login_locked``)."""
    summary = _("Masuk dikunci %(minutes)d menit setelah terlalu banyak kegagalan (akun «%(username)s», "
                "alamat %(ip)s).") % {"minutes": minutes, "username": username[:150], "ip": ip or "?"}
    return event_record(complaint=None, by=None, verb="login_locked", summary=summary,
                        data={"username": username[:150], "ip": ip})


@transaction.atomic
def signin_unlock(*, username: str | None = None, ip: str | None = None, by: Any) -> int:
    """Forget the failed sign-ins of an account and/or an address; returns how many records went.

    Both given: the account's and the address's records go (each may lock on its own).
    """
    if not username and not ip:
        raise ValueError(_("Sebutkan nama pengguna atau alamat IP yang akan dibuka kuncinya."))
    removed = (axes_reset(username=username) if username else 0) + (axes_reset(ip=ip) if ip else 0)
    target = ", ".join(filter(None, [f"«{username}»" if username else "", ip or ""]))
    event_record(complaint=None, by=by, verb="login_unlocked",
                 summary=_("Kunci masuk dibuka untuk %(target)s.") % {"target": target},
                 data={"username": username, "ip": ip, "records": removed})
    return removed


# ---- second factor -------------------------------------------------------------------------


def normalise_code(token: str) -> str:
    """Codes are typed with spaces or dashes, in either case."""
    return re.sub(r"[\s-]", "", token or "").lower()


@transaction.atomic
def totp_enrolment_start(*, user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator device, made once and reused until confirmed."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, user: Any, token: str, by: Any = None) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending device with a code from the app; returns it and fresh recovery codes.

    A wrong code changes nothing (and counts towards django-otp's throttle on that device).
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or not device.verify_token(normalise_code(token)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user)
    event_record(complaint=None, by=by or user, verb="2fa_enabled",
                 summary=_("Verifikasi dua langkah diaktifkan untuk %(user)s.") % {"user": user.get_username()})
    return device, codes


@transaction.atomic
def recovery_codes_renew(*, user: Any) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _recovery_codes_replace(user)
    event_record(complaint=None, by=user, verb="2fa_codes_renewed",
                 summary=_("Kode pemulihan baru dibuat untuk %(user)s.") % {"user": user.get_username()})
    return codes


def _recovery_codes_replace(user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def second_factor_reset(*, user: Any, by: Any) -> int:
    """An admin removes a user's authenticator and recovery codes (a lost phone); returns devices removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    event_record(complaint=None, by=by, verb="2fa_reset",
                 summary=_("Verifikasi dua langkah %(user)s direset; akun harus mendaftar ulang.")
                 % {"user": user.get_username()})
    return removed


def second_factor_verify(*, user: Any, token: str) -> Device | None:
    """The device that accepts ``token``: six digits go to the authenticator, others to the recovery codes.

    Each device is locked for the check and throttled by django-otp after failures.
    """
    code = normalise_code(token)
    model: type[Device] = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def signin_login_record(*, user: Any, second_factor: str | None = None) -> Event:
    """A completed desk sign-in (``login``): admin activity is one of the ministry's figures."""
    data = {"second_factor": second_factor} if second_factor else {}
    return event_record(complaint=None, by=user, verb="login", summary=_("Masuk ke meja kerja."), data=data)
