"""Desk permissions from the hub role (decided in :mod:`aduan_publik.access`), never Django's model perms."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .. import access
from ..models import Role

DESK_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.LIAISON, Role.OPERATOR})
READ_ALL_ROLES = frozenset({Role.ADMIN, Role.LEADER})
ADMIN_ONLY = frozenset({Role.ADMIN})
NOBODY: frozenset[str] = frozenset()


class RoleAdminMixin:
    """Who may view and who may add/change/delete, by hub role. Rows are limited by ``get_queryset``."""

    view_roles: frozenset[str] = READ_ALL_ROLES
    add_roles: frozenset[str] = ADMIN_ONLY
    change_roles: frozenset[str] = ADMIN_ONLY
    delete_roles: frozenset[str] = ADMIN_ONLY

    @staticmethod
    def desk_role(request: HttpRequest) -> str | None:
        return access.role_of(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.desk_role(request) in self.view_roles

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        role = self.desk_role(request)
        return role in self.view_roles or role in self.change_roles

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.desk_role(request) in self.add_roles

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.desk_role(request) in self.change_roles

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.desk_role(request) in self.delete_roles


class ReadOnlyMixin(RoleAdminMixin):
    """Documents written only by services (audit trail, messages, deliveries): nobody edits them here."""

    add_roles = NOBODY
    change_roles = NOBODY
    delete_roles = NOBODY
