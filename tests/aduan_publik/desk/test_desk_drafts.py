"""Issue 12 point 3: the liaison reviews drafts (full text, evidence), approves, edits or returns them with a
comment; a count shows what waits; the operator learns the outcome; buttons say what they do."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Complaint, Event, FollowUp, Message
from aduan_publik.selectors.queues import queue_counts
from aduan_publik.services.dispositions import followup_draft
from aduan_publik.services.drafts import followup_return
from tests.aduan_publik.desk.desk_helpers import PNG, action_url, change_url

pytestmark = pytest.mark.django_db
BODY = "Tim UPT Jalan sudah menambal lubang di depan sekolah pada pagi ini, foto terlampir."


@pytest.fixture
def draft(disposed, operator_pu):
    photo = SimpleUploadedFile("tambalan.png", PNG, content_type="image/png")
    return followup_draft(disposition=disposed.dispositions.get(), by=operator_pu, body=BODY, files=[photo])


def review(client, draft, **data):
    return client.post(action_url(draft.complaint, "publish"), {"followup": draft.pk, "body": draft.body, **data})


def test_liaison_sees_the_waiting_draft_in_full_with_its_evidence(liaison_pu, liaison_pu_client, draft):
    assert queue_counts(liaison_pu)["draf-menunggu"] == 1
    page = liaison_pu_client.get(change_url(draft.complaint)).content.decode()
    assert 'data-drafts-waiting="1"' in page and BODY in page
    photo = draft.attachments.get()
    assert f'src="/files/{photo.pk}/"' in page and "data-thumbnail" in page
    assert f"?draf={draft.pk}" in page
    form = liaison_pu_client.get(action_url(draft.complaint, "publish") + f"?draf={draft.pk}").content.decode()
    assert "data-draft-body" in form and BODY in form and f'src="/files/{photo.pk}/"' in form
    for label in ("Setujui &amp; kirim ke pelapor", "Simpan suntingan (tetap draf)", "Kembalikan ke penyusun"):
        assert label in form


def test_liaison_edits_then_sends(liaison_pu, liaison_pu_client, draft):
    edited = BODY + " Terima kasih atas laporan Bapak/Ibu."
    response = review(liaison_pu_client, draft, body=edited, decision="kirim")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.PUBLISHED and draft.body == edited and draft.reviewed_by == liaison_pu
    edit = Event.objects.get(complaint=draft.complaint, verb="followup_edited")
    assert edit.data["before"] == BODY and edit.data["after"] == edited and edit.data["author"] == draft.author_id
    assert Message.objects.filter(complaint=draft.complaint, followup=draft).exists()
    assert queue_counts(liaison_pu)["draf-menunggu"] == 0


def test_liaison_saves_an_edit_and_the_draft_keeps_waiting(liaison_pu_client, draft):
    response = review(liaison_pu_client, draft, body=BODY + " (disunting)", decision="simpan")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.DRAFT and draft.body.endswith("(disunting)")
    assert not Message.objects.filter(followup=draft).exists()


def test_liaison_returns_with_a_comment_and_the_operator_sees_it(liaison_pu, liaison_pu_client, operator_pu,
                                                               operator_pu_client, draft):
    comment = "Sebutkan tanggal pengerjaan dan nama petugas lapangan."
    response = review(liaison_pu_client, draft, comment=comment, decision="kembalikan")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.RETURNED and draft.review_comment == comment
    event = Event.objects.get(complaint=draft.complaint, verb="followup_returned")
    assert event.data == {"followup": draft.pk, "author": operator_pu.pk, "comment": comment}
    assert not Message.objects.filter(followup=draft).exists()
    assert queue_counts(liaison_pu)["draf-menunggu"] == 0
    assert queue_counts(operator_pu)["draf-dikembalikan"] == 1  # the operator's sidebar shows the outcome
    page = operator_pu_client.get(change_url(draft.complaint)).content.decode()
    assert 'data-state="returned"' in page and comment in page
    form = operator_pu_client.get(action_url(draft.complaint, "followup"))
    assert form.context["form"].initial["body"] == BODY  # the operator starts from the returned text
    assert comment in form.content.decode()
    followup_draft(disposition=draft.disposition, by=operator_pu, body=BODY + " Dikerjakan Senin oleh Pak Amir.")
    assert queue_counts(operator_pu)["draf-dikembalikan"] == 0 and queue_counts(liaison_pu)["draf-menunggu"] == 1


def test_returning_without_a_comment_is_a_form_error_and_changes_nothing(liaison_pu_client, draft):
    before = Event.objects.count()
    response = review(liaison_pu_client, draft, comment="", decision="kembalikan")
    assert response.status_code == 400
    assert "catatan untuk penyusun" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.DRAFT and Event.objects.count() == before


def test_operator_cannot_review_and_a_reviewed_draft_cannot_be_reviewed_again(operator_pu, liaison_pu, draft):
    with pytest.raises(PermissionDenied):
        followup_return(followup=draft, by=operator_pu, comment="Saya kembalikan sendiri saja.")
    followup_return(followup=draft, by=liaison_pu, comment="Lengkapi dengan foto sesudah perbaikan.")
    from aduan_publik.workflow import WorkflowError

    with pytest.raises(WorkflowError):
        followup_return(followup=draft, by=liaison_pu, comment="Kedua kalinya tidak boleh.")


def test_followup_buttons_say_what_they_do(disposed, liaison_pu_client):
    form = liaison_pu_client.get(action_url(disposed, "followup")).content.decode()
    assert 'name="publish" value="0"' in form and "Simpan draf" in form
    assert 'name="publish" value="1"' in form and "Kirim ke pelapor" in form
    response = liaison_pu_client.post(action_url(disposed, "followup"), {"body": BODY, "publish": "0"})
    assert response.status_code == 302
    assert FollowUp.objects.get(complaint=disposed).state == FollowUp.State.DRAFT
    assert Complaint.objects.get(pk=disposed.pk).status == Complaint.Status.DISPOSED
