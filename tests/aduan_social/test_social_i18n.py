"""The social package's English catalogue is complete and compiled, and residents get English when asked."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.utils import translation

import aduan_social
from aduan_social import privacy
from tests.aduan_publik.test_i18n import _unescape, po_entries

PACKAGE = Path(aduan_social.__file__).parent
PO_FILE = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}


def _source_msgids() -> set[str]:
    """Every literal string passed to ``_``/``gettext``/``gettext_lazy`` in the package."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_catalogue_covers_every_string_and_is_compiled():
    entries = po_entries(PO_FILE.read_text(encoding="utf-8"))[1:]
    translated = {_unescape(e["msgid"]): _unescape(e["msgstr"][0]) for e in entries if all(e["msgstr"])}
    missing = sorted(_source_msgids() - set(translated))
    assert missing == [], f"strings without an English entry: {missing[:5]}"
    assert not [e for e in entries if "fuzzy" in e["flags"]]
    with PO_FILE.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    assert {k: v for k, v in translated.items() if compiled.get(k) != v} == {}, "run compilemessages"


def test_public_reply_speaks_english_under_override():
    with translation.override("en"):
        assert privacy.public_ack("ADU-2026-000001") == (
            "Thank you, your complaint is recorded under number ADU-2026-000001. We will contact you by message.")
