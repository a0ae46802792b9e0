"""The job dashboard (django-rq) under /desk/rq/: admins only, through the desk's own sign-in.

django-rq's views only ask for Django's staff flag, which OPD staff have too; job arguments carry
complaint ids and phone numbers, so the hub role decides (``access.can_manage_jobs``), after the
desk's own checks (signed in, second factor where required).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django_rq.urls import get_admin_urlpatterns, get_api_urlpatterns

from .. import access


def admins_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.can_manage_jobs(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return admin.site.admin_view(guarded)


def rq_urlpatterns() -> tuple[list[URLPattern], str]:
    """django-rq's URLs, every one guarded (its token-only JSON views too: no token is configured)."""
    patterns = get_api_urlpatterns() + get_admin_urlpatterns()
    for pattern in patterns:
        pattern.callback = admins_only(pattern.callback)
    return patterns, "django_rq"
