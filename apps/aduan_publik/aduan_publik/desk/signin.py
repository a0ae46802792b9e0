"""The desk's sign-in steps: password, then the second factor (TOTP or a recovery code), lockouts.

The password step is Django's ``LoginView`` with the desk's form; when the user has an
authenticator, or the site requires one for the role (``auth.require_2fa_for``), the password
alone does not sign in: the session only remembers who passed it (``PENDING``, ten minutes) and
the code step (or, without a device yet, the enrolment step) finishes the sign-in. Every refused
attempt is on the audit trail; django-axes counts them and locks the account and the address.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import segno
from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.models import Device
from unfold.widgets import UnfoldAdminTextInputWidget

from .. import access
from ..selectors import signin as signin_selectors
from ..services import signin as signin_services
from .login import DeskLoginForm

PENDING = "aduan_signin_pending"
NEW_CODES = "aduan_signin_new_codes"
PENDING_SECONDS = 600
MAX_CODE_TRIES = 5
_REFUSAL_CODES = ("invalid_login", "inactive", "api_only", "no_role")


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode verifikasi"), max_length=32, strip=True,
        help_text=gettext_lazy("Enam angka dari aplikasi autentikator, atau satu kode pemulihan."),
        widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def client_ip(request: HttpRequest) -> str | None:
    """The address django-axes counts (``REMOTE_ADDR`` unless configured otherwise)."""
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


# ---- step 1: password ------------------------------------------------------------------------


class DeskLoginView(LoginView):
    """The password step. A user who owes a second factor is not signed in here."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        enrolled = signin_selectors.has_authenticator(user)
        if not (enrolled or access.second_factor_required(access.role_of(user))):
            return super().form_valid(form)
        pending_start(self.request, user, self.get_success_url())
        return HttpResponseRedirect(reverse("admin:desk_signin_code" if enrolled else "admin:desk_signin_enrol"))

    def form_invalid(self, form: Any) -> HttpResponse:
        record_refusal(self.request, form)
        return super().form_invalid(form)


def record_refusal(request: HttpRequest, form: Any) -> None:
    """A refused password step on the audit trail (an empty form is no attempt)."""
    username = request.POST.get("username", "")[:150]
    codes = [error.code for error in form.non_field_errors().as_data()]
    if not username or not any(code in _REFUSAL_CODES for code in codes):
        return
    ip = client_ip(request)
    if getattr(request, "axes_locked_out", False):
        signin_services.signin_refused_record(username=username, ip=ip, reason="locked")
        if getattr(request, "axes_failures_since_start", None) == settings.AXES_FAILURE_LIMIT:
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            signin_services.signin_locked_record(username=username, ip=ip, minutes=minutes)
        return
    code = next(code for code in codes if code in _REFUSAL_CODES)
    signin_services.signin_refused_record(username=username, ip=ip,
                                          reason="password" if code == "invalid_login" else code)


def lockout_message(*, username: str, ip: str | None) -> str:
    state = signin_selectors.lock_state(username=username, ip=ip)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if state["account"] or not state["address"]:
        return _("Akun «%(username)s» dikunci sementara karena terlalu banyak percobaan masuk yang gagal. "
                 "Coba lagi setelah %(minutes)d menit, atau minta admin Diskominfo membuka kuncinya.") % {
            "username": username, "minutes": minutes}
    return _("Alamat jaringan Anda dikunci sementara karena terlalu banyak percobaan masuk yang gagal. "
             "Coba lagi setelah %(minutes)d menit, atau minta admin Diskominfo membuka kuncinya.") % {
        "minutes": minutes}


