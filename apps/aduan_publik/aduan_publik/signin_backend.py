"""The one authentication backend: django-axes' lockout check in front of Django's model backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesBackend, AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class SigninBackend(AxesBackend):
    """Refuses a locked account or address (django-axes) before the password is checked, then checks it.

    axes' own backend only watches and leaves the sign-in to the next backend; this one does both,
    so sessions name a single backend. ``authenticate()`` without a request comes only from code run
    on the server (a shell, a management command, a test): there is nobody to count and the plain
    model backend answers.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is not None:
            # Raises PermissionDenied when locked: Django's authenticate() then reports the failure.
            AxesStandaloneBackend.authenticate(self, request, username=username, password=password, **kwargs)
        return ModelBackend.authenticate(self, request, username=username, password=password, **kwargs)
