#!/usr/bin/env python3
"""A git merge driver for gettext catalogues: both sides' entries, each msgid once.

Branches that each append translations to the end of the same ``django.po`` conflict on
every merge. This driver keeps every entry of ours and adds each entry of theirs whose
(msgctxt, msgid) ours lacks; an entry both sides changed keeps ours. Enable it once per clone:

    git config merge.po.driver "python3 scripts/po_merge.py %O %A %B"

(``.gitattributes`` names it for ``*.po``). Recompile the ``.mo`` after a merge.
"""

from __future__ import annotations

import sys


def entries(text: str) -> list[str]:
    """The catalogue's entries: blocks separated by blank lines (the header is the first)."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def key(block: str) -> str:
    """msgctxt + msgid lines (continuations included), the identity of an entry."""
    lines, keep = [], False
    for line in block.splitlines():
        if line.startswith(("msgctxt", "msgid")):
            keep = True
        elif line.startswith("msgstr") or line.startswith("#"):
            keep = False
        if keep:
            lines.append(line)
    return "\n".join(lines)


def merge(ours: str, theirs: str) -> str:
    merged = entries(ours)
    seen = {key(b) for b in merged}
    for block in entries(theirs):
        k = key(block)
        if k and k not in seen:
            merged.append(block)
            seen.add(k)
    return "\n\n".join(merged) + "\n"


def main() -> int:
    _base, ours_path, theirs_path = sys.argv[1:4]
    with open(ours_path, encoding="utf-8") as f:
        ours = f.read()
    with open(theirs_path, encoding="utf-8") as f:
        theirs = f.read()
    with open(ours_path, "w", encoding="utf-8") as f:
        f.write(merge(ours, theirs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
