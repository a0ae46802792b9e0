"""RQ job ids derived from provider ids: always accepted by RQ, stable, and a refused hand-off is recorded."""

from __future__ import annotations

import re

import pytest
from rq.job import validate_job_id

from aduan_publik import jobs
from aduan_publik.channels.base import ContactRef, InboundAttachment, InboundMessage
from aduan_publik.models import Event, Message
from aduan_publik.services.receiving import message_receive
from aduan_publik.testing.fake_channel import EPOCH, fake_channel_installed

CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


@pytest.mark.parametrize("media_id", ["1481298385764823", "ID.hub:4f=7", "a/b c", "é" * 3, "x" * 300])
def test_job_ids_fit_rqs_alphabet_and_are_stable(media_id):
    derived = jobs.job_id("media", 12, media_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", derived) and derived.startswith("media-12-")
    assert derived == jobs.job_id("media", 12, media_id)  # same work, same id: still deduplicated
    assert derived != jobs.job_id("media", 12, media_id + "1")
    validate_job_id(derived)  # RQ's own check accepts it


def test_plain_ids_stay_readable():
    assert jobs.job_id("media", 7, "1481298385764823") == "media-7-1481298385764823"


def test_an_id_rq_would_refuse_is_reported_not_raised(settings):
    assert jobs.enqueue(jobs.send_message, 1, job_id="media-1-a:b") is False


@pytest.fixture
def fake_channel(tmp_path):
    with fake_channel_installed(tmp_path / "plugins") as channel:
        yield channel


@pytest.mark.django_db(transaction=True)
def test_a_media_download_that_cannot_be_queued_is_noted_on_the_message(settings, fake_channel):
    settings.RQ_QUEUES = {n: {**c, "URL": CLOSED_PORT_URL, "ASYNC": True} for n, c in settings.RQ_QUEUES.items()}
    inbound = InboundMessage(channel="fake", external_id="m-media", sender=ContactRef(address="62811"),
                             sent_at=EPOCH, kind="image", text="Foto",
                             attachments=(InboundAttachment(filename="foto.jpg", media_id="ID:9"),))
    message = message_receive(inbound=inbound)
    message = Message.objects.get(pk=message.pk)
    [problem] = message.meta["media_errors"]
    assert "ID:9" in problem
    assert Event.objects.filter(complaint=message.complaint, verb="media_failed").count() == 1
