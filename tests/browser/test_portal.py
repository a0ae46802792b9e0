"""The resident portal in a real browser, on a 360 px phone: file, track, reply; the desk answers; rate.

The staff part drives the desk's own action forms (verify & dispose, accept, follow-up) in a
desktop-sized page, as the desk's browser test does.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from aduan_publik.models import Attachment, Complaint, Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_photo(path) -> str:
    Image.new("RGB", (320, 240), (200, 60, 40)).save(path, format="JPEG")
    return str(path)


def solve_captcha(page) -> None:
    a, b = (int(x) for x in page.locator(".captcha .sum").inner_text().split("+"))
    page.fill("#id_captcha_answer", str(a + b))


def assert_fits_phone(page) -> None:
    """Nothing wider than the 360 px screen: no sideways scrolling on a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
                         ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)")
    assert width <= 360, f"page is {width}px wide: {wide}"


def staff_log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def desk_action(page, label: str) -> None:
    page.click(f"#desk-actions >> text={label}")


def desk_submit(page) -> None:
    page.click("#desk-action-form button[type=submit]")
    page.wait_for_load_state()


def file_complaint(phone_page, base, screenshot, tmp_path) -> tuple[str, str]:
    page = phone_page
    page.goto(f"{base}/")
    assert_fits_phone(page)
    screenshot(page, "portal-01-home-phone")
    page.click("nav >> text=Buat aduan")
    page.check("input[name=kind][value=pengaduan]")
    page.select_option("#id_category", label="Pekerjaan Umum › Jalan rusak")
    page.fill("#id_title", "Jalan berlubang di depan SDN 3")
    page.fill("#id_description", "Lubang sedalam 20 cm di Jl. Merdeka depan SDN 3, sudah dua motor jatuh minggu ini.")
    page.select_option("#id_kecamatan", label="Pontianak Kota")
    # The picker narrows the kelurahan to the chosen kecamatan (JS); the other group is hidden.
    assert page.locator("#id_kelurahan optgroup[label='Pontianak Barat']").get_attribute("hidden") is not None
    page.select_option("#id_kelurahan", label="Darat Sekip")
    page.fill("#id_location_text", "Jl. Merdeka no. 12")
    page.set_input_files("#id_attachments", make_photo(tmp_path / "lubang.jpg"))
    page.fill("#id_name", "Siti Aminah")
    page.fill("#id_phone", "081234567890")
    page.fill("#id_email", "siti@example.org")
    page.check("#id_is_anonymous")
    solve_captcha(page)
    assert_fits_phone(page)
    screenshot(page, "portal-02-form-filled-phone")
    page.click("button:has-text('Kirim aduan')")
    page.wait_for_load_state()
    number = page.locator("#tracking-number").inner_text()
    code = page.locator("#access-code").inner_text()
    screenshot(page, "portal-03-receipt-phone")
    return number, code


