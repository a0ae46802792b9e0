"""Triage reads for the desk: the stored suggestion of a complaint, in the shape the verify form shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import access
from ..models import OPD, Category, Complaint, TriageSuggestion
from . import NOT_A_COMPLAINT, NOT_AUTHORITY


@dataclass
class Advice:
    """``opds``: ``[(OPD or None, code, percent)]`` (None for BUKAN_WEWENANG / NONE)."""

    suggestion: TriageSuggestion
    opds: list[tuple[OPD | None, str, int]]
    category: Category | None
    category_pct: int
    duplicates: list[tuple[Complaint, int]] = field(default_factory=list)

    @property
    def top_opd(self) -> OPD | None:
        return self.opds[0][0] if self.opds else None

    @property
    def top_code(self) -> str:
        return self.opds[0][1] if self.opds else ""

    @property
    def not_authority(self) -> bool:
        return self.top_code == NOT_AUTHORITY

    @property
    def not_a_complaint(self) -> bool:
        return self.top_code == NOT_A_COMPLAINT

    @property
    def terms(self) -> list[str]:
        return list((self.suggestion.reason or {}).get("terms", []))

    @property
    def similar(self) -> list[str]:
        return list((self.suggestion.reason or {}).get("similar", []))


def desk_advice(*, complaint: Complaint, user: Any) -> Advice | None:
    """The suggestion of ``complaint`` with its OPDs, category and duplicate candidates resolved.

    Duplicate candidates are those ``user`` may see and that can still be merged into (not archived).
    """
    suggestion = (TriageSuggestion.objects.filter(complaint=complaint)
                  .select_related("kecamatan", "kelurahan").first())
    if suggestion is None:
        return None
    by_code = {o.code: o for o in OPD.objects.filter(code__in=[o["code"] for o in suggestion.opds], active=True)}
    opds = [(by_code.get(o["code"]), o["code"], round(100 * o["p"])) for o in suggestion.opds[:3]
            if o["code"] in by_code or o["code"] in (NOT_AUTHORITY, NOT_A_COMPLAINT)]
    top_cat = suggestion.categories[0] if suggestion.categories else None
    category = Category.objects.filter(code=top_cat["code"], active=True).first() if top_cat else None
    scores = {d["id"]: d["score"] for d in suggestion.duplicates}
    visible = (access.complaints_visible_to(user).filter(pk__in=list(scores))
               .exclude(status=Complaint.Status.ARCHIVED).exclude(pk=complaint.pk))
    duplicates = sorted(((c, round(100 * scores[c.pk])) for c in visible), key=lambda cs: -cs[1])
    return Advice(suggestion=suggestion, opds=opds, category=category,
                  category_pct=round(100 * top_cat["p"]) if top_cat and category else 0, duplicates=duplicates)
