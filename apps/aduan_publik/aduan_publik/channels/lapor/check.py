"""The "check connection": what a city's credentials really get from SP4N-LAPOR!, found on day one.

One harmless read of a master list (``/masters/institutions/external``, a few entries) tells
whether the base URL answers, whether the credentials pass under the configured header names,
how the answer is wrapped, how it pages and how it writes dates. When a report is already
linked, its follow-ups are read too (the times LAPOR! writes there). The findings are kept
(:class:`ConnectionCheck`) so the mapping in ``site_config.json`` can be adjusted to them.
Nothing is written to LAPOR!; no credential value is ever stored or shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from aduan_publik.channels.base import ChannelError, PermanentChannelError

from .api import ApiConfig, current_config, dig, dig_found, is_missing
from .client import LaporClient
from .models import ConnectionCheck, LaporLink
from .wire import parse_date_text

# Where public code and older APIs keep the items and the paging facts, tried in this order.
WRAPPERS = ("results.data", "data", "results", "result.data")
PAGING = ("results.next_page_url", "results.last_page", "results.total", "next_page_url", "meta.last_page",
          "links.next")


def wrapper_of(body: Any) -> str:
    """Where the answer keeps its list of items ("" when nowhere we know)."""
    if isinstance(body, list):
        return "(larik di akar)"
    for path in WRAPPERS:
        if isinstance(dig(body, path), list):
            return path
    return ""


def dates_in(items: list[Any], formats: tuple[str, ...]) -> dict[str, str]:
    """For each date-like field of the first items: the format that reads it, or a warning."""
    found: dict[str, str] = {}
    for item in items[:5]:
        if not isinstance(item, Mapping):
            continue
        for key, value in item.items():
            if key in found or not isinstance(value, str) or not (key.endswith("_at") or "date" in key):
                continue
            pattern = parse_date_text(value.strip(), formats)[1]
            found[key] = f"{pattern} ({value})" if pattern else _("TIDAK DIKENALI (%(v)s)") % {"v": value}
    return found


def _describe(cfg: ApiConfig, body: Any, configured: str) -> dict[str, Any]:
    wrapper = wrapper_of(body)
    items = body if isinstance(body, list) else (dig(body, wrapper) if wrapper else None) or []
    return {
        "wrapper": wrapper or _("tidak dikenali"),
        "wrapper_matches_config": wrapper == configured,
        "paging": [path for path in PAGING if not is_missing(dig_found(body, path))],
        "items": len(items),
        "item_keys": sorted(items[0])[:40] if items and isinstance(items[0], Mapping) else [],
        "dates": dates_in(items, cfg.date_formats),
        "top_keys": sorted(body)[:20] if isinstance(body, Mapping) else [],
    }


def _probe(cfg: ApiConfig, client: LaporClient, findings: dict[str, Any]) -> bool:
    """The master list call; fills ``findings`` and says whether the credentials passed."""
    try:
        body = client.master("institutions", page=1, page_size=3, tries=1)
    except PermanentChannelError as exc:
        findings["auth"] = _("ditolak") if exc.code in ("401", "403") else _("diterima, tetapi permintaan ditolak")
        findings["error"] = str(exc)
        return False
    except ChannelError as exc:
        findings["auth"] = _("tidak diketahui (API tidak terjangkau)")
        findings["error"] = str(exc)
        return False
    findings["auth"] = _("diterima")
    findings["masters"] = _describe(cfg, body, cfg.list_shape["master_items"])
    link = LaporLink.objects.filter(source="api").order_by("-synced_at").first() or LaporLink.objects.first()
    if link is not None:
        try:
            followups = client.json("GET", cfg.url("followups", id=link.lapor_id), tries=1)
            findings["followups"] = {"lapor_id": link.lapor_id,
                                     **_describe(cfg, followups, cfg.list_shape["followup_items"])}
        except ChannelError as exc:
            findings["followups"] = {"lapor_id": link.lapor_id, "error": str(exc)}
    return True


def summary_lines(findings: Mapping[str, Any]) -> list[str]:
    """The findings in plain Indonesian, for the desk and the command line."""
    lines = [_("Alamat API: %(u)s") % {"u": findings["base_url"]},
             _("Header kredensial: %(h)s") % {"h": ", ".join(findings["header_names"])},
             _("Kredensial: %(a)s") % {"a": findings.get("auth", "-")}]
    if findings.get("error"):
        lines.append(_("Galat: %(e)s") % {"e": findings["error"]})
    for part, label in (("masters", _("Master instansi")), ("followups", _("Tindak lanjut"))):
        found = findings.get(part)
        if not found or "wrapper" not in found:
            continue
        lines.append(_("%(p)s: data di «%(w)s»%(ok)s, %(n)d entri, paging: %(g)s") % {
            "p": label, "w": found["wrapper"], "n": found["items"], "g": ", ".join(found["paging"]) or "-",
            "ok": "" if found["wrapper_matches_config"] else _(" (BEDA dengan konfigurasi)")})
        for key, pattern in found["dates"].items():
            lines.append(_("%(p)s: tanggal %(k)s dibaca sebagai %(f)s") % {"p": label, "k": key, "f": pattern})
    return lines


def connection_check(*, by: str = "", cfg: ApiConfig | None = None, client: LaporClient | None = None
                     ) -> ConnectionCheck:
    """Call a harmless endpoint, describe what came back, keep it. Never raises for LAPOR!'s errors."""
    cfg = cfg or current_config()
    findings: dict[str, Any] = {"base_url": cfg.base_url, "header_names": sorted(cfg.headers()),
                                "configured": {"wrapper": cfg.list_shape["master_items"],
                                               "date_formats": list(cfg.date_formats)}}
    try:
        ok = _probe(cfg, client or LaporClient(cfg), findings)
    except ChannelError as exc:  # not even configured
        findings["auth"], findings["error"], ok = "-", str(exc), False
    return ConnectionCheck.objects.create(checked_by=by[:150], ok=ok, base_url=cfg.base_url[:300],
                                          summary="\n".join(summary_lines(findings)), findings=findings)