def test_resident_files_tracks_replies_desk_answers_resident_rates(
    browser, phone_page, page, live_server, screenshot, tmp_path, category_jalan, admin_user, liaison_pu, opd_pu
):
    from aduan_publik.models import Area

    kec = Area.objects.create(code="K1", name="Pontianak Kota", level="kecamatan")
    other = Area.objects.create(code="K2", name="Pontianak Barat", level="kecamatan")
    Area.objects.create(code="L1", name="Darat Sekip", level="kelurahan", parent=kec)
    Area.objects.create(code="L2", name="Sungai Beliung", level="kelurahan", parent=other)
    base = live_server.url

    number, code = file_complaint(phone_page, base, screenshot, tmp_path)
    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.is_anonymous and complaint.kelurahan.name == "Darat Sekip"
    assert Attachment.objects.get(complaint=complaint).content_type == "image/jpeg"

    # Track from a fresh visit: number and code, lower case as typed on a phone.
    phone_page.context.clear_cookies()
    phone_page.goto(f"{base}/lacak/")
    phone_page.fill("#id_tracking_number", number.lower())
    phone_page.fill("#id_code", code.lower())
    phone_page.click("button:has-text('Lacak')")
    phone_page.wait_for_load_state()
    assert "Jalan berlubang di depan SDN 3" in phone_page.content()
    assert phone_page.locator(".files img").count() == 1  # the reporter sees their own photo
    phone_page.fill("#id_text", "Tambahan: lubangnya makin lebar setelah hujan semalam.")
    phone_page.click("button:has-text('Kirim tanggapan')")
    phone_page.wait_for_load_state()
    assert "Tanggapan Anda telah terkirim" in phone_page.content()
    assert_fits_phone(phone_page)
    screenshot(phone_page, "portal-04-tracked-and-replied-phone")
    assert Message.objects.filter(complaint=complaint, direction="in").count() == 1

    # The desk: the admin verifies and disposes; the OPD liaison accepts and answers.
    change = f"{base}/desk/aduan_publik/complaint/{complaint.pk}/change/"
    staff_log_in(page, base, "admin1")
    page.goto(change)
    desk_action(page, "Verifikasi & disposisi")
    page.select_option("select[name=opds]", str(opd_pu.pk), force=True)  # issue 12: suggested, not pre-ticked
    desk_submit(page)
    staff_log_in(page, base, "penghubung_pu")
    page.goto(change)
    desk_action(page, "Terima disposisi")  # issue 12: posts at once, no confirmation page
    page.wait_for_load_state()
    desk_action(page, "Tulis tindak lanjut")
    page.fill("textarea[name=body]", "Lubang sudah ditambal tim UPT Jalan pada pagi ini; foto hasil terlampir.")
    page.set_input_files("input[name=evidence]", make_photo(tmp_path / "tambalan.jpg"))
    page.click("#desk-action-form button[name=publish][value='1']")  # «Kirim ke pelapor»
    page.wait_for_load_state()
    screenshot(page, "portal-05-desk-answered")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED

    # The resident sees the answer with its photo, and rates it.
    phone_page.goto(f"{base}/lacak/{number}/")
    assert "Lubang sudah ditambal tim UPT Jalan" in phone_page.content()
    assert phone_page.locator(".t-followup .files img").count() == 1
    screenshot(phone_page, "portal-06-answer-seen-phone")
    phone_page.check("input[name=rating][value='5']")
    phone_page.fill("#id_comment", "Cepat dan rapi, terima kasih.")
    phone_page.click("button:has-text('Kirim penilaian')")
    phone_page.wait_for_load_state()
    assert "Terima kasih atas penilaian Anda" in phone_page.content()
    screenshot(phone_page, "portal-07-rated-phone")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.rating == 5

    # The public list shows it without the reporter, and without the unreviewed photos.
    phone_page.goto(f"{base}/publik/{number}/")
    html = phone_page.content()
    assert "Siti" not in html and "081234567890" not in html and phone_page.locator(".files img").count() == 0
    assert_fits_phone(phone_page)
    screenshot(phone_page, "portal-08-public-detail-phone")
    phone_page.goto(f"{base}/statistik/")
    assert_fits_phone(phone_page)
    screenshot(phone_page, "portal-09-statistics-phone")


def test_core_form_works_without_javascript(browser, live_server, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/aduan/baru/")
        page.fill("#id_title", "Sampah menumpuk di pasar")
        page.fill("#id_description", "Sampah tidak diangkut tiga hari, bau dan lalat di sekitar los ikan.")
        page.fill("#id_email", "warga@example.org")
        buf = io.BytesIO()
        Image.new("RGB", (64, 64), "green").save(buf, format="PNG")
        page.set_input_files("#id_attachments", {"name": "pasar.png", "mimeType": "image/png",
                                                 "buffer": buf.getvalue()})
        page.fill("#id_captcha_answer", "0")  # wrong first: the refusal is shown, the form kept
        page.click("button:has-text('Kirim aduan')")
        assert "Jawaban hitungan salah" in page.content()
        assert page.input_value("#id_title") == "Sampah menumpuk di pasar"
        page.set_input_files("#id_attachments", {"name": "pasar.png", "mimeType": "image/png",
                                                 "buffer": buf.getvalue()})
        solve_captcha(page)
        page.click("button:has-text('Kirim aduan')")
        number = page.locator("#tracking-number").inner_text()
        screenshot(page, "portal-10-no-js-receipt")
        complaint = Complaint.objects.get(tracking_number=number)
        assert complaint.title == "Sampah menumpuk di pasar" and complaint.attachments.count() == 1
    finally:
        context.close()


def test_keyboard_reaches_the_form(phone_page, live_server):
    phone_page.goto(f"{live_server.url}/aduan/baru/")
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("document.activeElement.className") == "skip"
    labelled = phone_page.evaluate(
        "[...document.querySelectorAll('#complaint-form input:not([type=hidden]), #complaint-form select,"
        " #complaint-form textarea')].filter(e => !e.closest('.hp'))"
        ".every(e => e.labels && e.labels.length > 0)"
    )
    assert labelled


def test_english_switch_on_phone(phone_page, live_server, screenshot):
    phone_page.goto(f"{live_server.url}/aduan/baru/")
    phone_page.click("header button:has-text('English')")
    phone_page.wait_for_load_state()
    assert phone_page.locator("h1").inner_text() == "File a complaint"
    assert_fits_phone(phone_page)
    screenshot(phone_page, "portal-11-form-english-phone")
