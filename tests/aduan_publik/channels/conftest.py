"""Fixtures of the channel tests: the fake channel installed through a real entry point."""

from __future__ import annotations

import pytest

from aduan_publik.testing.entry_points import installed_channels
from aduan_publik.testing.fake_channel import FakeChannel

FAKE = {"fake": "aduan_publik.testing.fake_channel:FakeChannel"}


@pytest.fixture
def fake_channel(tmp_path):
    """``FakeChannel`` registered as ``fake`` for one test, with an empty outbox."""
    FakeChannel.reset()
    with installed_channels(tmp_path / "plugins", FAKE):
        yield FakeChannel
    FakeChannel.reset()
