"""An outside channel package runs the contract mixin with the shipped settings and pytest plugin.

A tiny package is written to a temporary folder (module, ``*.dist-info`` with its entry point,
pytest configuration, a contract test using the plugin's fixtures) and pytest is run on it in
a subprocess, with none of the hub's settings or conftest: only what a plugin author has.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aduan_publik.testing.entry_points import write_distribution

CHANNEL = '''
"""Kanal Luar: a channel written outside the hub (signed JSON webhooks, HTTP sending)."""
from aduan_publik.channels.base import RawInbound
from aduan_publik.testing.fake_channel import FakeHttpChannel


class KanalLuar(FakeHttpChannel):
    """The outside channel."""

    name = "kanal_luar"
    label = "Kanal Luar"
    %s
'''
CONSTANT_KEY = '''
    def inbound_key(self, raw: RawInbound) -> str:
        """Planted bug: one key for every delivery."""
        return "kiriman"
'''
CONTRACT_TEST = '''
import pytest

from aduan_publik.channels.base import RawInbound
from aduan_publik.models import InboundEvent
from aduan_publik.testing import fake_channel as fake
from aduan_publik.testing.channel_contract import ChannelContractTests

SECRET = "rahasia-luar"


def signed(delivery_id, messages, statuses=None, forged=False):
    return fake.delivery(delivery_id=delivery_id, messages=messages, statuses=statuses, forged=forged,
                         secret=SECRET.encode())


class TestKanalLuar(ChannelContractTests):
    channel_name = "kanal_luar"
    sample_items = 3

    @pytest.fixture(autouse=True)
    def _site(self, aduan_redis, fake_provider, channel_settings):
        self.provider = fake_provider
        channel_settings("kanal_luar", url=fake_provider.url, secret=SECRET)

    def sample_inbound(self):
        return signed("d1", [{"id": "m1", "from": "0812", "text": "Jalan rusak"},
                             {"id": "m2", "from": "0813", "text": "Lampu mati"}], [{"id": "o1", "status": "read"}])

    def another_inbound(self):
        return signed("d2", [{"id": "m3", "from": "0812", "text": "Sampah"}])

    def forged_inbound(self):
        return signed("d1", [{"id": "m1", "from": "0812", "text": "Jalan rusak"}], forged=True)

    def sample_handshake(self):
        return RawInbound(method="GET", body=b"", headers={}, query={"token": SECRET, "challenge": "5"}), "5"

    def forged_handshake(self):
        return RawInbound(method="GET", body=b"", headers={}, query={"token": "x", "challenge": "5"})

    def make_next_send_fail(self, kind):
        self.provider.reply_next(503 if kind == "temporary" else 400, {"error": kind})
        return True


@pytest.mark.django_db
def test_the_generic_webhook_stores_and_routes_a_delivery(client, aduan_redis, channel_settings,
                                                          django_capture_on_commit_callbacks):
    channel_settings("kanal_luar", url="http://127.0.0.1:9", secret=SECRET)
    raw = signed("d9", [{"id": "m9", "from": "0812", "text": "Banjir di RT 02"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/channels/kanal_luar/webhook", data=raw.body, content_type="application/json",
                               headers={"x-fake-signature": raw.headers["x-fake-signature"]})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert InboundEvent.objects.get().state == "processed"
'''
PYTEST_INI = """[pytest]
DJANGO_SETTINGS_MODULE = aduan_publik.testing.settings
addopts = -p aduan_publik.testing.pytest_plugin -p no:cacheprovider -rfs
"""


def _outside_package(root: Path, body: str = "") -> Path:
    write_distribution(root, "aduan_kanal_luar", {"kanal_luar": "aduan_kanal_luar:KanalLuar"},
                       modules={"aduan_kanal_luar": CHANNEL % body})
    (root / "tests").mkdir()
    (root / "tests" / "test_kanal_luar.py").write_text(CONTRACT_TEST)
    (root / "pytest.ini").write_text(PYTEST_INI)
    return root


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "DJANGO_", "PYTEST_"))}
    env["ADUAN_REDIS_URL"] = os.environ.get("ADUAN_REDIS_URL", "redis://127.0.0.1:6379/9")
    env["PYTHONPATH"] = str(root)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "tests"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.live
def test_an_outside_package_runs_the_contract(tmp_path):
    done = _pytest(_outside_package(tmp_path / "kanal_luar"))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " failed" not in done.stdout
    assert "implement make_next_send_fail" not in done.stdout  # the fake provider fixture did its part
    assert "test_contract_inbound_key_distinguishes_deliveries" not in done.stdout


@pytest.mark.live
def test_the_outside_run_fails_a_planted_bug(tmp_path):
    done = _pytest(_outside_package(tmp_path / "kanal_luar", CONSTANT_KEY))
    assert done.returncode == 1
    assert "FAILED tests/test_kanal_luar.py::TestKanalLuar::test_contract_inbound_key_distinguishes_deliveries" \
        in done.stdout
    assert "1 failed" in done.stdout
