"""Every API error as an RFC 9457 problem detail (``application/problem+json``).

``title`` and ``detail`` follow ``Accept-Language`` (Indonesian or English, through the
catalogue); ``errors`` names each invalid field; a refused workflow transition is 409 with the
workflow's reason; 429 carries ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from ..services.attachments import AttachmentRejected
from ..workflow import WorkflowError
from .intake import IdempotencyMismatch

PROBLEM = "application/problem+json"
TYPE_BASE = "urn:aduan-publik:problem:"


def problem(status_code: int, slug: str, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": TYPE_BASE + slug, "title": title, "status": status_code, **({"detail": detail} if detail else {}),
            **extra}
    return Response(body, status=status_code, content_type=PROBLEM)


def _field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dict flattened to [{"field", "detail"}], field paths dotted."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for name, value in detail.items():
            field = "" if name == "non_field_errors" else f"{prefix}{name}"
            out += _field_errors(value, f"{field}." if field else "")
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix.rstrip("."), "detail": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out += _field_errors(item, f"{prefix}{index}.")
        return out
    return [{"field": prefix.rstrip("."), "detail": str(detail)}]


def validation_problem(errors: list[dict[str, str]]) -> Response:
    named = ", ".join(e["field"] for e in errors if e["field"])
    detail = (_("Periksa isian: %(fields)s.") % {"fields": named}) if named else (errors[0]["detail"] if errors else "")
    return problem(400, "validation", _("Data tidak valid"), detail, errors=errors)


def problem_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: map what the services and DRF raise to problem details."""
    if isinstance(exc, IdempotencyMismatch):
        return problem(422, "idempotency-key-reused", _("Idempotency-Key dipakai ulang"), exc.messages[0])
    if isinstance(exc, AttachmentRejected):
        return validation_problem([{"field": "file", "detail": exc.messages[0]}])
    if isinstance(exc, WorkflowError):
        return problem(409, "workflow-conflict", _("Tindakan tidak dapat dilakukan"), exc.messages[0])
    if isinstance(exc, DjangoValidationError):
        return validation_problem([{"field": "", "detail": m} for m in exc.messages])
    if isinstance(exc, exceptions.ValidationError):
        return validation_problem(_field_errors(exc.detail))
    if isinstance(exc, Http404 | exceptions.NotFound):
        return problem(404, "not-found", _("Tidak ditemukan"), str(exc) or _("Data tidak ditemukan."))
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, "forbidden", _("Tidak diizinkan"), str(exc) or _("Anda tidak diizinkan."))
    if isinstance(exc, RequestDataTooBig):
        return too_large()
    if isinstance(exc, exceptions.APIException):
        return _api_exception(exc, context)
    return None


def too_large() -> Response:
    return problem(413, "too-large", _("Permintaan terlalu besar"),
                   _("Isi permintaan melebihi batas ukuran situs ini."))


TITLES = {
    401: ("unauthenticated", lambda: _("Perlu token API")),
    403: ("forbidden", lambda: _("Tidak diizinkan")),
    405: ("method-not-allowed", lambda: _("Metode tidak diizinkan")),
    406: ("not-acceptable", lambda: _("Format jawaban tidak tersedia")),
    413: ("too-large", lambda: _("Permintaan terlalu besar")),
    415: ("unsupported-media-type", lambda: _("Jenis isi tidak didukung")),
    429: ("rate-limited", lambda: _("Terlalu banyak permintaan")),
}


def _api_exception(exc: exceptions.APIException, context: dict[str, Any]) -> Response:
    code = exc.status_code
    slug, title = TITLES.get(code, ("bad-request" if code < 500 else "server-error", lambda: _("Permintaan gagal")))
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = _("Kirim header «Authorization: Bearer <token>».")
    elif isinstance(exc, exceptions.Throttled):
        detail = _("Batas permintaan token ini terlampaui; coba lagi dalam %(s)d detik.") % {"s": int(exc.wait or 1)}
    response = problem(code, slug, title(), detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait))
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    elif code == status.HTTP_401_UNAUTHORIZED:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
