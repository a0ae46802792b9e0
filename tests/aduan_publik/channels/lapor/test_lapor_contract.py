"""SP4N-LAPOR! keeps the channel contract (registered by entry point, documented, status_sync)."""

from __future__ import annotations

import pytest

from aduan_publik.testing.channel_contract import ChannelContractTests


@pytest.mark.django_db
class TestLaporChannelContract(ChannelContractTests):
    channel_name = "lapor"
