"""Real-browser fixtures: Debian's chromium driven by Playwright against Django's live server.

Screenshots go to ``test-artifacts/screenshots/`` (kept by CI as artifacts), or under
``$ADUAN_TEST_ARTIFACTS`` when set (``make test`` gives each database's run its own folder). The tests are
skipped, with the reason, only where no chromium binary exists; ``make test`` installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ADUAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("ADUAN_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts") \
    / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM} (make test installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser):
    """A 360 px wide phone screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, locale="id-ID")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def screenshot():
    """Call ``screenshot(page, "name")`` to keep a PNG of what a person would see."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(pg, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return take
