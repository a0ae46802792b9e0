"""Issue 12 point 5: the desk speaks Indonesian (the theme's own strings too), reporter search finds
a phone in either form and an e-mail, and the sign-in page says why an account cannot enter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import unfold
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from aduan_publik.models import Complaint, Contact, Disposition, Event, Message, Role
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.dispositions import followup_draft
from tests.aduan_publik.desk.desk_helpers import LIST_URL, PNG
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
LOGIN_URL = "/desk/login/?next=/desk/"


def png() -> SimpleUploadedFile:
    return SimpleUploadedFile("bukti.png", PNG, content_type="image/png")


def sign_in(username: str, password: str) -> str:
    response = Client().post(LOGIN_URL, {"username": username, "password": password})
    assert response.status_code == 200  # the form again, with the reason
    return response.content.decode()


def test_integrator_is_told_the_account_is_for_the_api_only(db):
    user = make_user("integrasi", Role.INTEGRATOR)
    type(user).objects.filter(pk=user.pk).update(is_staff=False)
    page = sign_in("integrasi", "rahasia-123")
    assert "khusus untuk API" in page
    assert "kata sandi salah" not in page


def test_wrong_password_is_said_once_without_a_doubled_word(admin_user):
    page = sign_in(admin_user.username, "bukan-ini")
    assert "Nama pengguna atau kata sandi salah" in page
    assert "nama pengguna nama pengguna" not in page.lower()


def test_account_without_a_role_is_told_to_ask_the_admins(db):
    make_user("tanpa-peran", None)
    assert "belum memiliki peran" in sign_in("tanpa-peran", "rahasia-123")


def test_staff_flag_is_not_what_opens_the_desk(opd_pu):
    """Desk entry goes by hub role: a liaison created without Django's staff flag still gets in."""
    user = make_user("penghubung-baru", Role.LIAISON, opd_pu)
    type(user).objects.filter(pk=user.pk).update(is_staff=False)
    response = Client().post(LOGIN_URL, {"username": "penghubung-baru", "password": "rahasia-123"})
    assert response.status_code == 302


@pytest.fixture
def wa_complaint(db):
    contact = Contact.objects.create(channel="whatsapp", address="6281298765432", phone="6281298765432",
                                     name="Siti")
    complaint, _code = complaint_create(channel="whatsapp", title="Sampah menumpuk", description="d",
                                        contact=contact, acknowledge=False)
    return complaint


def test_search_finds_a_phone_in_either_form_and_an_email(admin_client_, complaint, wa_complaint):
    # complaint's reporter typed 081234567890; the WhatsApp reporter arrives as 6281298765432.
    found = admin_client_.get(LIST_URL, {"q": "6281234567890"}).content.decode()
    assert complaint.tracking_number in found and wa_complaint.tracking_number not in found
    found = admin_client_.get(LIST_URL, {"q": "0812-9876-5432"}).content.decode()
    assert wa_complaint.tracking_number in found and complaint.tracking_number not in found
    found = admin_client_.get(LIST_URL, {"q": "warga@example.org"}).content.decode()
    assert complaint.tracking_number in found and wa_complaint.tracking_number not in found


def test_opd_search_by_phone_never_finds_an_anonim_reporter(liaison_pu_client, disposed):
    found = liaison_pu_client.get(LIST_URL, {"q": "6281234567890"}).content.decode()
    assert disposed.tracking_number in found
    type(disposed).objects.filter(pk=disposed.pk).update(is_anonymous=True)
    hidden = liaison_pu_client.get(LIST_URL, {"q": "6281234567890"}).content.decode()
    assert disposed.tracking_number not in hidden


# ---- the theme's own strings -----------------------------------------------------------------

UNFOLD_DIR = Path(unfold.__file__).parent
_TEMPLATE_MSGID = re.compile(r"""\{%\s*(?:trans|translate)\s+(["'])(.+?)\1|=_\((["'])(.+?)\3\)""")
_PYTHON_MSGID = re.compile(r"""(?<![\w])(?:_|gettext|gettext_lazy)\(\s*(["'])(.+?)\1\s*[,)]""")
# Same in both languages.
UNCHANGED = {"%(class_name)s %(instance)s"}


