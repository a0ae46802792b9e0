"""Issue 12, desk scope, in a real browser: queues by urgency at 1366 px (admin, leader, liaison), the work
page and verification (admin), the draft round trip (operator, liaison, resident), Indonesian sign-in.

Screenshots: ``test-artifacts/screenshots/desk-1*.png``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aduan_publik.calendar import WorkingCalendar
from aduan_publik.models import Complaint, Contact, FollowUp, Role
from aduan_publik.services.attachments import attachment_create
from aduan_publik.services.complaints import complaint_create, complaint_verify
from tests.aduan_publik.desk.desk_helpers import PNG
from tests.browser.test_desk import log_in, pick_opd
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LAPTOP = {"width": 1366, "height": 768}


def new(contact, title: str, **extra) -> Complaint:
    complaint, _code = complaint_create(channel="web", title=title, description=f"Uraian: {title}.",
                                        contact=contact, acknowledge=False, **extra)
    return complaint


def navigate(page, action) -> None:
    with page.expect_navigation():
        action()


def assert_no_sideways_scroll(page) -> None:
    """Every SLA badge lies inside the 1366 px window and the list needs no horizontal scrolling."""
    boxes = [b for b in (el.bounding_box() for el in page.locator("[data-sla]").all()) if b]
    assert boxes, "no SLA badge on the page"
    assert max(b["x"] + b["width"] for b in boxes) <= LAPTOP["width"]
    overflow = page.evaluate("""() => [...document.querySelectorAll('#result_list, #changelist-form *')]
        .filter(el => el.scrollWidth > el.clientWidth + 1
                      && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)).length""")
    assert overflow == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_queues_by_urgency_for_admin_leader_and_liaison(page, live_server, screenshot, admin_user, leader_user,
                                                        liaison_pu, opd_pu, contact, category_jalan):
    base, now, cal = live_server.url, timezone.now(), WorkingCalendar()
    for i in range(6):
        Complaint.objects.filter(pk=new(contact, f"Lampu jalan padam di gang {i}").pk).update(
            due_at=cal.add_working_days(now, 1 + i % 3))
    late = new(contact, "Saluran air tersumbat sejak minggu lalu, air meluap ke rumah warga")
    Complaint.objects.filter(pk=late.pk).update(due_at=now - timedelta(days=3))
    urgent = new(contact, "Pohon tumbang menutup jalan utama")
    Complaint.objects.filter(pk=urgent.pk).update(priority="urgent", due_at=cal.add_working_days(now, 2))
    for title in ("Jalan berlubang dekat pasar", "Trotoar rusak"):
        complaint_verify(complaint=new(contact, title, category=category_jalan), by=admin_user, opds=[opd_pu])
    page.set_viewport_size(LAPTOP)

    log_in(page, base, "admin1")
    queue = page.locator("#nav-sidebar-apps a[href*='tampilan=perlu-verifikasi']")
    assert queue.inner_text().split()[-1] == "8"  # the count in the sidebar
    navigate(page, queue.click)
    numbers = page.locator("#result_list tbody th a, #result_list tbody td a").all_inner_texts()
    numbers = [n for n in numbers if n.startswith("ADU-")]
    assert numbers[:2] == [urgent.tracking_number, late.tracking_number]  # DARURAT, then overdue
    assert page.locator("#result_list").get_by_text("terlambat 3 hari").is_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "desk-10-admin-queue-1366")

    log_in(page, base, "pimpinan")
    navigate(page, page.locator("#nav-sidebar-apps a[href*='tampilan=terlambat']").click)
    assert page.locator("#result_list").get_by_text(late.tracking_number).is_visible()
    navigate(page, page.locator(f"text={late.tracking_number}").click)
    assert page.locator("#desk-complaint-summary").is_visible()
    assert page.locator("#desk-actions").count() == 0 and page.locator("#desk-reply-composer").count() == 0
    screenshot(page, "desk-11-leader-work-page")

    log_in(page, base, "penghubung_pu")
    waiting = page.locator("#nav-sidebar-apps a[href*='tampilan=baru-didisposisikan']")
    assert waiting.inner_text().split()[-1] == "2"
    navigate(page, waiting.click)
    assert page.locator("[data-sla]").count() == 2
    assert_no_sideways_scroll(page)
    screenshot(page, "desk-12-liaison-queue-1366")


def test_verify_shows_the_whole_complaint_and_a_searchable_picker(page, live_server, screenshot, admin_user,
                                                                  complaint, opd_pu, opd_dlh):
    attachment_create(complaint=complaint, content=PNG, filename="lubang.png")
    Complaint.objects.filter(pk=complaint.pk).update(location_text="Jl. Merdeka depan SDN 3")
    log_in(page, live_server.url, "admin1")
    page.goto(f"{live_server.url}/desk/aduan_publik/complaint/{complaint.pk}/change/")
    assert page.locator("#desk-complaint-summary img[data-thumbnail]").count() == 1
    navigate(page, page.locator("#desk-actions >> text=Verifikasi & disposisi").click)
    summary = page.locator("#desk-complaint-summary")
    assert complaint.description in summary.inner_text() and "Jl. Merdeka depan SDN 3" in summary.inner_text()
    assert summary.locator("img[data-thumbnail]").count() == 1
    assert "Saran: Dinas Pekerjaan Umum" in page.locator(f"[data-suggested-opd='{opd_pu.pk}']").inner_text()
    assert page.eval_on_selector("select[name=opds]", "s => s.selectedOptions.length") == 0  # not pre-ticked
    pick_opd(page, "Lingkungan")
    screenshot(page, "desk-13-verify-whole-complaint")
    navigate(page, page.locator("#desk-action-form button[type=submit]").first.click)
    assert list(complaint.dispositions.values_list("opd__code", flat=True)) == ["DLH"]


def test_draft_round_trip_operator_liaison_resident(page, phone_page, live_server, screenshot, admin_user,
                                                    liaison_pu, operator_pu, opd_pu, category_jalan, tmp_path):
    base = live_server.url
    contact = Contact.objects.create(channel="web", address="siti@example.org", email="siti@example.org",
                                     name="Siti")
    complaint, code = complaint_create(channel="web", title="Jalan berlubang di Jl. Ahmad Yani",
                                       description="Lubang besar dekat halte, sudah dua motor jatuh.",
                                       contact=contact, category=category_jalan)
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    change = f"{base}/desk/aduan_publik/complaint/{complaint.pk}/change/"
    first = "Tim UPT Jalan sudah menambal lubang dekat halte pada Senin pagi."

    log_in(page, base, "operator_pu")
    page.goto(change)
    navigate(page, page.locator("#desk-actions >> text=Terima disposisi").click)
    navigate(page, page.locator("#desk-actions >> text=Tulis tindak lanjut").click)
    assert page.locator("#desk-action-form button[name=publish]").all_inner_texts() == ["Simpan draf"]
    page.fill("textarea[name=body]", first)
    (tmp_path / "tambalan.png").write_bytes(PNG)
    page.set_input_files("input[name=evidence]", str(tmp_path / "tambalan.png"))
    navigate(page, page.locator("#desk-action-form button:has-text('Simpan draf')").click)
    screenshot(page, "desk-14-operator-draft-saved")

    log_in(page, base, "penghubung_pu")
    drafts = page.locator("#nav-sidebar-apps a[href*='tampilan=draf-menunggu']")
    assert drafts.inner_text().split()[-1] == "1"
    navigate(page, drafts.click)
    navigate(page, page.locator(f"text={complaint.tracking_number}").click)
    assert first in page.locator("#desk-followups").inner_text()
    assert page.locator("#desk-followups img[data-thumbnail]").count() == 1
    navigate(page, page.locator("#desk-followups >> text=Tinjau draf ini").click)
    page.fill("textarea[name=comment]", "Sebutkan juga kapan pengaspalan permanen dijadwalkan.")
    screenshot(page, "desk-15-liaison-review")
    navigate(page, page.locator("#desk-action-form button:has-text('Kembalikan ke penyusun')").click)

    log_in(page, base, "operator_pu")
    returned = page.locator("#nav-sidebar-apps a[href*='tampilan=draf-dikembalikan']")
    assert returned.inner_text().split()[-1] == "1"  # the operator learns the outcome from the sidebar
    navigate(page, returned.click)
    navigate(page, page.locator(f"text={complaint.tracking_number}").click)
    assert "pengaspalan permanen" in page.locator("[data-review-comment]").inner_text()
    screenshot(page, "desk-16-operator-sees-return")
    navigate(page, page.locator("#desk-actions >> text=Tulis tindak lanjut").click)
    assert page.input_value("textarea[name=body]") == first
    page.fill("textarea[name=body]", first + " Pengaspalan permanen dijadwalkan Kamis depan.")
    navigate(page, page.locator("#desk-action-form button:has-text('Simpan draf')").click)

    log_in(page, base, "penghubung_pu")
    page.goto(change)
    navigate(page, page.locator("#desk-followups >> text=Tinjau draf ini").click)
    body = page.input_value("textarea[name=body]")
    page.fill("textarea[name=body]", body + " Terima kasih atas laporan Ibu.")
    navigate(page, page.locator("#desk-action-form button:has-text('Setujui & kirim ke pelapor')").click)
    assert "dikirim ke pelapor" in page.content()
    screenshot(page, "desk-17-liaison-sent")
    sent = FollowUp.objects.get(complaint=complaint, state=FollowUp.State.PUBLISHED)
    assert sent.body.endswith("Terima kasih atas laporan Ibu.") and sent.reviewed_by == liaison_pu

    phone_page.goto(f"{base}/lacak/")
    phone_page.fill("input[name=tracking_number]", complaint.tracking_number)
    phone_page.fill("input[name=code]", code)
    navigate(phone_page, phone_page.locator("button[type=submit]").click)
    assert "Terima kasih atas laporan Ibu." in phone_page.content()
    assert "Sebutkan juga kapan" not in phone_page.content()  # the review comment stays inside
    screenshot(phone_page, "desk-18-resident-sees-answer-phone")


def test_sign_in_and_theme_speak_indonesian(page, live_server, screenshot, admin_user, complaint):
    make_user("integrator", Role.INTEGRATOR)
    base = live_server.url
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    assert "Selamat datang kembali di" in page.content()
    page.fill("input[name=username]", "integrator")
    page.fill("input[name=password]", "rahasia-123")
    navigate(page, page.locator("button[type=submit]").click)
    assert "khusus untuk API" in page.content()
    screenshot(page, "desk-19-integrator-sign-in")

    log_in(page, base, "admin1")
    page.goto(f"{base}/desk/aduan_publik/complaint/?q=6281234567890")  # typed as 0812… by the reporter
    assert page.locator("#result_list").get_by_text(complaint.tracking_number).is_visible()
    text = page.locator("body").inner_text()
    assert "Filters" not in text and "Saringan" in text
    screenshot(page, "desk-20-search-phone-indonesian")
