"""Reads behind a suggestion: duplicate candidates among recent complaints, similar past decisions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..models import Complaint, Disposition, TriageSuggestion
from . import duplicates, store
from .gazetteer import Place, without_places
from .model import Prediction, TriageModel
from .text import complaint_text

CANDIDATE_LIMIT = 500  # the most recent complaints of the window: bounded work per new complaint
SIMILAR_LIMIT, SIMILAR_MIN = 300, 0.3


def _coord(value: Any) -> float | None:
    return None if value is None else float(value)


def duplicate_candidates(complaint: Complaint, model: TriageModel, text: str, place: Place,
                         pred: Prediction) -> list[dict[str, Any]]:
    """Complaints of the last N days (any channel) that may tell the same incident, best first."""
    since = complaint.received_at - timedelta(days=int(store.options()["duplicate_days"]))
    others = list(
        Complaint.objects.filter(received_at__gte=since, received_at__lte=complaint.received_at,
                                 duplicate_of__isnull=True)
        .exclude(pk=complaint.pk).exclude(archive_reason=Complaint.ArchiveReason.SPAM)
        .select_related("category", "kecamatan", "kelurahan").order_by("-received_at")[:CANDIDATE_LIMIT]
    )
    if not others:
        return []
    stored = {s.complaint_id: s for s in TriageSuggestion.objects.filter(complaint__in=others)
              .select_related("kecamatan", "kelurahan")}
    places = [_place(o, stored.get(o.pk)) for o in others]
    vectors = model.vectors([without_places(text, place)] + [
        without_places(complaint_text(o.title, o.description), p) for o, p in zip(others, places, strict=True)])
    me = duplicates.Item(vector=vectors[0], place=place, topics=dict(pred.categories[:3]),
                         opds=dict(pred.opds[:3]), lat=_coord(complaint.latitude), lon=_coord(complaint.longitude))
    items = [(o, _item(o, stored.get(o.pk), places[i], vectors[i + 1])) for i, o in enumerate(others)]
    return [{"id": o.pk, "tracking_number": o.tracking_number, "score": round(s, 3)}
            for o, s in duplicates.ranked(me, items)]


def _place(c: Complaint, s: TriageSuggestion | None) -> Place:
    """Where an earlier complaint happened: the admin's areas first, then what the text named."""
    kec = c.kecamatan.code if c.kecamatan_id else (s.kecamatan.code if s and s.kecamatan_id else None)  # type: ignore[union-attr]
    kel = c.kelurahan.code if c.kelurahan_id else (s.kelurahan.code if s and s.kelurahan_id else None)  # type: ignore[union-attr]
    street = (s.reason or {}).get("street") if s else None
    return Place(kecamatan=kec, kelurahan=kel, street=street, terms=tuple(s.place_terms) if s else ())


def _item(c: Complaint, s: TriageSuggestion | None, place: Place, vector: Any) -> duplicates.Item:
    """What is known of an earlier complaint: the admin's category before the model's guess."""
    topics = {c.category.code: 1.0} if c.category_id else {o["code"]: o["p"] for o in (s.categories if s else [])}  # type: ignore[union-attr]
    opds = {o["code"]: o["p"] for o in (s.opds if s else [])}
    return duplicates.Item(vector=vector, place=place, topics=topics, opds=opds, lat=_coord(c.latitude),
                           lon=_coord(c.longitude))


def similar_past(complaint: Complaint, model: TriageModel, text: str, opd_code: str | None) -> list[str]:
    """Up to three verified complaints sent to the suggested OPD that read most alike (tracking numbers)."""
    if not opd_code:
        return []
    ids = (Disposition.objects.filter(opd__code=opd_code).exclude(complaint=complaint)
           .order_by("-created_at").values_list("complaint_id", flat=True)[:SIMILAR_LIMIT])
    past = list(Complaint.objects.filter(pk__in=list(ids)).only("pk", "tracking_number", "title", "description"))
    if not past:
        return []
    vectors = model.vectors([text] + [complaint_text(p.title, p.description) for p in past])
    sims = (vectors[1:] @ vectors[0].T).toarray().ravel()
    ranked = sorted(zip(sims, past, strict=True), key=lambda sp: -sp[0])
    return [p.tracking_number for s, p in ranked[:3] if s >= SIMILAR_MIN]
