"""Fixtures of the SP4N-LAPOR! tests: a running fake LAPOR! and the site configured for it."""

from __future__ import annotations

import pytest
from fakes.lapor_server import FakeLapor


@pytest.fixture
def fake_lapor():
    with FakeLapor() as fake:
        yield fake


@pytest.fixture
def lapor_site(settings, fake_lapor):
    """Point the site's ``channels.lapor`` at the fake; returns a function to change options."""

    def configure(**extra):
        settings.ADUAN = {**settings.ADUAN, "channels": {"lapor": fake_lapor.site_config(**extra)}}
        return fake_lapor

    configure(per_page=3)
    return configure
