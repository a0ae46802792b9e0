"""Issue 14 point 8: TOTP second factor for staff (django-otp), required for admins when the site
says so (``auth.require_2fa_for``), recovery codes, and an admin's reset for a lost phone."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aduan_publik.models import Event, Role
from aduan_publik.services.signin import recovery_codes_renew
from tests.aduan_publik.desk.desk_helpers import client_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
LOGIN = "/desk/login/?next=/desk/"
CODE, ENROL, SECURITY = "/desk/login/kode/", "/desk/login/aktifkan-2fa/", "/desk/keamanan/"


def code_for(device: TOTPDevice, step: int = 0) -> str:
    """The code the user's phone shows (``step`` 1: the next one, accepted within the tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + step)
    return f"{totp.token():06d}"


@pytest.fixture
def require_2fa_for_admins(settings):
    settings.SIGNIN = {**settings.SIGNIN, "require_2fa_for": ["admin"]}


@pytest.fixture
def enrolled_admin(admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="aplikasi-autentikator", confirmed=True)
    codes = recovery_codes_renew(user=admin_user)
    return admin_user, device, codes


def password_step(client: Client, username: str = "admin1"):
    return client.post(LOGIN, {"username": username, "password": "rahasia-123"})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_enrolled_admin_needs_the_code_after_the_password(enrolled_admin):
    user, device, _codes = enrolled_admin
    client = Client()
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == CODE
    assert not signed_in(client)
    assert client.get("/desk/").status_code == 302  # the password alone opens nothing

    page = client.get(CODE).content.decode()
    assert "Kata sandi «admin1» benar" in page
    wrong = client.post(CODE, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "Kode salah atau sudah kedaluwarsa" in wrong.content.decode() and not signed_in(client)

    # django-otp throttles a device after a failure; this test is about the flow, not the clock.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(CODE, {"token": code_for(device)})
    assert done.status_code == 302 and done["Location"] == "/desk/"
    assert signed_in(client) and client.get("/desk/").status_code == 200
    login = Event.objects.get(verb="login", actor=user)
    assert login.data == {"second_factor": "TOTPDevice"}
    assert Event.objects.filter(verb="login_failed", data__reason="code").count() == 1


def test_a_recovery_code_works_once(enrolled_admin):
    _user, _device, codes = enrolled_admin
    client = Client()
    password_step(client)
    assert client.post(CODE, {"token": codes[0].upper()}).status_code == 302 and signed_in(client)
    assert StaticToken.objects.filter(device__user=_user).count() == 9

    again = Client()
    password_step(again)
    StaticDevice.objects.filter(user=_user).update(throttling_failure_count=0)
    response = again.post(CODE, {"token": codes[0]})
    assert response.status_code == 200 and not signed_in(again)


def test_five_wrong_codes_send_back_to_the_password_and_count_as_a_failure(enrolled_admin):
    client = Client()
    password_step(client)
    for _ in range(4):
        assert client.post(CODE, {"token": "abcdefgh"}).status_code == 200
    last = client.post(CODE, {"token": "abcdefgh"})
    assert last.status_code == 302 and last["Location"] == "/desk/login/"
    assert client.get(CODE)["Location"] == "/desk/login/"  # the pending sign-in is gone
    assert AccessAttempt.objects.get(username="admin1").failures_since_start == 1
    assert Event.objects.filter(verb="login_failed", data__reason="code").count() == 5


def test_liaison_without_a_device_signs_in_with_the_password(liaison_pu, require_2fa_for_admins):
    client = Client()
    response = password_step(client, "penghubung_pu")
    assert response.status_code == 302 and signed_in(client)


def test_required_admin_enrols_at_sign_in_and_gets_recovery_codes(admin_user, require_2fa_for_admins):
    client = Client()
    response = password_step(client)
    assert response.status_code == 302 and response["Location"] == ENROL and not signed_in(client)

    page = client.get(ENROL).content.decode()
    assert "<svg" in page and "mewajibkan verifikasi dua langkah" in page
    secret = re.search(r'id="desk-signin-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert secret and device.config_url.startswith("otpauth://totp/")

    refused = client.post(ENROL, {"token": "12345"})
    assert "Kode tidak cocok" in refused.content.decode() and not signed_in(client)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(ENROL, {"token": code_for(device)})
    assert done.status_code == 302 and done["Location"] == SECURITY and signed_in(client)

    codes_page = client.get(SECURITY).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", codes_page)
    assert len(codes) == 10
    assert "hanya menampilkannya sekali" in codes_page
    assert "<li>" + codes[0] not in client.get(SECURITY).content.decode()  # shown once
    assert TOTPDevice.objects.get(user=admin_user).confirmed
    assert Event.objects.filter(verb="2fa_enabled", actor=admin_user).count() == 1


def test_password_only_session_of_a_required_admin_opens_nothing(admin_user, require_2fa_for_admins):
    """A session from before the site required 2FA: no desk, no export, back to the second step."""
    client = client_for(admin_user)
    assert client.get("/desk/")["Location"].startswith("/desk/login/")
    assert client.get("/export/aduan.csv").status_code in (302, 403)
    response = client.get("/desk/login/?next=/desk/")
    assert response.status_code == 302 and response["Location"] == ENROL


def test_staff_enrols_voluntarily_from_the_security_page(liaison_pu):
    client = client_for(liaison_pu)
    assert "belum aktif" in client.get(SECURITY).content.decode()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=liaison_pu)
    response = client.post(ENROL, {"token": code_for(device)})
    assert response["Location"] == SECURITY
    assert "aktif (aplikasi autentikator)" in client.get(SECURITY).content.decode()
    # The session that enrolled is verified; a new one needs the code.
    assert client.get("/desk/").status_code in (200, 302) and signed_in(client)
    fresh = Client()
    assert password_step(fresh, "penghubung_pu")["Location"] == CODE


def test_admin_resets_a_lost_phone(enrolled_admin, opd_pu):
    user, _device, _codes = enrolled_admin
    other_admin = make_user("admin2", Role.ADMIN)
    desk = client_for(other_admin)
    response = desk.post("/desk/auth/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert Event.objects.get(verb="2fa_reset").actor == other_admin
    client = Client()
    assert password_step(client).status_code == 302 and signed_in(client)  # not required here: in again
