"""Master lists of SP4N-LAPOR!: institutions (targets of *bukan wewenang*) and follow-up templates.

``/masters/institutions/external`` and ``/masters/templates`` are read page by page
(``page_size``, ``?page=N`` while ``results.next_page_url``) into :class:`LaporInstitution`
and :class:`LaporTemplate`. An entry missing from a completely read list is marked inactive,
never deleted (an old outbox row may still name it). An unreadable entry is skipped visibly.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aduan_publik import access, queueing
from aduan_publik.channels.base import ChannelError

from .api import ApiConfig, current_config
from .client import LaporClient
from .models import LaporInstitution, LaporTemplate, SkippedRecord, SyncState
from .skipped import skipped_record
from .wire import MasterItem, RecordError, SkippedItem, parse_master, parse_page, raw_excerpt

MAX_MASTER_PAGES = 200
MASTERS_JOB_ID = "lapor-masters"
MASTERS_JOB = "aduan_publik.channels.lapor.jobs.masters"  # stored in Redis by path: keep it stable


def _read_master(cfg: ApiConfig, client: LaporClient, name: str) -> list[MasterItem]:
    """Every entry of one master list; raises ChannelError/RecordError when a page cannot be read."""
    found: list[MasterItem] = []
    for page in range(1, MAX_MASTER_PAGES + 1):
        listing = parse_page(cfg, client.master(name, page), "master_items", f"master {name}")
        for index, raw in enumerate(listing.items):
            try:
                found.append(parse_master(cfg, name, raw))
            except RecordError as exc:
                key = f"{name}:p{page}#{index + 1}"
                skipped_record(kind=SkippedRecord.Kind.MASTER, item=SkippedItem(key, str(exc), raw_excerpt(raw)))
        if not listing.has_next or not listing.items:
            break
    return found


@transaction.atomic
def _store_institutions(items: list[MasterItem]) -> int:
    known = {i.remote_id: i for i in LaporInstitution.objects.all()}
    fresh, changed = [], []
    for item in {i.remote_id: i for i in items}.values():
        row = known.get(item.remote_id)
        if row is None:
            fresh.append(LaporInstitution(remote_id=item.remote_id, name=item.name[:300]))
        elif row.name != item.name[:300] or not row.active:
            row.name, row.active = item.name[:300], True
            changed.append(row)
    LaporInstitution.objects.bulk_create(fresh, batch_size=500)
    LaporInstitution.objects.bulk_update(changed, ["name", "active"], batch_size=500)
    LaporInstitution.objects.exclude(remote_id__in=[i.remote_id for i in items]).update(active=False)
    return len(items)


@transaction.atomic
def _store_templates(items: list[MasterItem]) -> int:
    for item in items:
        LaporTemplate.objects.update_or_create(code=item.code[:80], defaults={
            "remote_id": item.remote_id[:40], "title": item.name[:300], "kind": item.kind[:80],
            "content": item.content, "active": True})
    LaporTemplate.objects.exclude(code__in=[i.code[:80] for i in items]).update(active=False)
    return len(items)


def masters_sync(*, cfg: ApiConfig | None = None, client: LaporClient | None = None) -> dict[str, int]:
    """Read both master lists into the desk; returns how many entries each had.

    Raises :class:`~aduan_publik.channels.base.ChannelError` (or :class:`RecordError` for a page
    of the wrong shape) and then changes nothing of that list.
    """
    cfg = cfg or current_config()
    client = client or LaporClient(cfg)
    counts = {
        "institutions": _store_institutions(_read_master(cfg, client, "institutions")),
        "templates": _store_templates(_read_master(cfg, client, "templates")),
    }
    SyncState.objects.get_or_create(key="default")
    SyncState.objects.filter(key="default").update(masters_synced_at=timezone.now(), masters_error="")
    return counts


def masters_run() -> dict[str, Any]:
    """The scheduled or requested master sync: its outcome is kept on :class:`SyncState` for the desk."""
    SyncState.objects.get_or_create(key="default")
    SyncState.objects.filter(key="default").update(masters_tried_at=timezone.now())
    try:
        return dict(masters_sync())
    except (ChannelError, RecordError) as exc:
        SyncState.objects.filter(key="default").update(masters_error=str(exc))
        return {"error": str(exc)}


def masters_request(*, by: Any) -> None:
    """An admin asks for the master lists now (the desk's button); it runs as a job."""
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat menyinkronkan master SP4N-LAPOR!."))
    queueing.enqueue(MASTERS_JOB, queue="long", job_id=MASTERS_JOB_ID)


def institution_match(text: str) -> LaporInstitution | None:
    """The synced institution ``text`` names: its LAPOR! id, or its exact name (any case)."""
    text = (text or "").strip()
    if not text:
        return None
    active = LaporInstitution.objects.filter(active=True)
    return active.filter(remote_id=text).first() or active.filter(name__iexact=text).first()


def followup_template_code(cfg: ApiConfig) -> str:
    """The template code our follow-ups carry: the site's setting, else the desk's default, else none."""
    configured = str(cfg.opt("followup_template") or "")
    if configured:
        return configured
    default = LaporTemplate.objects.filter(is_followup_default=True, active=True).values_list("code", flat=True)
    return default.first() or ""


@transaction.atomic
def template_make_default(*, template: LaporTemplate, by: Any) -> LaporTemplate:
    """Make ``template`` the one our follow-ups carry (only one at a time)."""
    if not access.actor_for(by).is_admin:
        raise PermissionDenied(_("Hanya admin yang dapat memilih templat tindak lanjut."))
    LaporTemplate.objects.exclude(pk=template.pk).update(is_followup_default=False)
    LaporTemplate.objects.filter(pk=template.pk).update(is_followup_default=True)
    template.is_followup_default = True
    return template
