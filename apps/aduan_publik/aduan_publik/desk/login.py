"""The desk's sign-in form: says why an account cannot enter, in the desk's own words.

Django's Indonesian catalogue renders the admin's "wrong password" text with the username field's
name twice ("nama pengguna nama pengguna"); and an integrator (API only) typing a correct password
was told the password was wrong. Only after the password is checked do we say more.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm as DjangoAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm

from .. import access
from ..models import Role


class DeskLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin Diskominfo."),
        "api_only": _("Akun ini khusus untuk API (integrasi sistem) dan tidak dapat masuk ke meja kerja."),
        "no_role": _("Akun ini belum memiliki peran di meja kerja. Hubungi admin Diskominfo."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        """Called only with the right password. Desk entry goes by hub role, not Django's staff flag."""
        DjangoAuthenticationForm.confirm_login_allowed(self, user)  # inactive accounts
        if access.role_of(user) == Role.INTEGRATOR:
            raise ValidationError(self.error_messages["api_only"], code="api_only")
        if not access.can_use_desk(user):
            raise ValidationError(self.error_messages["no_role"], code="no_role")
