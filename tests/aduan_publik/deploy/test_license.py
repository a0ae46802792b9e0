"""Issue 14 point 9: the licence the README and the package name is in the repository, in full."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

BENCH = Path(settings.BENCH_DIR)


def test_license_file_is_the_agpl_v3_text_named_by_readme_and_package():
    text = (BENCH / "LICENSE").read_text(encoding="utf-8")
    head = text.lstrip().splitlines()[:2]
    assert [line.strip() for line in head] == ["GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3, 19 November 2007"]
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) > 600  # the full text, not a pointer to it
    project = tomllib.loads((BENCH / "apps" / "aduan_publik" / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert "Licence: AGPL-3.0-or-later" in (BENCH / "README.md").read_text()
