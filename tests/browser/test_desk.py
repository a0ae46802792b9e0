"""The desk in a real browser: the admin verifies and disposes, the OPD liaison accepts and answers."""

from __future__ import annotations

import pytest

from aduan_publik.models import Complaint, FollowUp
from tests.aduan_publik.desk.desk_helpers import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def pick_opd(page, text: str) -> None:
    """Choose an OPD in the searchable picker (select2): type part of its name, take the match."""
    page.click("#desk-action-form .select2-selection")
    page.keyboard.type(text)
    page.click(f".select2-results__option:has-text('{text}')")


def submit_action_form(page) -> None:
    page.click("#desk-action-form button[type=submit]")
    page.wait_for_load_state()


def test_admin_disposes_then_liaison_accepts_and_answers(page, live_server, screenshot, complaint, admin_user,
                                                        liaison_pu, opd_pu, tmp_path):
    base = live_server.url
    change = f"{base}/desk/aduan_publik/complaint/{complaint.pk}/change/"

    log_in(page, base, "admin1")
    assert page.locator("#desk-dashboard").is_visible()
    screenshot(page, "desk-01-admin-dashboard")
    page.goto(change)
    screenshot(page, "desk-02-admin-complaint")
    page.click("#desk-actions >> text=Verifikasi & disposisi")
    # Issue 12: the category's default OPD is a labelled suggestion; the picker is searched by typing.
    page.locator(f"[data-suggested-opd='{opd_pu.pk}']").wait_for()
    pick_opd(page, "Pekerjaan Umum")
    page.fill("textarea[name=instruction]", "Mohon segera ditinjau ke lokasi.")
    screenshot(page, "desk-03-verify-form")
    submit_action_form(page)
    assert "didisposisikan" in page.content()
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISPOSED

    log_in(page, base, "penghubung_pu")
    assert f"antrean={opd_pu.pk}" in page.url  # OPD staff land on their queue
    assert complaint.tracking_number in page.content()
    screenshot(page, "desk-04-opd-queue")
    page.click(f"text={complaint.tracking_number}")
    with page.expect_navigation():
        page.click("#desk-actions >> text=Terima disposisi")  # one click: no confirmation page
    assert "Disposisi diterima" in page.content()
    page.click("#desk-actions >> text=Tulis tindak lanjut")
    page.fill("textarea[name=body]", "Lubang sudah ditambal oleh tim UPT Jalan pada hari ini; foto terlampir.")
    photo = tmp_path / "tambalan.png"
    photo.write_bytes(PNG)
    page.set_input_files("input[name=evidence]", str(photo))
    screenshot(page, "desk-05-followup-form")
    page.click("#desk-action-form button:has-text('Kirim ke pelapor')")
    page.wait_for_load_state()
    assert "dikirim ke pelapor" in page.content()
    assert page.locator("#desk-timeline a:has-text('tambalan.png')").count() == 1
    screenshot(page, "desk-06-opd-complaint-answered")

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    followup = FollowUp.objects.get(complaint=complaint)
    assert followup.state == FollowUp.State.PUBLISHED and followup.attachments.count() == 1
