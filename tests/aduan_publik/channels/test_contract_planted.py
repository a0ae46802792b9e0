"""The planted-bug experiment: the contract mixin fails every channel with one plausible bug.

Each class of ``planted_channels`` is installed as ``fake`` through a real entry point, with a
configured site and a fake provider on 127.0.0.1, and every ``test_contract_*`` check runs
against it. The correct reference channels must pass every check; each planted bug must make
the check named for it fail.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from aduan_publik.channels.base import RawInbound
from aduan_publik.testing import fake_channel as fake
from aduan_publik.testing.channel_contract import ChannelContractTests
from aduan_publik.testing.contract_base import SEND_FAILURES
from aduan_publik.testing.entry_points import installed_channels
from aduan_publik.testing.fake_provider import FakeProvider

pytestmark = pytest.mark.django_db
SECRET = "rahasia-uji"
TOKEN_HEADER = "x-fake-token"

# planted bug → the check that must catch it
PLANTED = {
    "ConstantInboundKey": "test_contract_inbound_key_distinguishes_deliveries",
    "UnstableInboundKey": "test_contract_inbound_key_is_stable",
    "DeliveryIdAsMessageId": "test_contract_message_ids_are_unique_and_stable",
    "IndexAsMessageId": "test_contract_message_ids_are_unique_and_stable",
    "RandomMessageIds": "test_contract_message_ids_are_unique_and_stable",
    "DropsBatchItems": "test_contract_parse_keeps_every_item",
    "UnconfiguredAcceptsAll": "test_contract_unconfigured_site_refuses_deliveries",
    "AcceptsForgeries": "test_contract_verify_refuses_forged_delivery",
    "HandshakeAnyToken": "test_contract_handshake_checks_the_token",
    "StaticTokenUndeclared": "test_contract_static_secret_headers_are_sensitive",
    "NaiveTimestamps": "test_contract_parse_returns_normalised_items",
    "GarbageRaisesValueError": "test_contract_malformed_body_raises_payload_error",
    "ProviderStatusWords": "test_contract_parse_returns_normalised_items",
    "WrongChannelOnItems": "test_contract_parse_returns_normalised_items",
    "InterceptsEverything": "test_contract_ordinary_messages_are_not_intercepted",
    "ConfigNotACopy": "test_contract_config_is_a_copy",
    "SendIgnoresHttpErrors": "test_contract_send_maps_provider_errors[temporary]",
    "SendAllErrorsPermanent": "test_contract_send_maps_provider_errors[temporary]",
    "SendWithoutProviderId": "test_contract_send_returns_send_result",
    "SendClaimsDelivered": "test_contract_send_returns_send_result",
    "ReceiptsWithoutCapability": "test_contract_parse_returns_normalised_items",
}
REFERENCES = {"FakeHttpChannel": "aduan_publik.testing.fake_channel:FakeHttpChannel",
              "StaticTokenDeclared": "planted_channels:StaticTokenDeclared"}


def _signed(delivery_id: str, messages: list[dict[str, Any]], statuses: list[dict[str, Any]] | None = None,
            *, forged: bool = False) -> RawInbound:
    raw = fake.delivery(delivery_id=delivery_id, messages=messages, statuses=statuses, forged=forged,
                        secret=SECRET.encode())
    token = "salah" if forged else SECRET  # for the channels that authenticate by a static token
    return RawInbound(method="POST", body=raw.body, headers={**raw.headers, TOKEN_HEADER: token})


class PlantedContract(ChannelContractTests):
    """The contract as a plugin author would write it for the fake HTTP channel."""

    channel_name = "fake"
    sample_items = 3

    def __init__(self, provider: FakeProvider):
        self.provider = provider

    def sample_inbound(self) -> RawInbound:
        return _signed("d1", [{"id": "m1", "from": "0812", "text": "Jalan rusak"},
                              {"id": "m2", "from": "0813", "text": "Lampu mati"}],
                       [{"id": "out-1", "status": "read"}])

    def another_inbound(self) -> RawInbound:
        return _signed("d2", [{"id": "m3", "from": "0812", "text": "Sampah menumpuk"}])

    def forged_inbound(self) -> RawInbound:
        return _signed("d1", [{"id": "m1", "from": "0812", "text": "Jalan rusak"}], forged=True)

    def sample_handshake(self) -> tuple[RawInbound, str]:
        return RawInbound(method="GET", body=b"", headers={}, query={"token": SECRET, "challenge": "9"}), "9"

    def forged_handshake(self) -> RawInbound:
        return RawInbound(method="GET", body=b"", headers={}, query={"token": "tebakan", "challenge": "9"})

    def make_next_send_fail(self, kind: str) -> bool:
        self.provider.reply_next(503 if kind == "temporary" else 400, {"error": kind})
        return True


def run_contract(case: ChannelContractTests) -> dict[str, str]:
    """Run every contract check the way pytest would; check id → passed / skipped / failed: why."""
    outcomes: dict[str, str] = {}
    for name in sorted(n for n in dir(case) if n.startswith("test_contract_")):
        params = inspect.signature(getattr(case, name)).parameters
        variants = [(f"{name}[{k}]", {"kind": k}) for k in SEND_FAILURES] if "kind" in params else [(name, {})]
        for check_id, kwargs in variants:
            if "db" in params:
                kwargs["db"] = None
            case.provider.clear_replies()  # a check that never sent leaves no answer behind
            try:
                getattr(case, name)(**kwargs)
            except pytest.skip.Exception as exc:
                outcomes[check_id] = f"skipped: {exc}"
            except (Exception, pytest.fail.Exception) as exc:
                outcomes[check_id] = f"failed: {type(exc).__name__}: {exc}"
            else:
                outcomes[check_id] = "passed"
    return outcomes


@pytest.fixture
def contract(settings, tmp_path):
    """Install a channel class as ``fake`` on a configured site; returns a runner of the mixin."""
    fake.FakeChannel.reset()
    with FakeProvider() as provider:
        settings.ADUAN = {**settings.ADUAN, "channels": {"fake": {"url": provider.url, "secret": SECRET}}}

        def run(target: str) -> dict[str, str]:
            with installed_channels(tmp_path / target.replace(":", "_"), {"fake": target}, dist_name="planted"):
                return run_contract(PlantedContract(provider))

        yield run
    fake.FakeChannel.reset()


@pytest.mark.parametrize("target", REFERENCES.values(), ids=REFERENCES.keys())
def test_reference_channels_pass_every_check(contract, target):
    outcomes = contract(target)
    assert {k: v for k, v in outcomes.items() if v != "passed" and not _expected_skip(v)} == {}
    assert outcomes["test_contract_send_maps_provider_errors[temporary]"] == "passed"  # really ran


def _expected_skip(outcome: str) -> bool:
    return outcome.startswith("skipped") and any(
        reason in outcome for reason in ("takes webhooks", "no status_sync"))


@pytest.mark.parametrize(("bug", "check"), PLANTED.items(), ids=PLANTED.keys())
def test_mixin_fails_a_planted_bug(contract, bug, check):
    outcomes = contract(f"planted_channels:{bug}")
    assert outcomes[check].startswith("failed"), f"{bug} got through {check}: {outcomes[check]}"


def test_the_experiment_has_at_least_fourteen_bugs():
    assert len(PLANTED) >= 14 and len(set(PLANTED)) == len(PLANTED)
