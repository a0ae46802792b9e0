"""Triage writes: the suggestion stored for a new complaint (the admin's choice: ``outcomes``).

The suggestion is advice: storing it changes nothing about the complaint (no audit event, no
status). This module loads the model (scikit-learn): only the job imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ..models import OPD, Area, Category, Complaint, TriageSuggestion
from . import NOT_A_COMPLAINT, NOT_AUTHORITY, spam, store
from .finder import duplicate_candidates, similar_past
from .gazetteer import site_gazetteer
from .text import complaint_text

logger = logging.getLogger(__name__)
SPECIAL = (NOT_AUTHORITY, NOT_A_COMPLAINT)


def suggestion_create(*, complaint_id: int) -> TriageSuggestion | None:
    """Suggest OPDs, category and area, find duplicate candidates and screen for spam; store it.

    Idempotent: a complaint that already has a suggestion keeps it. Returns None when the
    complaint is gone.
    """
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return None
    existing = TriageSuggestion.objects.filter(complaint=complaint).first()
    if existing is not None:
        return existing
    model = store.load()
    text = complaint_text(complaint.title, complaint.description)
    pred = model.predict(text)
    place = site_gazetteer(store.site_dir()).find(f"{text} {complaint.location_text}")
    opds = _known(pred.opds, set(OPD.objects.filter(active=True).values_list("code", flat=True)) | set(SPECIAL))
    cats = _known(pred.categories, set(Category.objects.filter(active=True).values_list("code", flat=True)))
    p_none = dict(pred.opds).get(NOT_A_COMPLAINT, 0.0)
    score, ads = spam.spam_score(text, p_none)
    areas = {a.code: a for a in Area.objects.filter(code__in=[c for c in (place.kecamatan, place.kelurahan) if c])}
    values: dict[str, Any] = {
        "model_version": str(model.info.get("trained_at", ""))[:60],
        "opds": opds, "categories": cats, "place_terms": list(place.terms),
        "kecamatan": areas.get(place.kecamatan or ""), "kelurahan": areas.get(place.kelurahan or ""),
        "spam_score": score, "is_spam": spam.is_spam(score), "spam_signs": ads,
    }
    values["duplicates"] = duplicate_candidates(complaint, model, text, place, pred)
    values["reason"] = {"terms": pred.terms, "street": place.street,
                        "similar": similar_past(complaint, model, text, opds[0]["code"] if opds else None)}
    with transaction.atomic():
        suggestion, _created = TriageSuggestion.objects.get_or_create(complaint=complaint, defaults=values)
    return suggestion


def _known(ranked: Iterable[tuple[str, float]], codes: set[str]) -> list[dict[str, Any]]:
    """Only labels this site has (a starter model knows the demo city's codes), rounded for storage."""
    return [{"code": code, "p": round(p, 4)} for code, p in ranked if code in codes]
