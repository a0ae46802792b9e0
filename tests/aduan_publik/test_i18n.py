"""English translation: the catalogue is complete, and the desk and workflow errors really speak English.

Indonesian is the source language (the msgids); English is the second language, chosen per request by
``LocaleMiddleware`` (language cookie or ``Accept-Language``) or in code with ``translation.override``.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import aduan_publik
from aduan_publik import workflow
from aduan_publik.models import Complaint
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept
from aduan_publik.workflow import WorkflowError
from tests.aduan_publik.desk.desk_helpers import client_for

PO_FILE = Path(aduan_publik.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
_STRING = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$')


def po_entries(text: str) -> list[dict]:
    """Parse a .po file into entries: {"flags": set, "msgid": str, "msgstr": [str, ...]} (obsolete skipped).

    Small on purpose (the project has no .po library as a dependency): it reads what
    ``makemessages``/``msgcat`` write — keywords, continuation lines, ``#,`` flag lines.
    """
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict = {"flags": set(), "msgid": "", "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif (match := _STRING.match(line)) is not None:
                key = match.group(1)
                _add(entry, key, match.group(2), new=True)
            elif line.startswith('"') and key:
                _add(entry, key, line[1:-1], new=False)
        if entry["msgstr"]:  # a block of only "#~" obsolete lines has none
            entries.append(entry)
    return entries


def _add(entry: dict, key: str, value: str, *, new: bool) -> None:
    if key.startswith("msgstr"):
        if new:
            entry["msgstr"].append("")
        entry["msgstr"][-1] += value
    elif key == "msgid":
        entry["msgid"] += value


def test_parser_sees_empty_and_fuzzy_entries():
    """The checks below are only as good as the parser: an empty and a fuzzy entry must be caught."""
    sample = ('msgid ""\nmsgstr "Language: en\\n"\n\n#, fuzzy, python-format\nmsgid "a %(n)s"\nmsgstr "b"\n\n'
              'msgid "c"\nmsgstr ""\n\nmsgid "d"\nmsgid_plural "ds"\nmsgstr[0] "e"\nmsgstr[1] ""\n\n'
              'msgid ""\n"long "\n"f"\nmsgstr ""\n"g"\n')
    entries = po_entries(sample)
    assert [e["msgid"] for e in entries] == ["", "a %(n)s", "c", "d", "long f"]
    assert "fuzzy" in entries[1]["flags"]
    assert entries[2]["msgstr"] == [""]
    assert entries[3]["msgstr"] == ["e", ""]
    assert entries[4]["msgstr"] == ["g"]


def test_english_catalogue_is_complete_and_compiled():
    entries = po_entries(PO_FILE.read_text(encoding="utf-8"))
    assert len(entries) > 500, "the catalogue looks truncated"
    header, body = entries[0], entries[1:]
    assert header["msgid"] == ""
    empty = [e["msgid"] for e in body if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in body if "fuzzy" in e["flags"]]
    assert empty == [], f"{len(empty)} untranslated strings, e.g. {empty[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy strings, e.g. {fuzzy[:5]}"
    # Compare contents, not file times (a git checkout sets the times in any order).
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    stale = [e["msgid"] for e in body if len(e["msgstr"]) == 1
             and compiled.get(_unescape(e["msgid"])) != _unescape(e["msgstr"][0])]
    assert stale == [], f"django.mo differs from django.po for {len(stale)} strings (run compilemessages): {stale[:3]}"


def _unescape(text: str) -> str:
    """The .po escapes (as makemessages writes them) back to the string the .mo holds."""
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def test_python_format_placeholders_survive_translation():
    """A translation that drops or renames %(name)s would crash or lie at run time."""
    placeholder = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdf]")
    wrong = [
        e["msgid"] for e in po_entries(PO_FILE.read_text(encoding="utf-8"))[1:]
        if "python-format" in e["flags"]
        and any(sorted(set(placeholder.findall(s))) != sorted(set(placeholder.findall(e["msgid"])))
                for s in e["msgstr"][:1])
    ]
    assert wrong == []


@pytest.mark.django_db
def test_workflow_error_is_english_under_override(complaint):
    """Resuming a complaint that was never postponed is refused, in the active language."""
    with translation.override("en"), pytest.raises(WorkflowError) as refused:
        workflow.ensure_allowed("resume", complaint)
    message = refused.value.messages[0]
    assert message == f"Complaint {complaint.tracking_number} is «Not yet verified»: cannot resume."

    with translation.override("id"), pytest.raises(WorkflowError) as ditolak:
        workflow.ensure_allowed("resume", complaint)
    assert "tidak dapat lanjutkan" in ditolak.value.messages[0]


@pytest.mark.django_db
def test_desk_page_speaks_english_when_asked(complaint, admin_user, liaison_pu, opd_pu):
    """The desk change page of a complaint in progress, with the language cookie set to English."""
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=complaint.dispositions.get(), by=liaison_pu)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.IN_PROGRESS
    url = reverse("admin:aduan_publik_complaint_change", args=[complaint.pk])

    client = client_for(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url)
    assert english.status_code == 200
    page = english.content.decode()
    assert "In progress" in page
    assert "Dalam proses" not in page
    assert "Timeline" in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page_id = client.get(url).content.decode()
    assert "Dalam proses" in page_id and "In progress" not in page_id
    with translation.override("en"):
        assert str(Complaint.Status.IN_PROGRESS.label) == "In progress"