def unfold_msgids() -> set[str]:
    found: set[str] = set()
    for path in UNFOLD_DIR.rglob("*.html"):
        found |= {m.group(2) or m.group(4) for m in _TEMPLATE_MSGID.finditer(path.read_text(encoding="utf-8"))}
    for path in UNFOLD_DIR.rglob("*.py"):
        found |= {m.group(2) for m in _PYTHON_MSGID.finditer(path.read_text(encoding="utf-8"))}
    return found


def test_every_theme_string_has_an_indonesian_translation():
    msgids = unfold_msgids()
    assert len(msgids) > 100, "the extraction looks broken"
    assert {"Filters", "Type to search", "Apply Filters", "Welcome back to"} <= msgids
    with translation.override("id"):
        untranslated = sorted(m for m in msgids - UNCHANGED if translation.gettext(m) == m)
    assert untranslated == []


ENGLISH_LEFTOVERS = ("Filters", "Type to search", "Apply Filters", "Created at", "Welcome back to")


def test_desk_pages_show_no_english_theme_words(admin_client_, disposed, operator_pu):
    followup_draft(disposition=disposed.dispositions.get(), by=operator_pu,
                   body="Tim sudah meninjau lokasi dan menjadwalkan perbaikan minggu ini.", files=[png()])
    pages = [Client().get("/desk/login/?next=/desk/").content.decode()]
    for url in (LIST_URL, "/desk/aduan_publik/followup/", "/desk/aduan_publik/attachment/",
                "/desk/aduan_publik/event/", "/desk/aduan_publik/message/", "/desk/"):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page)
        assert [w for w in ENGLISH_LEFTOVERS if w in text] == []
    assert "Ketik untuk mencari" in pages[1] or "Cari nomor aduan" in pages[1]
    assert "Selamat datang kembali di" in pages[0]


# ---- the hub's own words: models, columns, sidebar ----------------------------------------------

# English that reached the desk before (model and field names without an Indonesian verbose name,
# Django's "None" kept English by the admin app's Indonesian catalogue, an unfold help text).
ENGLISH_WORDS = ("Dead-letter", "dead-letter", "None", "Attempts", "Sent at", "State changed at", "Overdue flagged at",
                 "Disposed by", "Verified by", "Uploaded by", "Rated at", "Processed at", "Lease until", "Headers",
                 "Get full name", "Created at", "Updated at", "Followup", "Contact", "Pk", "Key hash", "Payload",
                 "Raw passwords", "this form")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def english_in(text: str) -> list[str]:
    return [w for w in ENGLISH_WORDS if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def desk_pages(client: Client) -> dict[str, str]:
    """The index (with the sidebar), every list the admin can open, and a few change pages."""
    urls = ["/desk/"]
    for model in admin.site._registry:
        if model._meta.managed and model._meta.app_label != "django_rq":
            urls.append(f"/desk/{model._meta.app_label}/{model._meta.model_name}/")
    for model in (Complaint, Message, Disposition, Contact, Event, get_user_model()):
        first = model.objects.order_by("pk").values_list("pk", flat=True)[0]  # PostgreSQL keeps counting
        urls.append(f"/desk/{model._meta.app_label}/{model._meta.model_name}/{first}/change/")
    pages = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            pages[url] = visible_text(response.content.decode())
    return pages


def test_desk_index_sidebar_and_pages_have_no_english_words(admin_client_, disposed):
    pages = desk_pages(admin_client_)
    assert len(pages) > 30 and sum("/change/" in url for url in pages) == 6
    assert {url: english_in(text) for url, text in pages.items() if english_in(text)} == {}
    assert "Kiriman webhook gagal" in pages["/desk/"]  # the sidebar's entry for the dead letters


def test_the_hub_catalogue_wins_over_the_admin_apps_none():
    with translation.override("id"):
        assert translation.gettext("None") == "Tidak ada"
    with translation.override("en"):
        assert translation.gettext("kiriman webhook gagal") == "failed webhook deliveries"
    assert english_in("Pilih kiriman webhook untuk melihat") == [] and english_in("status: None") == ["None"]
