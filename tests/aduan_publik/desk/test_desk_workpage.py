"""Issue 12 point 2: one complaint, one work page — text, photos, place, reporter (masked per role), the
conversation per channel, dispositions with deadlines, follow-ups, timeline, actions and a reply composer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aduan_publik.models import Complaint, Message
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.dispositions import followup_draft
from tests.aduan_publik.desk.desk_helpers import PNG, action_url, change_url

pytestmark = pytest.mark.django_db


def inbound(complaint: Complaint, channel: str, body: str, *, photo: bool = False) -> Message:
    message = Message.objects.create(complaint=complaint, contact=complaint.contact, channel=channel,
                                     direction=Message.Direction.IN, body=body, state=Message.State.RECEIVED,
                                     created_at=timezone.now())
    if photo:
        attachment_create(complaint=complaint, content=PNG, filename=f"foto-{message.pk}.png", message=message)
    return message


def test_work_page_has_everything_on_one_page(admin_client_, disposed, operator_pu):
    Complaint.objects.filter(pk=disposed.pk).update(location_text="Jl. Merdeka No. 5")
    inbound(disposed, "web", "Ini foto lubangnya.", photo=True)
    inbound(disposed, "whatsapp", "Pak, lubangnya makin besar.")
    followup_draft(disposition=disposed.dispositions.get(), by=operator_pu,
                   body="Tim akan meninjau lokasi besok pagi bersama pengawas jalan.")
    page = admin_client_.get(change_url(disposed)).content.decode()
    summary = page.split('id="desk-complaint-summary"')[1]
    assert disposed.description in summary and "Jl. Merdeka No. 5" in summary
    assert "data-thumbnail" in summary  # the reporter's photo, as a thumbnail
    assert 'data-thread="web"' in page and 'data-thread="whatsapp"' in page
    assert "Pak, lubangnya makin besar." in page.split('data-thread="whatsapp"')[1]
    assert 'id="desk-dispositions"' in page and "Budi Santoso" in page
    assert 'data-state="draft"' in page and 'id="desk-timeline"' in page
    composer = page.split('id="desk-reply-composer"')[0].rsplit("<form", 1)[1]
    assert action_url(disposed, "reply") in composer
    # Never nested in the edit form (a browser would submit the outer form instead).
    assert page.index('id="desk-reply-composer"') < page.index('id="complaint_form"')


def test_reply_composer_posts_a_reply_or_a_note(admin_client_, disposed):
    url = action_url(disposed, "reply")
    reply = {"body": "Terima kasih, sedang kami tindak lanjuti.", "internal": "false"}
    assert admin_client_.post(url, reply).status_code == 302
    assert admin_client_.post(url, {"body": "Cek lagi Senin.", "internal": "true"}).status_code == 302
    out = Message.objects.filter(complaint=disposed, direction=Message.Direction.OUT, followup__isnull=True)
    assert set(out.values_list("body", "is_internal")) >= {("Terima kasih, sedang kami tindak lanjuti.", False),
                                                           ("Cek lagi Senin.", True)}


def test_opd_work_page_masks_an_anonim_reporter_and_has_no_composer(liaison_pu_client, disposed):
    Complaint.objects.filter(pk=disposed.pk).update(is_anonymous=True)
    page = liaison_pu_client.get(change_url(disposed)).content.decode()
    assert "Budi Santoso" not in page and "081234567890" not in page and "Anonim" in page
    assert 'id="desk-reply-composer"' not in page


def test_accepting_needs_no_confirmation_page(liaison_pu_client, disposed):
    page = liaison_pu_client.get(change_url(disposed)).content.decode()
    form = page.split('data-inline-action="accept"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form and action_url(disposed, "accept") in form
    assert f'href="{action_url(disposed, "accept")}"' not in page
    assert page.index('data-inline-action="accept"') < page.index('id="complaint_form"')
    response = liaison_pu_client.post(action_url(disposed, "accept"))
    assert response.status_code == 302 and response["Location"] == change_url(disposed)
    disposed.refresh_from_db()
    assert disposed.status == Complaint.Status.IN_PROGRESS


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_work_page_query_count_does_not_grow_with_the_thread(admin_client_, liaison_pu_client, disposed,
                                                            operator_pu):
    inbound(disposed, "web", "Pesan pertama.", photo=True)
    followup_draft(disposition=disposed.dispositions.get(), by=operator_pu,
                   body="Draf pertama dengan uraian yang cukup panjang untuk disimpan.")
    few = [count_queries(admin_client_, change_url(disposed)), count_queries(liaison_pu_client, change_url(disposed))]
    for i in range(8):
        inbound(disposed, "whatsapp" if i % 2 else "web", f"Pesan {i}", photo=True)
        followup_draft(disposition=disposed.dispositions.get(), by=operator_pu,
                       body=f"Draf tindak lanjut nomor {i} dengan uraian yang cukup panjang.")
    many = [count_queries(admin_client_, change_url(disposed)),
            count_queries(liaison_pu_client, change_url(disposed))]
    assert few == many
