"""message_send_direct: a channel's command handler answers outside any complaint, once."""

from __future__ import annotations

import pytest

from aduan_publik.channels.base import ContactRef
from aduan_publik.models import Complaint, Event, InboundEvent, Message
from aduan_publik.services.inbound import inbound_event_process, inbound_event_retry, inbound_event_store
from aduan_publik.services.outbound import message_send_direct
from aduan_publik.testing import fake_channel
from aduan_publik.testing.entry_points import installed_channels
from aduan_publik.testing.fake_channel import FakeChannel

pytestmark = pytest.mark.django_db

COMMANDS = '''
"""A channel with a /start command, answered outside any complaint."""
from aduan_publik.testing.fake_channel import FakeChannel


class CommandChannel(FakeChannel):
    """FakeChannel that answers /start with a welcome text."""

    def intercept(self, message):
        """Answer /start; everything else is routed as usual."""
        from aduan_publik.services.outbound import message_send_direct

        if message.text.strip() != "/start":
            return False
        message_send_direct(channel=self.name, to=message.sender, reply_to=message.external_id,
                            text="Selamat datang. Tulis aduan Anda di sini.")
        return True
'''


@pytest.fixture
def commands(tmp_path):
    FakeChannel.reset()
    with installed_channels(tmp_path, {"fake": "plugin_commands:CommandChannel"},
                            modules={"plugin_commands": COMMANDS}):
        yield FakeChannel
    FakeChannel.reset()


def test_a_command_is_answered_once_without_opening_a_complaint(commands, admin_user,
                                                               django_capture_on_commit_callbacks):
    raw = fake_channel.delivery(delivery_id="d1", messages=[{"id": "m1", "from": "62811", "text": "/start"}])
    with django_capture_on_commit_callbacks(execute=True):
        event, _created = inbound_event_store(channel="fake", raw=raw, dedupe_key="d1")
    event.refresh_from_db()
    assert event.state == InboundEvent.State.PROCESSED
    # An admin processes the delivery again: the handler runs again, nothing is sent twice.
    InboundEvent.objects.filter(pk=event.pk).update(state=InboundEvent.State.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_retry(event=event, by=admin_user)
    inbound_event_process(event_id=event.pk)
    answer = Message.objects.get(direction="out")
    assert answer.complaint is None and answer.contact.address == "62811"
    assert answer.state == "sent" and answer.external_id == f"fake-out-{answer.pk}"
    assert [m.text for m in commands.sent] == ["Selamat datang. Tulis aduan Anda di sini."]
    assert [m.tracking_number for m in commands.sent] == [""]
    assert not Complaint.objects.exists()
    assert Event.objects.filter(verb="direct_message", complaint=None).count() == 1


def test_bad_input_is_refused_and_changes_nothing(fake_channel_db):
    with pytest.raises(Exception, match="Pesan kosong"):
        message_send_direct(channel="fake", to=ContactRef(address="62811"), text="   ")
    with pytest.raises(Exception, match="tidak dapat mengirim pesan"):
        message_send_direct(channel="lapor_tanpa_kirim", to=ContactRef(address="62811"), text="Halo")
    assert not Message.objects.exists() and not Event.objects.exists()


@pytest.fixture
def fake_channel_db(tmp_path):
    source = ('"""Inbound only."""\nfrom aduan_publik.channels.base import Capabilities\n'
              'from aduan_publik.testing.fake_channel import FakeChannel\n\n\n'
              'class InboundOnly(FakeChannel):\n    """Takes messages, sends none."""\n'
              '    name = "lapor_tanpa_kirim"\n    capabilities = Capabilities(inbound=True, outbound=False)\n')
    with installed_channels(tmp_path, {"fake": "aduan_publik.testing.fake_channel:FakeChannel",
                                       "lapor_tanpa_kirim": "plugin_inbound_only:InboundOnly"},
                            modules={"plugin_inbound_only": source}):
        yield


def test_an_unchanged_plugins_answer_goes_out_through_the_instance_being_routed(
        commands, django_capture_on_commit_callbacks):
    """The plugin's intercept names no instance: the delivery's instance is used (routing_instance)."""
    raw = fake_channel.delivery(delivery_id="d7", messages=[{"id": "m7", "from": "62811", "text": "/start"}])
    with django_capture_on_commit_callbacks(execute=True):
        inbound_event_store(channel="fake", raw=raw, dedupe_key="d7", instance="kedua")
    assert Message.objects.get(direction="out").channel_instance == "kedua"
    # Outside routing, the default instance; an explicit instance wins.
    assert message_send_direct(channel="fake", to=ContactRef(address="62812"), text="Halo").channel_instance == ""
    assert message_send_direct(channel="fake", to=ContactRef(address="62813"), text="Halo",
                               instance="ketiga").channel_instance == "ketiga"
