"""Scopes: a view names its resource; safe methods need ``<resource>:read``, others ``:write``.

Roles, OPDs and the workflow are decided by :mod:`aduan_publik.access` and the services; a scope
only ever narrows what the token's user may do.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.request import Request

from .models import ApiToken


def required_scope(request: Request, view: Any) -> str:
    resource = getattr(view, "scope_resource", "complaints")
    mode = "read" if request.method in permissions.SAFE_METHODS else "write"
    return getattr(view, "required_scopes", {}).get(request.method, f"{resource}:{mode}")


class TokenScope(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False  # unauthenticated: DRF answers 401 with WWW-Authenticate
        scope = required_scope(request, view)
        if not token.has_scope(scope):
            self.message = _("Token tidak memiliki cakupan %(scope)s.") % {"scope": scope}
            return False
        return True
