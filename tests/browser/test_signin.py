"""Two-step sign-in in a real browser: an admin on a site that requires it enrols with the QR page,
keeps the recovery codes, signs out, and signs in again with the password plus a code."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone_code(secret: str, step: int = 0) -> str:
    """What the authenticator app shows for the key typed from the enrolment page."""
    return f"{TOTP(b32decode(secret), drift=step).token():06d}"


def password_step(page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/desk/login/")
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_admin_enrols_then_signs_in_with_a_code(page, live_server, screenshot, admin_user, settings):
    settings.SIGNIN = {**settings.SIGNIN, "require_2fa_for": ["admin"]}
    base = live_server.url

    password_step(page, base)
    assert page.url.endswith("/desk/login/aktifkan-2fa/")
    assert page.locator("#desk-signin-qr svg").is_visible()
    screenshot(page, "signin-01-enrol-qr")
    secret = page.locator("#desk-signin-secret").inner_text().strip()
    page.fill("input[name=token]", "000000" if phone_code(secret) != "000000" else "111111")
    page.click("#desk-signin-enrol button[type=submit]")
    page.wait_for_load_state()
    assert "Kode tidak cocok" in page.content()
    screenshot(page, "signin-02-enrol-wrong-code")
    # django-otp throttles the device for a second after a failure; this scenario is not about the clock.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.fill("input[name=token]", phone_code(secret))
    page.click("#desk-signin-enrol button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/desk/keamanan/")
    codes = page.locator("#desk-recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "signin-03-recovery-codes")

    page.goto(f"{base}/desk/")
    assert page.locator("#desk-dashboard").is_visible()

    password_step(page, base)
    assert page.url.endswith("/desk/login/kode/")
    screenshot(page, "signin-04-code-step")
    page.fill("input[name=token]", codes[0])
    page.click("#desk-signin-code button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#desk-dashboard").is_visible()
    screenshot(page, "signin-05-signed-in")
