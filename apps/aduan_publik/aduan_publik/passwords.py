"""Password rules of the hub on top of Django's validators (``AUTH_PASSWORD_VALIDATORS``).

Validators apply where a person chooses a password through a form (the desk's password change,
the admin's user forms, ``createsuperuser``), never to ``create_user``: the demo logins keep the
published demo password, which no one may choose for a real account.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .demo import DEMO_PASSWORD

PUBLISHED = frozenset({DEMO_PASSWORD, "aduanpublik", "aduan-publik", "rahasia-123"})


class PublishedPasswordValidator:
    """Refuses passwords printed in the README and the test suite (and their upper-case forms)."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.strip().lower() in PUBLISHED:
            raise ValidationError(_("Kata sandi ini tercantum di dokumentasi publik. Pilih kata sandi lain."),
                                  code="password_published")

    def get_help_text(self) -> str:
        return _("Kata sandi tidak boleh sama dengan kata sandi contoh di dokumentasi.")
