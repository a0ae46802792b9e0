"""``aduan --site S triage-eval FILE.jsonl``: one line of figures, clear errors for bad files."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^top1=(\S+) top3=(\S+) category_top1=(\S+) dup_precision=(\S+) dup_recall=(\S+) n=(\d+)$")


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run(path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("triage-eval", str(path), stdout=out)
    return out.getvalue().strip()


def test_prints_the_figures_of_an_unseen_set(city, tmp_path):
    rows = [
        {"text": "lampu jalan di jalan Gajah Mada mati sudah seminggu", "opd": "DISHUB", "category": "lampu-jalan"},
        {"text": "min lampu pju di jln gajah mada padam gelap bgt", "opd": "DISHUB", "category": "lampu-jalan",
         "dup_of": 0},
        {"text": "listrik padam dari pagi, pln tidak ada kabar", "opd": "BUKAN_WEWENANG", "category": None},
        {"text": "sampah menumpuk di tps jalan Khatulistiwa", "opd": "DLH", "category": "sampah", "not_dup_of": 0},
    ]
    found = LINE.match(run(write(tmp_path / "set.jsonl", rows)))
    assert found is not None
    top1, top3, cat1, precision, recall, n = found.groups()
    assert (top1, top3, cat1, precision, recall, n) == ("1.000", "1.000", "1.000", "1.000", "1.000", "4")


def test_without_duplicate_lines_the_duplicate_figures_are_na(city, tmp_path):
    line = run(write(tmp_path / "set.jsonl", [{"text": "tes", "opd": "NONE", "category": None}]))
    assert line.endswith("dup_precision=n/a dup_recall=n/a n=1") and "category_top1=n/a" in line


@pytest.mark.parametrize(("content", "message"), [
    ('{"text": "a", "opd": "DLH"}\n{"opd": "DLH"}\n', "line 2"),
    ('{"text": "a", "opd": "DLH", "dup_of": 7}\n', "dup_of"),
    ("not json\n", "not JSON lines"),
    ("", "no lines"),
])
def test_bad_files_are_refused_clearly(city, tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(path)


def test_missing_file(city, tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        run(tmp_path / "nope.jsonl")
