"""Fixtures of the channel tests: the fake channel installed through a real entry point."""

from __future__ import annotations

import pytest

from aduan_publik.testing.fake_channel import fake_channel_installed


@pytest.fixture
def fake_channel(tmp_path):
    """``FakeChannel`` registered as ``fake`` for one test, with an empty outbox."""
    with fake_channel_installed(tmp_path / "plugins") as channel:
        yield channel
