"""Spam screening: a flag for the admin, never a deletion.

A message is flagged when the model is confident it is no complaint at all (``NONE``: ads, tests,
greetings) or when it carries the marks of advertising (links, "promo", "slot", "pinjaman"...).
The admin still decides: archive as spam, or verify as usual.
"""

from __future__ import annotations

from .text import normalise

AD_WORDS = {"promo", "gacor", "slot", "maxwin", "pinjaman", "giveaway", "loker", "diskon", "jual", "urlx",
            "klik", "daftar", "cair", "herbal", "pelangsing", "follow", "investasi", "bonus"}
NONE_CONFIDENT = 0.6


def spam_score(text: str, p_none: float) -> tuple[float, list[str]]:
    """A score in [0, 1] (the model's "not a complaint" probability, or the advertising words'
    weight) and the advertising words found (shown to the admin)."""
    ads = sorted(set(normalise(text).split()) & AD_WORDS)
    return round(max(p_none, min(1.0, 0.35 * len(ads))), 3), ads


def is_spam(score: float) -> bool:
    return score >= NONE_CONFIDENT
