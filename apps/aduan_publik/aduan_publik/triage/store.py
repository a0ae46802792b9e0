"""The model of a site: trained, saved under ``<site>/triage/model.joblib``, loaded once per process.

A new site starts from the starter set; the nightly job (:func:`retrain`) trains on the site's own
verified history, topped up with the starter set while that history is small.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.utils import timezone

from . import NOT_A_COMPLAINT, NOT_AUTHORITY, starter
from .model import TriageModel

logger = logging.getLogger(__name__)
_LOCK = threading.Lock()
_CACHE: dict[str, tuple[float, TriageModel]] = {}


def options() -> dict[str, Any]:
    """The site's ``triage`` settings (site_config.json) over the defaults."""
    defaults = {"enabled": True, "duplicate_days": 14, "min_history": 500, "history_limit": 100_000}
    return {**defaults, **getattr(settings, "SITE_CONFIG", {}).get("triage", {})}


def site_dir() -> Path:
    return Path(settings.SITE_DIR)


def model_path() -> Path:
    return site_dir() / "triage" / "model.joblib"


def taxonomy_rows(*, from_db: bool = True) -> list[dict[str, Any]]:
    """The site's own words for its work: each category's name (with its parent's) and its OPD's name
    and code, labelled with that OPD. Residents write "RSUD", "dpmptsp", "rumah tidak layak huni"."""
    pairs: list[tuple[str, str, str, str]] = []  # (category code, category text, OPD code, OPD name)
    if from_db:
        from ..models import Category

        for c in Category.objects.filter(active=True, default_opd__isnull=False).select_related("parent",
                                                                                                "default_opd"):
            parent = c.parent.name if c.parent_id else ""  # type: ignore[union-attr]
            pairs.append((c.code, f"{c.name} {parent}", c.default_opd.code, c.default_opd.name))  # type: ignore[union-attr]
    if not pairs:
        pairs = starter.taxonomy()
    rows = []
    for code, text, opd, opd_name in pairs:
        rows += [{"text": text, "opd": opd, "category": code}, {"text": f"{opd_name} {opd}", "opd": opd,
                                                                "category": code}]
    return rows * 2  # twice: a phrase the site wrote itself weighs like a few resident reports


def train(rows: list[dict[str, Any]], *, source: str, taxonomy: list[dict[str, Any]] | None = None) -> TriageModel:
    """Train on ``{"text", "opd", "category"}`` rows plus the taxonomy's own words."""
    started = time.perf_counter()
    rows = rows + (taxonomy if taxonomy is not None else taxonomy_rows())
    model = TriageModel().fit([r["text"] for r in rows], [r["opd"] for r in rows],
                              [r.get("category") for r in rows])
    model.info.update(source=source, trained_at=timezone.now().isoformat(timespec="seconds"),
                      seconds=round(time.perf_counter() - started, 2))
    return model


def train_starter(*, from_db: bool = True) -> TriageModel:
    return train(starter.read(split="train"), source="starter", taxonomy=taxonomy_rows(from_db=from_db))


def save(model: TriageModel, path: Path | None = None) -> Path:
    """Write atomically: a worker loading the model meanwhile reads the old file or the new, never half."""
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    joblib.dump(model, tmp, compress=3)
    os.replace(tmp, path)
    return path


def load() -> TriageModel:
    """The site's model; trained from the starter set and saved on first use."""
    path = model_path()
    with _LOCK:
        if not path.exists():
            logger.info("triage: no model at %s yet; training the starter model", path)
            save(train_starter(), path)
        mtime = path.stat().st_mtime
        cached = _CACHE.get(str(path))
        if cached is None or cached[0] != mtime:
            _CACHE[str(path)] = (mtime, joblib.load(path))
        return _CACHE[str(path)][1]


def history_rows(limit: int) -> list[dict[str, Any]]:
    """The site's verified decisions as training rows, newest first.

    The label is what the admins finally chose: the OPDs of the first disposition (the first, when
    several), ``BUKAN_WEWENANG`` for complaints forwarded elsewhere, ``NONE`` for those archived as spam.
    """
    from ..models import Complaint, Disposition

    rows: list[dict[str, Any]] = []
    done = Complaint.objects.filter(verified_at__isnull=False).order_by("-verified_at")[:limit]
    first_opd: dict[int, str] = {}
    for d in (Disposition.objects.filter(complaint__in=done).order_by("complaint_id", "created_at", "pk")
              .values("complaint_id", "opd__code")):
        first_opd.setdefault(d["complaint_id"], d["opd__code"])
    for c in done.values("pk", "title", "description", "category__code"):
        if c["pk"] in first_opd:
            rows.append({"text": _text(c), "opd": first_opd[c["pk"]], "category": c["category__code"]})
    outside = Complaint.objects.filter(status=Complaint.Status.NOT_AUTHORITY).order_by("-closed_at")[: limit // 10]
    spam = Complaint.objects.filter(archive_reason=Complaint.ArchiveReason.SPAM).order_by("-closed_at")[: limit // 10]
    rows += [{"text": _text(c), "opd": NOT_AUTHORITY, "category": None} for c in outside.values("title", "description")]
    rows += [{"text": _text(c), "opd": NOT_A_COMPLAINT, "category": None} for c in spam.values("title", "description")]
    return rows


def _text(row: Mapping[str, Any]) -> str:
    from .text import complaint_text

    return complaint_text(row["title"], row["description"])


def retrain() -> TriageModel:
    """The nightly training: the site's history, topped up with the starter set while it is small."""
    opts = options()
    history = history_rows(int(opts["history_limit"]))
    rows, source = history, "history"
    if len(history) < int(opts["min_history"]):
        rows = history + starter.read(split="train")
        source = "history+starter" if history else "starter"
    model = train(rows, source=source)
    model.info["history_rows"] = len(history)
    save(model)
    return model