def lockout_response(request: HttpRequest, response: Any = None, credentials: dict[str, Any] | None = None
                     ) -> HttpResponse:
    """django-axes' answer to a locked account or address (``AXES_LOCKOUT_CALLABLE``): HTTP 429."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))[:150]
    message = lockout_message(username=username, ip=client_ip(request))
    if not request.path.startswith(reverse("admin:index")):
        return JsonResponse({"detail": message}, status=429)
    context = {**admin.site.each_context(request), "title": _("Masuk"), "app_path": request.get_full_path(),
               "form": DeskLoginForm(request, initial={"username": username}), "lockout_message": message,
               "next": request.POST.get("next", "")}
    return render(request, "desk/signin/locked.html", context, status=429)


# ---- the pending sign-in -----------------------------------------------------------------------


def pending_start(request: HttpRequest, user: Any, next_url: str) -> None:
    backend = getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
    request.session[PENDING] = {"user": user.pk, "backend": backend, "next": next_url, "at": time.time(), "tries": 0}


def pending_user(request: HttpRequest) -> Any:
    """Who passed the password step in this session (within ten minutes), or None."""
    state = request.session.get(PENDING)
    if not state or time.time() - state.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return get_user_model().objects.filter(pk=state["user"], is_active=True).first()


def finish_signin(request: HttpRequest, user: Any, device: Device, next_url: str | None = None) -> HttpResponse:
    """Sign in for real: the session, the verified device, the audit trail, then where the user was going."""
    state = request.session.pop(PENDING, {})
    auth_login(request, user, backend=state.get("backend") or settings.AUTHENTICATION_BACKENDS[0])
    otp_login(request, device)
    signin_services.signin_login_record(user=user, second_factor=type(device).__name__)
    target = next_url or state.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    return HttpResponseRedirect(target)


def _step_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


# ---- step 2: the code ----------------------------------------------------------------------------


def code_step(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login"))
    if not signin_selectors.has_authenticator(user):
        return HttpResponseRedirect(reverse("admin:desk_signin_enrol"))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = signin_services.second_factor_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            return finish_signin(request, user, device)
        if _code_refused(request, user):
            messages.error(request, _("Terlalu banyak kode yang salah. Masukkan kata sandi Anda lagi."))
            return HttpResponseRedirect(reverse("admin:login"))
        form.add_error("token", _("Kode salah atau sudah kedaluwarsa. Coba kode yang sedang tampil."))
    return _step_page(request, "desk/signin/code.html", {"title": _("Verifikasi dua langkah"), "form": form,
                                                         "signin_user": user})


def _code_refused(request: HttpRequest, user: Any) -> bool:
    """A wrong code: on the audit trail; after five, the pending sign-in is dropped and counted as a failure."""
    state = request.session[PENDING]
    state["tries"] = state.get("tries", 0) + 1
    request.session[PENDING] = state
    signin_services.signin_refused_record(username=user.get_username(), ip=client_ip(request), reason="code")
    if state["tries"] < MAX_CODE_TRIES:
        return False
    request.session.pop(PENDING, None)
    # django-axes counts it like a wrong password: a guessed password does not buy endless code guesses.
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return True


# ---- enrolment and the account's security page -------------------------------------------------


def enrol_step(request: HttpRequest) -> HttpResponse:
    """Connect an authenticator app: during a pending sign-in (required role) or from the security page."""
    user, pending = pending_user(request), True
    if user is None:
        if not access.can_use_desk(request.user):
            return HttpResponseRedirect(reverse("admin:login"))
        user, pending = request.user, False
    device = signin_services.totp_enrolment_start(user=user)
    form = SecondFactorForm(request.POST or None)
    form.fields["token"].help_text = _("Enam angka yang tampil di aplikasi autentikator.")
    if request.method == "POST" and form.is_valid():
        confirmed = signin_services.totp_enrolment_confirm(user=user, token=form.cleaned_data["token"])
        if confirmed is not None:
            request.session[NEW_CODES] = confirmed[1]
            security = reverse("admin:desk_security")
            if pending:
                return finish_signin(request, user, confirmed[0], next_url=security)
            otp_login(request, confirmed[0])
            return HttpResponseRedirect(security)
        form.add_error("token", _("Kode tidak cocok. Pastikan jam ponsel Anda tepat, lalu ketik kode yang baru."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, dark="#111827", light="#ffffff")
    return _step_page(request, "desk/signin/enrol.html", {
        "title": _("Aktifkan verifikasi dua langkah"), "form": form, "signin_user": user, "pending": pending,
        "qr_svg": mark_safe(qr),
        "secret": b32encode(device.bin_key).decode(),
    })


def security_page(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own page: second factor state, recovery codes (shown once), new codes."""
    user = request.user
    if request.method == "POST" and signin_selectors.has_authenticator(user):
        request.session[NEW_CODES] = signin_services.recovery_codes_renew(user=user)
        return HttpResponseRedirect(reverse("admin:desk_security"))
    context = {
        "title": _("Keamanan akun"), "has_authenticator": signin_selectors.has_authenticator(user),
        "required": access.second_factor_required(access.role_of(user)),
        "codes_left": signin_selectors.recovery_codes_left(user), "new_codes": request.session.pop(NEW_CODES, None),
    }
    return _step_page(request, "desk/signin/security.html", context)


def login_owing_second_factor(request: HttpRequest) -> HttpResponse | None:
    """A session signed in with the password only (before 2FA was required): back to the code step."""
    if request.method != "GET" or not access.owes_second_factor(request.user):
        return None
    user: Any = request.user
    backend = request.session.get("_auth_user_backend", settings.AUTHENTICATION_BACKENDS[0])
    auth_logout(request)
    user.backend = backend
    pending_start(request, user, request.GET.get("next") or reverse("admin:index"))
    enrolled = signin_selectors.has_authenticator(user)
    return HttpResponseRedirect(reverse("admin:desk_signin_code" if enrolled else "admin:desk_signin_enrol"))
