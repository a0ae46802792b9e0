"""Writes of the Channel documents: save (validated, secrets encrypted), check, health, key rotation.

Every change writes an audit :class:`~aduan_publik.models.Event` (no complaint; the names of
the settings that changed, never a value) and drops the runtime snapshot after commit, so the
change takes effect without a restart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels import secrets
from ..channels.base import Setting
from ..channels.registry import UnknownChannel, get_channel
from ..models import ChannelInstance
from ..models.channel import INSTANCE_KEY_RE
from ..selectors.channel_instances import forget
from ..workflow import WorkflowError
from .audit import event_record

TOKEN_INVALID_CODE = "190"  # noqa: S105 (an error code, not a password). Graph API: the access token expired or was revoked


def _schema(channel: str) -> tuple[Setting, ...]:
    try:
        return type(get_channel(channel)).setting_schema()
    except UnknownChannel:
        raise WorkflowError(_("Jenis kanal %(c)s tidak terpasang.") % {"c": channel}) from None


def _merge(schema: tuple[Setting, ...], values: Mapping[str, Any], plain: dict[str, Any],
           hidden: dict[str, Any], enabled: bool) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """New (settings, secrets, changed names): an empty secret keeps the stored one.

    Required settings are required of an *enabled* instance: a disabled one may be a draft.
    """
    new_plain, new_hidden, changed = dict(plain), dict(hidden), []
    for item in schema:
        given = str(values.get(item.name) or "").strip()
        if item.secret:
            if given and given != hidden.get(item.name):
                new_hidden[item.name] = given
                changed.append(item.name)
        elif given != str(plain.get(item.name) or ""):
            if given:
                new_plain[item.name] = given
            else:
                new_plain.pop(item.name, None)
            changed.append(item.name)
    missing = [str(s.label or s.name) for s in schema
               if s.required and not (new_hidden if s.secret else new_plain).get(s.name)]
    if missing and enabled:
        raise WorkflowError(_("Pengaturan wajib belum diisi: %(keys)s. Isi, atau simpan sebagai nonaktif.")
                            % {"keys": ", ".join(missing)})
    return new_plain, new_hidden, changed


@dataclass
class _Draft:
    row: ChannelInstance
    plain: dict[str, Any]
    hidden: dict[str, Any]
    changed: list[str]


def _prepare(instance: ChannelInstance | None, *, channel: str, key: str, name: str, enabled: bool,
             is_default: bool, values: Mapping[str, Any], lock: bool) -> _Draft:
    """Check everything and compute the new values; writes nothing (WorkflowError when refused)."""
    if not re.match(INSTANCE_KEY_RE, key or ""):
        raise WorkflowError(_("Kode instans hanya boleh huruf kecil, angka, '-' atau '_' (maks. 32)."))
    if not (name or "").strip():
        raise WorkflowError(_("Nama kanal wajib diisi."))
    rows = ChannelInstance.objects.select_for_update() if lock else ChannelInstance.objects
    row = rows.get(pk=instance.pk) if instance is not None and instance.pk else ChannelInstance()
    if row.pk and row.channel != channel:
        raise WorkflowError(_("Jenis kanal tidak dapat diubah; buat kanal baru."))
    if ChannelInstance.objects.filter(channel=channel, key=key).exclude(pk=row.pk).exists():
        raise WorkflowError(_("Kode %(k)s sudah dipakai kanal %(c)s lain.") % {"k": key, "c": channel})
    if is_default and ChannelInstance.objects.filter(channel=channel, is_default=True).exclude(pk=row.pk).exists():
        raise WorkflowError(_("Kanal %(c)s sudah punya instans bawaan; lepaskan dulu tandanya di sana.")
                            % {"c": channel})
    try:
        hidden = secrets.decrypt(row.secrets)
    except secrets.SecretsUnreadable as exc:
        raise WorkflowError(str(exc)) from exc
    plain, hidden, changed = _merge(_schema(channel), values, dict(row.settings or {}), hidden, enabled)
    return _Draft(row, plain, hidden, changed)


def channel_instance_validate(*, instance: ChannelInstance | None, channel: str, key: str, name: str,
                              enabled: bool, is_default: bool, values: Mapping[str, Any]) -> None:
    """What :func:`channel_instance_save` would refuse, without writing (for the desk form's errors)."""
    _prepare(instance, channel=channel, key=key, name=name, enabled=enabled, is_default=is_default,
             values=values, lock=False)


@transaction.atomic
def channel_instance_save(*, instance: ChannelInstance | None, by: Any, channel: str, key: str, name: str,
                          enabled: bool, is_default: bool, values: Mapping[str, Any]) -> ChannelInstance:
    """Create or change a channel instance; ``values`` holds the schema's settings by name.

    Refused with nothing changed (:class:`WorkflowError`): an uninstalled type, a bad or taken
    key, a required setting of an enabled instance left empty, a second default. Secrets given
    empty keep their value. The audit event names what changed, never a value.
    """
    draft = _prepare(instance, channel=channel, key=key, name=name, enabled=enabled, is_default=is_default,
                     values=values, lock=True)
    row, changed, created = draft.row, draft.changed, draft.row.pk is None
    for attr, value in (("key", key), ("name", name.strip()), ("enabled", enabled), ("is_default", is_default)):
        if getattr(row, attr) != value:
            changed.append(attr)
        setattr(row, attr, value)
    row.channel, row.settings, row.secrets = channel, draft.plain, secrets.encrypt(draft.hidden)
    row.save()
    event_record(complaint=None, by=by, verb="channel_created" if created else "channel_changed",
                 summary=_("Kanal %(n)s (%(c)s/%(k)s) disimpan.") % {"n": row.name, "c": channel, "k": key},
                 data={"channel": channel, "key": key, "changed": sorted(set(changed))})
    forget()  # this transaction reads its own write at once...
    transaction.on_commit(forget)  # ...and a snapshot another thread took meanwhile is dropped on commit
    return row


@transaction.atomic
def channel_instance_check(*, instance: ChannelInstance, by: Any) -> ChannelInstance:
    """Run the plugin's ``check_connection`` for ``instance`` and keep the result on the document."""
    row = ChannelInstance.objects.select_for_update().get(pk=instance.pk)
    forget()  # check what is saved now, not a snapshot from seconds ago
    result = get_channel(row.channel, instance=row.key).check_connection()
    now = timezone.now()
    row.checked_at, row.check_ok, row.check_detail = now, result.ok, result.detail[:2000]
    if result.token_expires_at is not None:
        row.token_expires_at = result.token_expires_at
    if result.token_invalid:
        row.token_invalid_at = now
    elif result.ok:
        row.token_invalid_at = None
    row.save(update_fields=["checked_at", "check_ok", "check_detail", "token_expires_at", "token_invalid_at"])
    event_record(complaint=None, by=by, verb="channel_checked",
                 summary=_("Uji koneksi kanal %(c)s/%(k)s: %(r)s") % {
                     "c": row.channel, "k": row.key, "r": _("berhasil") if result.ok else _("gagal")},
                 data={"channel": row.channel, "key": row.key, "ok": result.ok})
    return row


def channel_error_record(*, channel: str, instance: str, error: str, code: str = "") -> None:
    """Remember a provider error of an instance for its health (error 190: the token is refused).

    One UPDATE, no lock: it runs in send jobs and must never hold them up or fail them.
    """
    rows = ChannelInstance.objects.filter(channel=channel)
    rows = rows.filter(key=instance) if instance else rows.filter(is_default=True)
    changes: dict[str, Any] = {"last_error": error[:2000], "last_error_at": timezone.now()}
    if code == TOKEN_INVALID_CODE:
        changes["token_invalid_at"] = changes["last_error_at"]
    rows.update(**changes)


@transaction.atomic
def channel_keys_rotate(*, keys: list[str]) -> int:
    """Re-encrypt every instance's secrets with ``keys[0]`` (``keys`` must hold the old ones too).

    Returns how many documents were re-encrypted. Raises :class:`secrets.SecretsUnreadable`
    (nothing changed) when a document was encrypted with a key not in ``keys``.
    """
    count = 0
    for row in ChannelInstance.objects.select_for_update().exclude(secrets=""):
        row.secrets = secrets.rotate(row.secrets, keys)
        row.save(update_fields=["secrets"])
        count += 1
    forget()
    transaction.on_commit(forget)
    return count
