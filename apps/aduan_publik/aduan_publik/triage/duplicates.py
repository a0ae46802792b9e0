"""Duplicate candidates: the same incident told twice, through any channel, judged by text, place and topic.

The score is a weighted sum in [0, 1]; a pair at or above :data:`THRESHOLD` is a candidate. The
weights and threshold were set on the held-out pairs of the starter set (``triage-eval`` reports
precision and recall). Candidates are only ever shown to the admin: merging is their click.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .gazetteer import Place

TEXT_WEIGHT, PLACE_WEIGHT, TOPIC_WEIGHT = 0.4, 0.35, 0.25
THRESHOLD = 0.48  # chosen on a separately seeded dev set (precision 0.97, recall 0.85 there)
UNKNOWN_PLACE = 0.3
DIFFERENT_PLACE_PENALTY = 0.3  # one side names no place: neither for nor against


@dataclass(frozen=True)
class Item:
    """What the duplicate finder compares: a text vector, a place, coordinates and the predicted topic."""

    vector: Any  # a unit-length 1 x n sparse row (TriageModel.vectors)
    place: Place
    topics: dict[str, float]  # predicted category codes with their probabilities
    opds: dict[str, float]  # predicted OPD codes with their probabilities
    lat: float | None = None
    lon: float | None = None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def place_match(a: Item, b: Item) -> float:
    """1 for the same spot, 0 for different known places, :data:`UNKNOWN_PLACE` when one side is silent."""
    if None not in (a.lat, a.lon, b.lat, b.lon):
        metres = distance_m(a.lat, a.lon, b.lat, b.lon)  # type: ignore[arg-type]
        return 1.0 if metres <= 250 else 0.5 if metres <= 1000 else 0.0
    pa, pb = a.place, b.place
    if pa.street and pb.street:
        return 1.0 if pa.street == pb.street else 0.0
    if pa.kelurahan and pb.kelurahan:
        return 1.0 if pa.kelurahan == pb.kelurahan else 0.0
    if pa.kecamatan and pb.kecamatan:
        return 0.7 if pa.kecamatan == pb.kecamatan else 0.0
    return UNKNOWN_PLACE


def score(a: Item, b: Item) -> float:
    text = float(a.vector.multiply(b.vector).sum())
    # How much the two guesses overlap, by category or (categories of one OPD are alike) by OPD.
    topic = max(_overlap(a.topics, b.topics), _overlap(a.opds, b.opds))
    place = place_match(a, b)
    # Two known, different places are two incidents however alike the words ("sampah menumpuk ...").
    penalty = DIFFERENT_PLACE_PENALTY if place == 0.0 else 0.0
    return TEXT_WEIGHT * text + PLACE_WEIGHT * place + TOPIC_WEIGHT * topic - penalty


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(min(p, b.get(code, 0.0)) for code, p in a.items())


def ranked(item: Item, others: list[tuple[Any, Item]], *, limit: int = 5) -> list[tuple[Any, float]]:
    """The others scoring at or above the threshold, best first: ``[(key, score)]``."""
    scored = [(key, score(item, other)) for key, other in others]
    return sorted([(k, s) for k, s in scored if s >= THRESHOLD], key=lambda ks: -ks[1])[:limit]
