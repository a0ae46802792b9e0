"""Areas recognised in a complaint's text: kelurahan and kecamatan names, and streets and places.

The gazetteer is the site's ``Area`` table (names) plus an optional street list in
``<site>/triage/gazetteer.json`` (``{"streets": {"Gajah Mada": "<area code>", ...}}``). Without one,
the demo city's streets are used for the areas whose codes the site has (the demo seed's codes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..demo.city import AREAS
from .text import normalise

# One-word area names that are also common words: they count only after "kelurahan"/"kecamatan".
GENERIC = {"tengah", "kota", "barat", "timur", "utara", "selatan", "mariana"}


@dataclass(frozen=True)
class Place:
    kecamatan: str | None = None  # area codes
    kelurahan: str | None = None
    street: str | None = None  # the normalised street or place name that matched
    terms: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return bool(self.kecamatan or self.kelurahan or self.street)


@dataclass(frozen=True)
class Entry:
    pattern: re.Pattern[str]
    name: str
    kecamatan: str | None
    kelurahan: str | None
    street: bool


def without_places(text: str, place: Place) -> str:
    """The text with the recognised place names taken out: what happened, for comparing two reports
    (the place is compared on its own, so "jalan gajah mada" must not make two issues look alike)."""
    norm = " " + normalise(text) + " "
    for term in place.terms:
        norm = norm.replace(f" {term} ", " ")
    return norm.strip()


def demo_streets() -> dict[str, str]:
    """The demo city's streets, each mapped to its kecamatan code as the demo seed writes it."""
    return {street.removeprefix("Jl. "): info["opd"].replace("KEC-", "KEC-PTK-")
            for info in AREAS.values() for street in info["streets"]}


def demo_areas() -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) of the demo city, for a gazetteer without a database."""
    rows: list[tuple[str, str, str, str | None]] = []
    for kec, info in AREAS.items():
        code = info["opd"].replace("KEC-", "KEC-PTK-")
        rows.append((code, kec, "kecamatan", None))
        rows += [(f"KEL-{k.upper().replace(' ', '-')}", k, "kelurahan", code) for k in info["kelurahan"]]
    return rows


class Gazetteer:
    """Finds the most specific area named in a text (longest names first)."""

    def __init__(self, areas: list[tuple[str, str, str, str | None]], streets: dict[str, str]) -> None:
        parents = {code: parent for code, _n, _l, parent in areas}
        levels = {code: level for code, _n, level, _p in areas}
        entries: list[Entry] = []
        for code, name, level, parent in areas:
            kel = code if level == "kelurahan" else None
            kec = parent if kel else code
            entries.append(_entry(name, kec, kel, street=False))
        for street, code in streets.items():
            if code in levels:
                kel = code if levels[code] == "kelurahan" else None
                entries.append(_entry(street, parents.get(code) if kel else code, kel, street=True))
        self.entries = sorted(entries, key=lambda e: -len(e.name))

    def find(self, text: str) -> Place:
        norm = " " + normalise(text) + " "
        place = self._match(lambda e: bool(e.pattern.search(norm)))
        if place.kelurahan:
            return place
        tokens = norm.split()  # no kelurahan written exactly: try names with a typo in them (slower)
        return self._match(lambda e: bool(e.pattern.search(norm)) or _fuzzy(e, tokens))

    def _match(self, hit: Callable[[Entry], bool]) -> Place:
        kec = kel = street = None
        terms: list[str] = []
        for entry in self.entries:
            if not hit(entry):
                continue
            if entry.street and street is None:
                street, kec = entry.name, kec or entry.kecamatan
                terms.append(entry.name)
            elif entry.kelurahan and kel is None:
                kel, kec = entry.kelurahan, entry.kecamatan
                terms.append(entry.name)
            elif not entry.street and not entry.kelurahan and kec is None:
                kec = entry.kecamatan
                terms.append(entry.name)
        return Place(kecamatan=kec, kelurahan=kel, street=street, terms=tuple(terms))


def _close(a: str, b: str) -> bool:
    """Equal, or (words of five letters or more) one letter dropped, added, changed or two swapped."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return (a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:]
            or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1]))


def _fuzzy(entry: Entry, tokens: list[str]) -> bool:
    """The name with a typo in it ("Siatan Hulu"): every word close, at least one long word among them."""
    words = entry.name.split()
    if len(words) < 2 and (len(entry.name) < 6 or entry.name in GENERIC):
        return False
    n, first = len(words), words[0]
    return any(abs(len(tokens[i]) - len(first)) <= 1 and tokens[i][:1] in (first[:1], first[1:2])
               and all(_close(w, t) for w, t in zip(words, tokens[i:i + n], strict=True))
               for i in range(len(tokens) - n + 1))


def _entry(name: str, kec: str | None, kel: str | None, *, street: bool) -> Entry:
    norm = normalise(name)
    if " " not in norm and norm in GENERIC:
        rx = rf" (?:kelurahan|kecamatan) {re.escape(norm)} "
    else:
        rx = rf" {re.escape(norm)} "
    return Entry(re.compile(rx), norm, kec, kel, street)


def site_gazetteer(site_dir: Path | None) -> Gazetteer:
    """The site's gazetteer from its database areas and street file (the demo city's when it has none)."""
    from ..models import Area

    rows = [(a.code, a.name, a.level, a.parent.code if a.parent_id else None)  # type: ignore[union-attr]
            for a in Area.objects.select_related("parent")]
    streets: dict[str, Any] = demo_streets()
    path = site_dir / "triage" / "gazetteer.json" if site_dir else None
    if path is not None and path.is_file():
        streets = json.loads(path.read_text(encoding="utf-8")).get("streets", {})
    return Gazetteer(rows or demo_areas(), streets)
