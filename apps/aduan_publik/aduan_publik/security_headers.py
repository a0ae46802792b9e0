"""Content-Security-Policy and Permissions-Policy on every response (issue 14 point 4).

Two policies, chosen by path. The portal (residents, no login) is strict: scripts, styles,
fonts and images only from this site, no inline code or style attributes, so injected markup
cannot run. The desk (``/desk/``; also the API's docs under ``/api/docs/``) is Django admin +
unfold, whose templates rely on inline scripts, Alpine.js expressions (evaluated with
``new Function``) and inline styles: it needs
``'unsafe-inline'`` and ``'unsafe-eval'``, but still loads nothing from other sites. A view
that sets its own policy (attachment downloads: ``default-src 'none'``) keeps it.

Django 6.0 brings its own CSP middleware; until the hub moves to it this stays a small
path-based middleware (django-csp decorates views, and the admin's views are not ours).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_COMMON = ("default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
           "form-action 'self'; frame-ancestors 'none'")
PORTAL_CSP = f"{_COMMON}; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'"
DESK_CSP = (f"{_COMMON}; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:")
# The portal's form offers "use my location" (portal.js); nothing else needs a device.
PERMISSIONS_POLICY = ("geolocation=(self), camera=(), microphone=(), payment=(), usb=(), serial=(), "
                      "bluetooth=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), "
                      "display-capture=(), browsing-topics=()")
DESK_PREFIX = "/desk/"
# The API's browsable docs (Swagger UI, Redoc from drf-spectacular-sidecar) configure themselves with
# inline scripts and inject their styles: they get the desk's looser policy, still nothing from other sites.
LOOSE_PREFIXES = (DESK_PREFIX, "/api/docs/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = DESK_CSP if request.path_info.startswith(LOOSE_PREFIXES) else PORTAL_CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
