"""The complaint page follows the channel's declared capabilities (reply box, files, delivery ticks)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Contact, Message
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.outbound import complaint_reply
from aduan_publik.testing.entry_points import installed_channels
from aduan_publik.testing.fake_channel import FakeChannel
from aduan_publik.workflow import WorkflowError
from tests.aduan_publik.desk.desk_helpers import PNG, action_url, change_url

pytestmark = pytest.mark.django_db

VARIANTS = '''
"""FakeChannel with other capabilities."""
from aduan_publik.channels.base import Capabilities
from aduan_publik.testing.fake_channel import FakeChannel


class MediaChannel(FakeChannel):
    """Sends files, reports no receipts (like e-mail)."""
    name = "fakemedia"
    capabilities = Capabilities(inbound=True, outbound=True, media=True)


class InboundOnlyChannel(FakeChannel):
    """Takes reports, cannot answer (a read-only feed)."""
    name = "fakein"
    capabilities = Capabilities(inbound=True, outbound=False)
'''


@pytest.fixture
def channels(tmp_path):
    """``fake`` (receipts, no media), ``fakemedia`` (media, no receipts), ``fakein`` (no outbound)."""
    FakeChannel.reset()
    points = {"fake": "aduan_publik.testing.fake_channel:FakeChannel",
              "fakemedia": "plugin_variants:MediaChannel", "fakein": "plugin_variants:InboundOnlyChannel"}
    with installed_channels(tmp_path, points, modules={"plugin_variants": VARIANTS}):
        yield FakeChannel
    FakeChannel.reset()


def _complaint(channel: str):
    contact = Contact.objects.create(channel=channel, address=f"62811-{channel}", name="Rina")
    complaint, _code = complaint_create(channel=channel, title="Lampu jalan mati",
                                        description="Sudah seminggu gelap di gang 3.", contact=contact)
    return complaint


def _page(client, complaint) -> str:
    return client.get(change_url(complaint)).content.decode()


def test_no_reply_box_on_a_channel_without_outbound(channels, admin_client_):
    silent, talking = _complaint("fakein"), _complaint("fake")
    assert not silent.messages.exists()  # no acknowledgement queued that could never be sent
    assert action_url(silent, "reply") not in _page(admin_client_, silent)
    assert action_url(silent, "note") in _page(admin_client_, silent)
    assert action_url(talking, "reply") in _page(admin_client_, talking)
    assert action_url(talking, "note") not in _page(admin_client_, talking)
    form = admin_client_.get(action_url(silent, "reply"))
    assert form.status_code == 302
    # A stale page posting a reply anyway: refused by the service, nothing stored.
    response = admin_client_.post(action_url(silent, "reply"), {"body": "Sudah kami perbaiki."})
    assert response.status_code == 400
    assert "tidak dapat mengirim pesan ke pelapor" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not silent.messages.exists()
    response = admin_client_.post(action_url(silent, "note"), {"body": "Dicek petugas lapangan."})
    assert response.status_code == 302
    note = silent.messages.get()
    assert note.is_internal and note.body == "Dicek petugas lapangan."


def test_files_are_offered_only_on_a_media_channel(channels, admin_client_, django_capture_on_commit_callbacks):
    with_media, without = _complaint("fakemedia"), _complaint("fake")
    assert 'name="attachments"' in admin_client_.get(action_url(with_media, "reply")).content.decode()
    assert 'name="attachments"' not in admin_client_.get(action_url(without, "reply")).content.decode()
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(action_url(with_media, "reply"), {"body": "Foto perbaikan.",
                                                                         "attachments": [png]})
    assert response.status_code == 302
    reply = with_media.messages.get(body="Foto perbaikan.")
    assert [a.original_name for a in reply.attachments.all()] == ["foto.png"]
    sent = [m for m in channels.sent if m.text == "Foto perbaikan."]
    assert len(sent) == 1 and len(sent[0].attachments) == 1


def test_a_channel_without_media_never_gets_files(channels, admin_user, liaison_pu, opd_pu,
                                                  django_capture_on_commit_callbacks):
    complaint = _complaint("fake")
    before = Message.objects.count()
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    with pytest.raises(WorkflowError, match="tidak dapat mengirim lampiran"):
        complaint_reply(complaint=complaint, by=admin_user, body="Foto", files=[png])
    assert Message.objects.count() == before and not complaint.attachments.exists()
    # A follow-up's evidence stays on the complaint (tracking page) and is not handed to send().
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    evidence = SimpleUploadedFile("bukti.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        followup = followup_draft(disposition=disposition, by=liaison_pu, files=[evidence], publish=True,
                                  body="Lampu sudah diganti oleh petugas pada hari Senin.")
    message = complaint.messages.get(followup=followup)
    assert message.meta["attachments_not_sent"] == [followup.attachments.get().pk]
    assert [m.attachments for m in channels.sent if "Lampu sudah diganti" in m.text] == [()]


def test_delivery_ticks_only_on_channels_that_report_receipts(channels, admin_client_):
    receipts, no_receipts = _complaint("fake"), _complaint("fakemedia")
    for complaint in (receipts, no_receipts):
        complaint.messages.filter(direction="out").update(state=Message.State.READ)
    page = _page(admin_client_, receipts)
    assert 'data-ticks="read"' in page and "✓✓" in page
    page = _page(admin_client_, no_receipts)
    assert "data-ticks" not in page and "✓" not in page
    assert no_receipts.messages.filter(direction="out").exists()  # the message is there, just no ticks
