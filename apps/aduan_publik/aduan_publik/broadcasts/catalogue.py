"""The provider's message templates in the desk: sync, what each category means, the preview.

Only APPROVED templates can be chosen. The body's ``{{1}}``, ``{{2}}`` … are filled from the
broadcast's variables; a variable may hold ``{nama}`` or ``{kecamatan}``, replaced per
recipient (the subscriber's name, their kecamatan).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..channels.registry import get_channel
from ..services.audit import event_record
from .models import Template

VARIABLE_RE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
PER_RECIPIENT = {"{nama}": "name", "{kecamatan}": "area_name"}

CATEGORY_MEANING: dict[str, Any] = {
    Template.Category.MARKETING: gettext_lazy(
        "Pemasaran: agenda, imbauan, program. Tarifnya lebih mahal dan WhatsApp membatasi jumlah pesan "
        "pemasaran per warga (galat 131049); warga dapat menolak semua pesan pemasaran (131050)."),
    Template.Category.UTILITY: gettext_lazy(
        "Utilitas: hanya untuk pemberitahuan layanan yang nyata (gangguan layanan, peringatan bencana, "
        "status permohonan). Lebih murah; Meta dapat mengubah kategorinya bila isinya promosi."),
    Template.Category.AUTHENTICATION: gettext_lazy("Autentikasi: kode sekali pakai, bukan untuk siaran."),
}


def _body_and_header(components: Sequence[Any]) -> tuple[str, str]:
    body, header = "", ""
    for comp in components:
        if not isinstance(comp, dict):
            continue
        if comp.get("type") == "BODY":
            body = str(comp.get("text") or "")
        elif comp.get("type") == "HEADER":
            header = str(comp.get("format") or "")
    return body, header


def variable_count(body: str) -> int:
    numbers = [int(n) for n in VARIABLE_RE.findall(body)]
    return max(numbers) if numbers else 0


@transaction.atomic
def templates_sync(*, channel: str = "whatsapp", by: Any = None) -> int:
    """Copy the provider's templates into the desk (insert or update by name + language).

    Templates gone from the provider stay in the desk marked ``DELETED`` (a broadcast may name one).
    """
    items = get_channel(channel).broadcast_templates()
    now = timezone.now()
    seen = set()
    for item in items:
        name, language = str(item.get("name") or ""), str(item.get("language") or "")
        if not name or not language:
            continue
        raw = item.get("components")
        components: list[Any] = raw if isinstance(raw, list) else []
        body, header = _body_and_header(components)
        Template.objects.update_or_create(
            channel=channel, name=name, language=language,
            defaults={"category": str(item.get("category") or "").upper(), "status": str(item.get("status") or ""),
                      "body": body, "variables": variable_count(body), "header_format": header,
                      "components": components, "provider_id": str(item.get("id") or ""), "synced_at": now},
        )
        seen.add((name, language))
    gone = [t.pk for t in Template.objects.filter(channel=channel) if (t.name, t.language) not in seen]
    Template.objects.filter(pk__in=gone).update(status="DELETED", synced_at=now)
    event_record(complaint=None, by=by, verb="templates_synced",
                 summary=_("Templat pesan WhatsApp disinkronkan (%(n)d templat).") % {"n": len(seen)},
                 data={"channel": channel, "count": len(seen)})
    return len(seen)


def fill(value: str, recipient: Any = None) -> str:
    """A variable's text for one recipient (``{nama}``, ``{kecamatan}`` replaced)."""
    for token, field in PER_RECIPIENT.items():
        if token in value:
            replacement = str(getattr(recipient, field, "") or "") if recipient is not None else token
            value = value.replace(token, replacement or _("Bapak/Ibu"))
    return value


def render(template: Template, variables: Sequence[str], recipient: Any = None) -> str:
    """The body as the resident reads it."""
    values = [fill(str(v), recipient) for v in variables]

    def one(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return values[index] if 0 <= index < len(values) and values[index] else match.group(0)

    return VARIABLE_RE.sub(one, template.body)
