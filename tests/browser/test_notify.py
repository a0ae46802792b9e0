"""Issue 12 points 4 and 8 in a real browser (Debian chromium).

Staff: the admin disposes through the desk's own form; the OPD liaison and operator see the
unread count on every desk page and open the complaint from the notification; e-mails reach
a real SMTP server on 127.0.0.1; after the escalation sweep the leader finds the escalation in
their inbox. Resident, on a 360 px phone: a wrong captcha keeps the photo, a tracking link in a
fresh browser asks for the code in Indonesian, the deadline is shown, the access code is not,
and a thank-you goes with "sudah selesai" and a rating.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from PIL import Image

from aduan_publik.models import Area, Attachment, Complaint, Notification
from aduan_publik.services.complaints import complaint_verify
from aduan_publik.services.dispositions import disposition_accept, followup_draft
from aduan_publik.services.escalation import escalation_sweep
from tests.browser.test_portal import assert_fits_phone, solve_captcha
from tests.fakes.smtp_sink import start_sink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ANSWER = "Lubang sudah ditambal tim UPT Jalan pada Senin pagi dan rambu sementara sudah dipasang."


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def smtp(monkeypatch):
    sink, controller = start_sink()
    monkeypatch.setitem(settings.ADUAN, "notify", {**settings.ADUAN["notify"],
                                                   "smtp": {"host": sink.host, "port": sink.port}})
    yield sink
    controller.stop()


def test_staff_notifications_and_escalation(page, live_server, screenshot, smtp, complaint, admin_user,
                                            leader_user, liaison_pu, operator_pu, opd_pu):
    base = live_server.url
    for user, address in ((liaison_pu, "penghubung@pupr.example"), (operator_pu, "operator@pupr.example"),
                          (leader_user, "pimpinan@kota.example")):
        user.email = address
        user.save()

    log_in(page, base, "admin1")  # the admin disposes through the desk's own form
    page.goto(f"{base}/desk/aduan_publik/complaint/{complaint.pk}/change/")
    page.click("#desk-actions >> text=Verifikasi & disposisi")
    page.select_option("select[name=opds]", str(opd_pu.pk), force=True)  # the searchable OPD picker
    page.click("#desk-action-form button[type=submit]")
    page.wait_for_load_state()
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.DISPOSED

    log_in(page, base, "penghubung_pu")  # the liaison: a label on every page, a count in the sidebar
    assert page.locator("text=1 notifikasi baru").first.is_visible()
    screenshot(page, "notify-01-liaison-unread-label")
    page.goto(f"{base}/desk/aduan_publik/notification/")
    assert complaint.tracking_number in page.content()
    screenshot(page, "notify-02-liaison-inbox")
    page.click(f"text=Disposisi baru: {complaint.tracking_number}")
    page.wait_for_load_state()
    assert f"/complaint/{complaint.pk}/change/" in page.url
    assert "notifikasi baru" not in page.content()  # read now
    assert "penghubung@pupr.example" in smtp.recipients and "operator@pupr.example" in smtp.recipients

    [disposition] = complaint.dispositions.all()
    disposition_accept(disposition=disposition, by=operator_pu)
    followup_draft(disposition=disposition, by=operator_pu, body=ANSWER)  # the operator's draft
    page.reload()
    assert page.locator("text=1 notifikasi baru").first.is_visible()
    page.goto(f"{base}/desk/aduan_publik/notification/?dibaca=tidak")
    assert f"Draf menunggu persetujuan: {complaint.tracking_number}" in page.content()
    screenshot(page, "notify-03-liaison-draft-waiting")

    log_in(page, base, "operator_pu")  # the operator had the disposition news too
    page.goto(f"{base}/desk/aduan_publik/notification/")
    assert f"Disposisi baru: {complaint.tracking_number}" in page.content()
    # (a sidebar queue shares the name "Draf menunggu persetujuan": look for the notification itself)
    assert f"Draf menunggu persetujuan: {complaint.tracking_number}" not in page.content()

    disposition.refresh_from_db()
    later = disposition.complete_due + timedelta(days=7)
    assert escalation_sweep(now=later) >= 2  # at the deadline, then to Diskominfo and the leader
    log_in(page, base, "pimpinan")
    assert "Notifikasi (1)" in page.content()
    page.goto(f"{base}/desk/aduan_publik/notification/")
    assert "Eskalasi:" in page.content() and complaint.tracking_number in page.content()
    screenshot(page, "notify-04-leader-escalation")
    assert "pimpinan@kota.example" in smtp.recipients
    assert Notification.objects.filter(recipient=leader_user, kind="escalation").count() == 1
    assert complaint.events.filter(verb="escalated").count() >= 2


def test_resident_side_without_traps(phone_page, browser, live_server, screenshot, tmp_path, category_jalan,
                                     admin_user, liaison_pu, opd_pu):
    base = live_server.url
    kec = Area.objects.create(code="6171010", name="Pontianak Kota", level="kecamatan")
    Area.objects.create(code="6171010001", name="Darat Sekip", level="kelurahan", parent=kec)
    page = phone_page
    page.goto(f"{base}/aduan/baru/")
    assert page.locator("link[rel=icon]").get_attribute("href") == "/static/portal/favicon.svg"
    assert "Layanan pengaduan resmi" in page.locator("meta[name=description]").get_attribute("content")
    assert page.request.get(f"{base}/static/portal/favicon.svg").ok
    page.select_option("#id_category", label="Pekerjaan Umum › Jalan rusak")
    page.fill("#id_title", "Jalan berlubang di depan SDN 3")
    page.fill("#id_description", "Lubang sedalam 20 cm di Jl. Merdeka depan SDN 3, sudah dua motor jatuh.")
    photo = tmp_path / "lubang.jpg"
    Image.new("RGB", (320, 240), (200, 60, 40)).save(photo, format="JPEG")
    page.set_input_files("#id_attachments", str(photo))
    page.fill("#id_email", "siti@example.org")
    page.fill("#id_captcha_answer", "999")  # a wrong sum
    page.click("button:has-text('Kirim aduan')")
    page.wait_for_load_state()
    kept = page.locator("#kept-files")
    assert kept.is_visible() and "lubang.jpg" in kept.inner_text()  # the photo is kept, and says so
    assert_fits_phone(page)
    screenshot(page, "notify-05-resident-photo-kept")
    solve_captcha(page)
    page.click("button:has-text('Kirim aduan')")
    page.wait_for_load_state()
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#access-code").inner_text()
    complaint = Complaint.objects.get(tracking_number=number)
    assert list(Attachment.objects.filter(complaint=complaint).values_list("original_name", flat=True)) == [
        "lubang.jpg"]

    fresh = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    other = fresh.new_page()
    other.goto(f"{base}/lacak/{number}/")  # the link from the e-mail, in another browser
    assert "Not Found" not in other.content()
    assert other.locator("#ask-code").is_visible()
    assert other.locator("#id_tracking_number").input_value() == number
    screenshot(other, "notify-06-resident-link-asks-code")
    other.fill("#id_code", code)
    other.click("button:has-text('Lacak')")
    other.wait_for_load_state()
    assert other.locator("#deadline").is_visible()
    assert "Kode akses rahasia Anda" in other.content() and code not in other.content()
    screenshot(other, "notify-07-resident-deadline-no-code")

    [disposition] = complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    disposition_accept(disposition=disposition, by=liaison_pu)
    followup_draft(disposition=disposition, by=liaison_pu, body=ANSWER, publish=True)
    other.reload()
    assert other.locator("#pilihan-selesai").is_visible()
    screenshot(other, "notify-08-resident-solved-choice")
    other.check("input[name=outcome][value=selesai]")
    other.fill("#id_text", "Terima kasih, sudah beres.")
    other.click("button:has-text('Kirim tanggapan')")
    other.wait_for_load_state()
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED  # a thank-you does not reopen it
    other.check("input[name=rating][value='5']", force=True)
    other.click("button:has-text('Kirim penilaian')")
    other.wait_for_load_state()
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.rating == 5
    assert_fits_phone(other)
    screenshot(other, "notify-09-resident-rated")
    fresh.close()
