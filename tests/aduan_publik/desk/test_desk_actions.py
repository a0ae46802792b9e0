"""Each action form of the complaint page: the happy path and a refused path that changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from aduan_publik.models import Complaint, Disposition, Event, FollowUp, Message
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from tests.aduan_publik.desk.desk_helpers import PNG, action_url, change_url

pytestmark = pytest.mark.django_db
S = Complaint.Status
D = Disposition.State


def shown(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def buttons(client, complaint) -> str:
    return client.get(change_url(complaint)).content.decode()


# ---- admin actions ---------------------------------------------------------------------------


def test_verify_form_suggests_the_category_opd_without_ticking_it(admin_client_, complaint, opd_pu, opd_dlh):
    """Issue 12 #2: the default OPD is a labelled suggestion, the whole complaint is shown, the picker searches."""
    form = admin_client_.get(action_url(complaint, "verify"))
    assert form.status_code == 200
    assert "opds" not in form.context["form"].initial
    page = form.content.decode()
    assert f'data-suggested-opd="{opd_pu.pk}"' in page and "Saran: Dinas Pekerjaan Umum" in page
    assert "selected" not in page.split('name="opds"')[1].split("</select>")[0]
    assert complaint.description in page  # the whole complaint above the form
    assert "unfold-admin-autocomplete" in page and "select2" in page  # a searchable picker
    response = admin_client_.post(action_url(complaint, "verify"), {
        "opds": [opd_pu.pk, opd_dlh.pk], "instruction": "Segera cek", "priority": "high",
        "category": complaint.category_id, "is_anonymous": "on"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.DISPOSED
    assert complaint.is_anonymous and complaint.priority == "high"
    assert set(complaint.dispositions.values_list("opd__code", flat=True)) == {"PUPR", "DLH"}


def test_verify_refused_in_wrong_state_changes_nothing(admin_client_, disposed, opd_dlh):
    before = Event.objects.count()
    response = admin_client_.post(action_url(disposed, "verify"), {"opds": [opd_dlh.pk], "priority": "normal"})
    assert response.status_code == 400
    assert "tidak dapat" in shown(response)
    assert disposed.dispositions.count() == 1
    assert Event.objects.count() == before


def test_verify_without_opd_is_a_form_error(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "verify"), {"priority": "normal"})
    assert response.status_code == 400
    assert "opds" in response.context["form"].errors
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_postpone_then_resume(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "postpone"), {"request_text": "Alamat persisnya?"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.POSTPONED
    assert complaint.messages.filter(direction="out", body__contains="Alamat persisnya?").exists()
    assert admin_client_.post(action_url(complaint, "resume"), {}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_postpone_with_blank_text_is_refused(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "postpone"), {"request_text": "   "})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_archive_and_reopen(admin_client_, complaint):
    assert admin_client_.post(action_url(complaint, "archive"), {"reason": "spam", "note": ""}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.ARCHIVED and complaint.archive_reason == "spam"
    response = admin_client_.post(action_url(complaint, "reopen"), {"reason": "Ternyata aduan sungguhan"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_archive_as_duplicate_is_not_offered(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "archive"), {"reason": "duplicate"})
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_merge_into_original_by_tracking_number(admin_client_, complaint, contact):
    duplicate, _code = complaint_create(channel="web", title="Jalan berlubang lagi", description="Sama.",
                                        contact=contact)
    number = complaint.tracking_number.lower()  # typed in lower case: still found
    response = admin_client_.post(action_url(duplicate, "merge"), {"tracking_number": number})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == complaint.pk and duplicate.status == S.ARCHIVED


def test_merge_with_unknown_number_is_a_form_error(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "merge"), {"tracking_number": "ADU-1999-000001"})
    assert response.status_code == 400
    assert "tidak ditemukan" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_not_authority_records_where_it_went(admin_client_, complaint):
    response = admin_client_.post(action_url(complaint, "not-authority"), {"forwarded_to": "Pemprov Kalbar"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.NOT_AUTHORITY and complaint.forwarded_to == "Pemprov Kalbar"


def test_reply_goes_out_on_the_channel_and_internal_note_stays_inside(
    admin_client_, complaint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the send job runs on commit
        admin_client_.post(action_url(complaint, "reply"), {"body": "Terima kasih, sedang kami cek."})
    sent = complaint.messages.get(body="Terima kasih, sedang kami cek.")
    assert sent.channel == "web" and not sent.is_internal and sent.state == Message.State.SENT
    admin_client_.post(action_url(complaint, "reply"), {"body": "Pelapor sering mengadu.", "internal": "on"})
    note = complaint.messages.get(body="Pelapor sering mengadu.")
    assert note.is_internal and note.channel == "internal"


def test_resend_failed_message(admin_client_, complaint, django_capture_on_commit_callbacks):
    failed = complaint.messages.filter(direction="out").first()
    Message.objects.filter(pk=failed.pk).update(state=Message.State.FAILED, error="131026")
    assert "Kirim ulang pesan gagal" in buttons(admin_client_, complaint)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(action_url(complaint, "resend"), {"message": failed.pk})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == Message.State.SENT  # inline job sent it again through the web channel


def test_resend_not_offered_without_failed_messages(admin_client_, complaint):
    assert "Kirim ulang pesan gagal" not in buttons(admin_client_, complaint)
    response = admin_client_.get(action_url(complaint, "resend"))
    assert response.status_code == 302
    assert "tidak tersedia" in shown(response)


def test_walkin_complaint_form_creates_manual_complaint_with_contact(
    admin_client_, category_jalan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post("/desk/aduan_publik/complaint/baru/", {
            "kind": "pengaduan", "title": "Lampu jalan mati", "description": "Sudah seminggu lampu mati.",
            "category": category_jalan.pk, "reporter_name": "Siti", "reporter_phone": "0812000111",
            "priority": "normal", "is_secret": "on"})
    assert response.status_code == 302
    created = Complaint.objects.get(title="Lampu jalan mati")
    assert created.channel == "manual" and created.is_secret
    assert created.contact.name == "Siti" and created.contact.phone == "0812000111"
    assert "Kode akses pelapor" in shown(response)
    # No email: the acknowledgement waits for a person to read it out on the phone.
    assert created.messages.get().state == Message.State.MANUAL


def test_walkin_form_refused_for_opd_users(liaison_pu_client):
    count = Complaint.objects.count()
    response = liaison_pu_client.post("/desk/aduan_publik/complaint/baru/", {
        "kind": "pengaduan", "title": "x", "description": "y", "priority": "normal"})
    assert response.status_code == 403
    assert Complaint.objects.count() == count


def test_edit_descriptive_fields_goes_through_the_service(admin_client_, complaint):
    page = admin_client_.get(change_url(complaint))
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(title="Jalan berlubang besar", kind="pengaduan", priority="urgent",
                category=complaint.category_id, description=complaint.description)
    response = admin_client_.post(change_url(complaint), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    complaint.refresh_from_db()
    assert complaint.title == "Jalan berlubang besar" and complaint.priority == "urgent"
    assert Event.objects.filter(complaint=complaint, verb="updated").exists()


# ---- OPD actions -----------------------------------------------------------------------------


def test_opd_sees_only_its_own_buttons(disposed, liaison_pu_client, operator_pu_client):
    page = buttons(liaison_pu_client, disposed)
    assert "Terima disposisi" in page and "Verifikasi" not in page and "Arsipkan" not in page
    assert "Terima disposisi" in buttons(operator_pu_client, disposed)


def test_accept(disposed, liaison_pu_client):
    response = liaison_pu_client.post(action_url(disposed, "accept"), {})
    assert response.status_code == 302
    disposed.refresh_from_db()
    assert disposed.status == S.IN_PROGRESS
    assert disposed.dispositions.get().state == D.ACCEPTED


def test_opd_user_posting_an_admin_action_is_refused(disposed, liaison_pu_client):
    response = liaison_pu_client.post(action_url(disposed, "archive"), {"reason": "spam"})
    assert response.status_code == 302
    assert "tidak diizinkan" in shown(response)
    disposed.refresh_from_db()
    assert disposed.status == S.DISPOSED


def test_admin_posting_an_opd_action_is_refused(disposed, admin_client_):
    response = admin_client_.post(action_url(disposed, "accept"), {})
    assert response.status_code == 302
    assert shown(response)
    assert disposed.dispositions.get().state == D.PENDING


def test_return_needs_a_reason(disposed, liaison_pu_client):
    response = liaison_pu_client.post(action_url(disposed, "return"), {"reason": "bukan"})
    assert response.status_code == 400
    assert "minimal 10" in shown(response)
    assert disposed.dispositions.get().state == D.PENDING
    response = liaison_pu_client.post(action_url(disposed, "return"), {"reason": "Jalan provinsi, bukan kota"})
    assert response.status_code == 302
    disposed.refresh_from_db()
    assert disposed.status == S.RETURNED


def test_operator_drafts_and_liaison_approves(disposed, operator_pu_client, liaison_pu_client, liaison_pu):
    body = "Tim sudah menambal lubang pada 12 Mei, foto terlampir sebagai bukti."
    form = operator_pu_client.get(action_url(disposed, "followup"))
    # Operators save drafts: the only button says so; the liaison sends.
    assert [label for _value, label, _variant in form.context["form"].buttons] == ["Simpan draf"]
    png = SimpleUploadedFile("bukti.png", PNG, content_type="image/png")
    response = operator_pu_client.post(action_url(disposed, "followup"), {"body": body, "evidence": [png],
                                                                          "publish": "on"})
    assert response.status_code == 302
    draft = FollowUp.objects.get(complaint=disposed)
    assert draft.state == FollowUp.State.DRAFT and draft.attachments.count() == 1
    assert "Tinjau draf" in buttons(liaison_pu_client, disposed)
    response = liaison_pu_client.post(action_url(disposed, "publish"), {"followup": draft.pk, "body": draft.body,
                                                                         "decision": "kirim"})
    assert response.status_code == 302
    draft.refresh_from_db()
    disposed.refresh_from_db()
    assert draft.state == FollowUp.State.PUBLISHED and draft.published_by == liaison_pu
    assert disposed.status == S.ANSWERED


def test_liaison_drafts_and_sends_at_once(disposed, liaison_pu_client):
    body = "Perbaikan jalan dijadwalkan minggu depan oleh tim pemeliharaan."
    response = liaison_pu_client.post(action_url(disposed, "followup"), {"body": body, "publish": "on"})
    assert response.status_code == 302
    assert FollowUp.objects.get(complaint=disposed).state == FollowUp.State.PUBLISHED


def test_too_short_followup_is_refused_and_nothing_saved(disposed, liaison_pu_client):
    response = liaison_pu_client.post(action_url(disposed, "followup"), {"body": "Sudah.", "publish": "on"})
    assert response.status_code == 400
    assert "terlalu singkat" in shown(response)
    assert not FollowUp.objects.exists()


def test_rejected_file_type_changes_nothing(disposed, liaison_pu_client):
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
    body = "Perbaikan jalan dijadwalkan minggu depan oleh tim pemeliharaan."
    response = liaison_pu_client.post(action_url(disposed, "followup"), {"body": body, "evidence": [bad]})
    assert response.status_code == 400
    assert "tidak diizinkan" in shown(response)
    assert not FollowUp.objects.exists()


def test_operator_cannot_publish(disposed, operator_pu, operator_pu_client):
    disposition = disposed.dispositions.get()
    disposition_accept(disposition=disposition, by=operator_pu)
    draft = followup_draft(disposition=disposition, by=operator_pu, body="x" * 40)
    assert "Tinjau draf" not in buttons(operator_pu_client, disposed)
    response = operator_pu_client.post(action_url(disposed, "publish"), {"followup": draft.pk, "body": draft.body,
                                                                          "decision": "kirim"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == FollowUp.State.DRAFT


def test_timeline_shows_messages_events_and_followups_in_order(disposed, liaison_pu, admin_client_):
    followup_draft(disposition=disposed.dispositions.get(), by=liaison_pu, body="y" * 40, publish=True)
    timeline = admin_client_.get(change_url(disposed)).context["desk"]["timeline"]
    kinds = [e.kind for e in timeline]
    assert {"event", "message_out", "followup"} <= set(kinds)
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)



def test_walkin_button_and_form_page_for_admins_only(admin_client_, liaison_pu_client, leader_client):
    assert "/desk/aduan_publik/complaint/baru/" in admin_client_.get("/desk/aduan_publik/complaint/").content.decode()
    form = admin_client_.get("/desk/aduan_publik/complaint/baru/")
    assert form.status_code == 200 and 'name="reporter_phone"' in form.content.decode()
    for client in (liaison_pu_client, leader_client):
        assert "/complaint/baru/" not in client.get("/desk/aduan_publik/complaint/").content.decode()
        assert client.get("/desk/aduan_publik/complaint/baru/").status_code == 403


def test_action_form_get_never_changes_anything(admin_client_, complaint):
    before = Event.objects.count()
    for slug in ("verify", "postpone", "archive", "not-authority", "merge", "reply"):
        assert admin_client_.get(action_url(complaint, slug)).status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED and Event.objects.count() == before


def test_unknown_action_is_404(admin_client_, complaint):
    assert admin_client_.get(action_url(complaint, "hapus")).status_code == 404


def test_action_post_without_csrf_token_is_refused(admin_user, complaint):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(action_url(complaint, "archive"), {"reason": "spam"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED
