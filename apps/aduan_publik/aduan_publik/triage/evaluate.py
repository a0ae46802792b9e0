"""Measuring the model on a labelled JSONL set it may never have seen (``aduan triage-eval``).

Each line: ``{"text", "opd", "category"}`` (``opd`` may be ``BUKAN_WEWENANG`` or ``NONE``,
``category`` null), optionally ``"dup_of": i`` or ``"not_dup_of": i`` naming another line (0-based).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import duplicates
from .gazetteer import Gazetteer, without_places
from .model import TriageModel


class EvalFileError(ValueError):
    """A line the evaluation cannot read; the message names it."""


@dataclass
class Scores:
    top1: float
    top3: float
    category_top1: float | None
    dup_precision: float | None
    dup_recall: float | None
    n: int

    def line(self) -> str:
        def f(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.3f}"
        return (f"top1={f(self.top1)} top3={f(self.top3)} category_top1={f(self.category_top1)} "
                f"dup_precision={f(self.dup_precision)} dup_recall={f(self.dup_recall)} n={self.n}")


def check_rows(rows: list[Any]) -> list[dict[str, Any]]:
    """Validate the lines; raises :class:`EvalFileError` naming the first bad one."""
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(row.get("opd"), str):
            raise EvalFileError(f"line {i + 1}: needs a string 'text' and a string 'opd'")
        for key in ("dup_of", "not_dup_of"):
            ref = row.get(key)
            if ref is not None and (not isinstance(ref, int) or not 0 <= ref < len(rows) or ref == i):
                raise EvalFileError(f"line {i + 1}: '{key}' must be the index of another line (0-{len(rows) - 1})")
    return rows


def evaluate(model: TriageModel, gazetteer: Gazetteer, rows: list[dict[str, Any]]) -> Scores:
    check_rows(rows)
    texts = [r["text"] for r in rows]
    preds = model.predict_many(texts, top=3)
    top1 = sum(p.opds[0][0] == r["opd"] for p, r in zip(preds, rows, strict=True))
    top3 = sum(r["opd"] in [c for c, _ in p.opds] for p, r in zip(preds, rows, strict=True))
    with_cat = [(p, r) for p, r in zip(preds, rows, strict=True) if r.get("category")]
    cat1 = sum(bool(p.categories) and p.categories[0][0] == r["category"] for p, r in with_cat)
    precision, recall = _duplicates(model, gazetteer, rows, preds)
    n = len(rows)
    return Scores(top1=top1 / n if n else 0.0, top3=top3 / n if n else 0.0,
                  category_top1=cat1 / len(with_cat) if with_cat else None,
                  dup_precision=precision, dup_recall=recall, n=n)


def items(model: TriageModel, gazetteer: Gazetteer, texts: list[str], preds: list[Any]) -> list[duplicates.Item]:
    places = [gazetteer.find(t) for t in texts]
    vectors = model.vectors([without_places(t, p) for t, p in zip(texts, places, strict=True)])
    return [duplicates.Item(vector=vectors[i], place=places[i], topics=dict(preds[i].categories[:3]),
                            opds=dict(preds[i].opds[:3])) for i in range(len(texts))]


def _duplicates(model: TriageModel, gazetteer: Gazetteer, rows: list[dict[str, Any]],
                preds: list[Any]) -> tuple[float | None, float | None]:
    pairs = [(i, r["dup_of"], True) for i, r in enumerate(rows) if r.get("dup_of") is not None]
    pairs += [(i, r["not_dup_of"], False) for i, r in enumerate(rows) if r.get("not_dup_of") is not None]
    if not pairs:
        return None, None
    its = items(model, gazetteer, [r["text"] for r in rows], preds)
    flagged = [(is_dup, duplicates.score(its[i], its[j]) >= duplicates.THRESHOLD) for i, j, is_dup in pairs]
    tp = sum(d and f for d, f in flagged)
    fp = sum(f and not d for d, f in flagged)
    dups = sum(d for d, _ in flagged)
    return (tp / (tp + fp) if tp + fp else None), (tp / dups if dups else None)
