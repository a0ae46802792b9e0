"""The contract mixin itself: it passes on a well-behaved channel and fails on a broken one."""

from __future__ import annotations

import pytest

from aduan_publik.channels.base import (
    ContactRef,
    OutboundMessage,
    PermanentChannelError,
    RawInbound,
    TemporaryChannelError,
)
from aduan_publik.testing import fake_channel as fake
from aduan_publik.testing.channel_contract import ChannelContractTests
from aduan_publik.testing.entry_points import installed_channels

SLOPPY = '''
"""A channel that breaks the contract in every way the mixin checks."""
import json
from aduan_publik.channels.base import Capabilities, Channel, SendResult


class SloppyChannel(Channel):
    """Sloppy."""
    name = "sloppy"
    label = "Sloppy"
    capabilities = Capabilities(inbound=True, outbound=True)

    def verify_inbound(self, raw):
        return None  # accepts forgeries

    def parse_inbound(self, raw):
        return [json.loads(raw.body)]  # not normalised; JSONDecodeError on garbage

    def send(self, message):
        return SendResult(state="delivered")
'''


class TestFakeChannelContract(ChannelContractTests):
    """The shipped FakeChannel honours the contract, webhooks included."""

    channel_name = "fake"
    sample_items = 3

    @pytest.fixture(autouse=True)
    def _installed(self, fake_channel):
        yield

    def sample_inbound(self) -> RawInbound:
        return fake.delivery(messages=[{"id": "m1", "from": "0812", "text": "Halo"},
                                       {"id": "m2", "from": "0813", "text": "Banjir"}],
                             statuses=[{"id": "out-1", "status": "read"}])

    def another_inbound(self) -> RawInbound:
        return fake.delivery(delivery_id="d2", messages=[{"id": "m3", "from": "0812", "text": "Lampu mati"}])

    def forged_inbound(self) -> RawInbound:
        return fake.delivery(messages=[{"id": "m1", "from": "0812", "text": "Halo"}], forged=True)

    def sample_handshake(self) -> tuple[RawInbound, str]:
        return RawInbound(method="GET", body=b"", headers={},
                          query={"token": "fake-verify-token", "challenge": "42"}), "42"

    def forged_handshake(self) -> RawInbound:
        return RawInbound(method="GET", body=b"", headers={}, query={"token": "tebakan", "challenge": "42"})

    def make_next_send_fail(self, kind: str) -> bool:
        fake.FakeChannel.fail_with = (TemporaryChannelError("sibuk") if kind == "temporary"
                                      else PermanentChannelError("nomor salah"))
        return True


class SloppyContract(ChannelContractTests):
    channel_name = "sloppy"

    def sample_inbound(self) -> RawInbound:
        return RawInbound(method="POST", body=b'{"id": "1"}', headers={"x-sig": "ok"})

    def forged_inbound(self) -> RawInbound:
        return RawInbound(method="POST", body=b'{"id": "1"}', headers={"x-sig": "forged"})


@pytest.fixture
def sloppy(tmp_path):
    with installed_channels(tmp_path, {"sloppy": "plugin_sloppy:SloppyChannel"}, modules={"plugin_sloppy": SLOPPY}):
        yield SloppyContract()


@pytest.mark.parametrize("check", [
    "test_contract_verify_refuses_forged_delivery",
    "test_contract_parse_returns_normalised_items",
    "test_contract_malformed_body_raises_payload_error",
    "test_contract_send_returns_send_result",
])
def test_mixin_catches_a_broken_channel(sloppy, check):
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        getattr(sloppy, check)()


def test_mixin_passes_the_sloppy_channel_where_it_is_right(sloppy):
    sloppy.test_contract_registered_through_entry_point()
    sloppy.test_contract_inbound_key_is_stable()
    result = sloppy.channel().send(OutboundMessage(message_id=1, to=ContactRef(address="x"), text="t",
                                                   tracking_number="A"))
    assert result.state == "delivered"


CONNECTS_ANYWAY = '''
"""A channel whose connection check lies or breaks the contract."""
from aduan_publik.channels.base import Channel, ConnectionCheck, Setting


class LiarChannel(Channel):
    """Says it is connected without its settings; declares a setting twice."""
    name = "liar"
    label = "Liar"
    required_settings = ("api_key",)
    settings_schema = (Setting("api_key", "Kunci", secret=True), Setting("api_key", "Lagi"))

    def check_connection(self):
        """Always fine."""
        return ConnectionCheck(ok=True, detail="oke")


class CrashChannel(Channel):
    """Its check raises instead of reporting."""
    name = "crash"
    label = "Crash"

    def check_connection(self):
        """Raises."""
        raise RuntimeError("boom")
'''


class LiarContract(ChannelContractTests):
    channel_name = "liar"


class CrashContract(ChannelContractTests):
    channel_name = "crash"


@pytest.fixture
def liars(tmp_path, db):
    with installed_channels(tmp_path, {"liar": "plugin_liar:LiarChannel", "crash": "plugin_liar:CrashChannel"},
                            modules={"plugin_liar": CONNECTS_ANYWAY}):
        yield LiarContract(), CrashContract()


def test_mixin_catches_a_connection_check_that_lies_or_raises(liars):
    liar, crash = liars
    with pytest.raises(AssertionError, match="cannot be connected"):
        liar.test_contract_check_connection_reports()
    with pytest.raises(AssertionError, match="declared twice"):
        liar.test_contract_settings_schema()
    with pytest.raises(RuntimeError):
        crash.test_contract_check_connection_reports()
    crash.test_contract_settings_schema()  # no settings at all is a valid schema
