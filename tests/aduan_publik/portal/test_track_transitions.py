"""Issue 8 points 12-15 walked on the tracking page (``/lacak/``) with the code, as a reporter does.

12: replies on complaints not filed on the web; 13: one rating per answer; 14: reopening sets
fresh deadlines; 15: the right reason when an archived complaint cannot be reopened.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from portal_helpers import form_token

from aduan_publik.models import Complaint, Contact, Disposition, Event, Message
from aduan_publik.services.complaints import complaint_archive, complaint_create, complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.intake import walkin_complaint_create
from aduan_publik.services.lifecycle import complaint_rate, deadlines_sweep

pytestmark = pytest.mark.django_db(transaction=True)
S, D = Complaint.Status, Disposition.State
BODY = "Lubang sudah ditambal tim UPT Jalan pada Senin pagi, terima kasih."


def _login(client, complaint, code) -> str:
    response = client.post("/lacak/", {"tracking_number": complaint.tracking_number, "code": code})
    assert response.status_code == 302
    return client.get(f"/lacak/{complaint.tracking_number}/").content.decode()


def _reply(client, complaint, page: str, text: str):
    return client.post(f"/lacak/{complaint.tracking_number}/balas/",
                       # on an answered complaint the reporter says it is not solved (issue 12 #8)
                       {"message_key": form_token(page, "message_key"), "text": text, "outcome": "belum"})


def _answer(complaint, admin_user, opd_pu, liaison_pu) -> Disposition:
    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, body=BODY, publish=True)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    return disposition


# ---- 12: portal replies for complaints not filed on the web ---------------------------------


def test_walkin_complaint_reply_on_the_tracking_page(client, admin_user):
    complaint, code = walkin_complaint_create(by=admin_user, title="Drainase tersumbat",
                                              description="Air meluap ke jalan.", reporter_name="Pak Darto",
                                              reporter_phone="081311112222")
    page = _login(client, complaint, code)
    assert "Balas" in page
    response = _reply(client, complaint, page, "Airnya makin tinggi sore ini.")
    assert response.status_code == 302
    message = Message.objects.get(direction="in")
    assert (message.complaint_id, message.contact_id) == (complaint.pk, complaint.contact_id)
    assert Complaint.objects.count() == 1 and Contact.objects.filter(channel="web").count() == 0
    assert "makin tinggi" in client.get(f"/lacak/{complaint.tracking_number}/").content.decode()


def test_whatsapp_complaint_reply_keeps_the_whatsapp_window_untouched(client, admin_user, opd_pu, liaison_pu):
    wa = Contact.objects.create(channel="whatsapp", address="6281377778888", phone="6281377778888",
                                last_inbound_at=timezone.now() - timedelta(days=3))
    complaint, code = complaint_create(channel="whatsapp", title="Sampah menumpuk", contact=wa,
                                       description="Sampah menumpuk di pasar.")
    _answer(complaint, admin_user, opd_pu, liaison_pu)
    page = _login(client, complaint, code)
    response = _reply(client, complaint, page, "Belum diangkut, masih menumpuk.")
    assert response.status_code == 302
    complaint.refresh_from_db()
    wa_before = wa.last_inbound_at
    wa.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS  # unsatisfied: back to the OPD
    assert Message.objects.get(direction="in").contact_id == wa.pk and wa.last_inbound_at == wa_before


def test_contactless_walkin_complaint_reply(client, admin_user):
    complaint, code = walkin_complaint_create(by=admin_user, title="Pohon tumbang",
                                              description="Pohon tumbang menutup jalan.")
    assert complaint.contact_id is None
    page = _login(client, complaint, code)
    assert _reply(client, complaint, page, "Pohonnya sudah dipotong warga sebagian.").status_code == 302
    assert Message.objects.get(direction="in").complaint_id == complaint.pk


# ---- 13: one rating per answer --------------------------------------------------------------


def test_a_rating_cannot_be_overwritten_by_a_direct_post(client, complaint, admin_user, opd_pu, liaison_pu):
    _answer(complaint, admin_user, opd_pu, liaison_pu)
    code = _code_for(complaint)
    _login(client, complaint, code)
    assert client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "5"}).status_code == 302
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Kirim penilaian" not in page
    again = client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "1"})
    assert again.status_code == 400 and "sudah memberi penilaian" in again.content.decode()
    complaint.refresh_from_db()
    assert complaint.rating == 5
    assert Event.objects.filter(complaint=complaint, verb="rated").count() == 1


def test_a_reopened_and_reanswered_complaint_can_be_rated_again(client, complaint, admin_user, opd_pu,
                                                               liaison_pu):
    disposition = _answer(complaint, admin_user, opd_pu, liaison_pu)
    code = _code_for(complaint)
    _login(client, complaint, code)
    client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "2"})
    client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/", {"reason": "Lubangnya muncul lagi."})
    followup_draft(disposition=disposition, by=liaison_pu, body=BODY + " Ditambal ulang.", publish=True)
    page = client.get(f"/lacak/{complaint.tracking_number}/").content.decode()
    assert "Kirim penilaian" in page
    assert client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "4"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.rating == 4 and Event.objects.filter(complaint=complaint, verb="rated").count() == 2


# ---- 14: reopening sets fresh deadlines ----------------------------------------------------


def _age(complaint, days: int) -> None:
    """Move the whole story ``days`` into the past (deadlines long gone, as after a real wait)."""
    past = timedelta(days=days)
    for d in Disposition.objects.filter(complaint=complaint):
        Disposition.objects.filter(pk=d.pk).update(respond_due=d.respond_due - past,
                                                   complete_due=d.complete_due - past)


def test_reporter_reopen_sets_fresh_deadlines(client, complaint, admin_user, opd_pu, liaison_pu):
    _answer(complaint, admin_user, opd_pu, liaison_pu)
    code = _code_for(complaint)
    _login(client, complaint, code)
    client.post(f"/lacak/{complaint.tracking_number}/nilai/", {"rating": "1"})
    _age(complaint, 90)
    response = client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/",
                           {"reason": "Lubangnya muncul lagi di sebelahnya."})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and complaint.due_at > timezone.now()
    assert Disposition.objects.get(complaint=complaint).complete_due > timezone.now()
    assert deadlines_sweep() == {"complaints_flagged": 0, "dispositions_flagged": 0, "closed": 0}


def test_unsatisfied_reply_sets_fresh_deadlines(client, complaint, admin_user, opd_pu, liaison_pu):
    _answer(complaint, admin_user, opd_pu, liaison_pu)
    _age(complaint, 90)
    page = _login(client, complaint, _code_for(complaint))
    assert _reply(client, complaint, page, "Belum selesai, lubangnya masih ada.").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.IN_PROGRESS and complaint.due_at > timezone.now()
    assert deadlines_sweep()["dispositions_flagged"] == 0


# ---- 15: the right reason -----------------------------------------------------------------


def test_reporter_reopen_of_an_archived_complaint_gives_the_right_reason(client, complaint, admin_user):
    complaint_archive(complaint=complaint, by=admin_user, reason="unclear")
    _login(client, complaint, _code_for(complaint))
    response = client.post(f"/lacak/{complaint.tracking_number}/buka-kembali/",
                           {"reason": "Aduan saya jelas, mohon ditangani."})
    text = response.content.decode()
    assert response.status_code == 400
    assert "batas waktu sudah lewat" not in text and "Diarsipkan" in text
    complaint.refresh_from_db()
    assert complaint.status == S.ARCHIVED


def _code_for(complaint: Complaint) -> str:
    """Give the sample complaint a known code (the fixture's code is not returned)."""
    from aduan_publik import access

    Complaint.objects.filter(pk=complaint.pk).update(access_code_hash=access.hash_access_code("KODEUJI234"))
    complaint.refresh_from_db()
    return "KODEUJI234"


def test_service_rating_rule(complaint, admin_user, opd_pu, liaison_pu):
    from aduan_publik.workflow import WorkflowError

    _answer(complaint, admin_user, opd_pu, liaison_pu)
    complaint_rate(complaint=complaint, rating=5)
    with pytest.raises(WorkflowError, match="sudah memberi penilaian"):
        complaint_rate(complaint=complaint, rating=1)
    complaint.refresh_from_db()
    assert complaint.rating == 5
