"""The generic webhook endpoint: verify, store raw, answer at once, process in a job.

A channel may mount its own views (``Channel.urls``) for provider specifics such as a
subscription handshake; they should reuse :func:`accept_delivery` for the POST path.
"""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..channels.base import RawInbound, SignatureError
from ..channels.registry import UnknownChannel, get_channel
from ..selectors.channel_instances import instance_get
from ..services.inbound import inbound_event_reject, inbound_event_store

logger = logging.getLogger(__name__)
# Meta documents webhook payloads of up to 3 MB; the default cap leaves room above that.
DEFAULT_MAX_WEBHOOK_BYTES = 8 * 1024 * 1024
OVERSIZE_KEPT_BYTES = 16 * 1024  # what is kept of a delivery above the cap, for the admin to look at
_CHUNK = 64 * 1024
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def max_webhook_bytes() -> int:
    """The hard cap on a delivery's body (site config ``webhook_max_bytes``)."""
    return int(settings.ADUAN.get("webhook_max_bytes") or DEFAULT_MAX_WEBHOOK_BYTES)


def raw_from_request(request: HttpRequest, body: bytes | None = None) -> RawInbound:
    """The request as a channel sees it: body, lower-cased headers, query string and form fields."""
    body = request.body if body is None else body
    return RawInbound(
        method=request.method or "POST",
        body=body,
        headers={k.lower(): v for k, v in request.headers.items()},
        query={k: str(v) for k, v in request.GET.items()},
        form=_form_fields(request, body),
    )


def _form_fields(request: HttpRequest, body: bytes) -> dict[str, Any]:
    """Form fields of a form-encoded body (files stay in the raw body); {} for anything else.

    A form the parser refuses (too many fields, broken multipart) still reaches storage: the
    raw body is kept and the channel's parser decides.
    """
    if not body or request.content_type not in _FORM_TYPES:
        return {}
    try:
        if request.content_type == "multipart/form-data":
            fields, _files = request.parse_file_upload(request.META, BytesIO(body))
        else:
            from django.http import QueryDict

            fields = QueryDict(body, encoding=request.encoding)
    except (SuspiciousOperation, MultiPartParserError, ValueError) as exc:
        logger.warning("form fields of a webhook not parsed: %s", exc)
        return {}
    return {key: values[0] if len(values) == 1 else values for key, values in fields.lists()}


def _read_body(request: HttpRequest, cap: int) -> tuple[bytes, int, str]:
    """``(body, size, "")`` up to ``cap``; above it ``(first bytes, size, sha256)`` without keeping the rest.

    The body is read here rather than through ``request.body`` so that a delivery larger than
    Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` but within the cap is still accepted.
    """
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared <= cap:
        body = request.read()
        return body, len(body), ""
    kept = request.read(OVERSIZE_KEPT_BYTES)
    digest = hashlib.sha256(kept)
    size = len(kept)
    while chunk := request.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return kept, size, digest.hexdigest()


def accept_delivery(request: HttpRequest, channel_name: str, instance: str | None = None) -> HttpResponse:
    """Verify the delivery, store it once, answer 200. Forged: 403 and nothing stored.

    ``instance`` is the channel instance named in the URL (None: the default instance). A
    delivery for an instance the site does not have (404) or has disabled (403) is kept as
    *rejected* with the reason, for the admin to see. A body above the cap cannot be verified
    or processed: a short record of it is kept as *rejected* with the reason (answered 200, so
    the provider does not retry it for days).
    """
    key, refusal = instance_for_request(channel_name, instance)
    if refusal:
        return _reject_instance(request, channel_name, instance or "", *refusal)
    channel = get_channel(channel_name, instance=key)
    cap = max_webhook_bytes()
    body, size, digest = _read_body(request, cap)
    if digest:
        return _reject_oversize(request, channel_name, body, size, digest, cap, key)
    raw = raw_from_request(request, body)
    try:
        channel.verify_inbound(raw)
    except SignatureError as exc:
        logger.warning("rejected %s webhook: %s", channel_name, exc)
        return JsonResponse({"error": str(exc)}, status=403)
    event, created = inbound_event_store(channel=channel_name, raw=raw, dedupe_key=channel.inbound_key(raw),
                                         instance=key)
    return JsonResponse({"status": "accepted" if created else "duplicate", "id": event.pk})


def instance_for_request(channel_name: str, instance: str | None) -> tuple[str, tuple[str, int] | None]:
    """``(instance key to store, None)``, or ``("", (reason, HTTP status))`` when refused.

    Without a name in the URL the channel's default document serves, else (no document yet)
    the site config's settings under the key "".
    """
    found = instance_get(channel_name, instance or "")
    if found is None:
        if instance is None:
            return "", None
        return "", (_("Instans kanal %(c)s/%(k)s tidak ada di situs ini: kiriman ditolak tanpa diproses.")
                    % {"c": channel_name, "k": instance}, 404)
    if not found.enabled:
        return "", (_("Instans kanal %(c)s/%(k)s nonaktif: kiriman ditolak tanpa diproses.")
                    % {"c": channel_name, "k": found.key}, 403)
    return found.key, None


def _reject_instance(request: HttpRequest, channel_name: str, instance: str, reason: str,
                     status: int) -> HttpResponse:
    """Keep the start of a delivery for a missing or disabled instance, visible as *rejected*.

    Its signature cannot be checked (the instance has no secret here), so only the first
    bytes are kept, once per body.
    """
    kept = request.read(OVERSIZE_KEPT_BYTES)
    raw = RawInbound(method=request.method or "POST", body=kept,
                     headers={k.lower(): v for k, v in request.headers.items()},
                     query={k: str(v) for k, v in request.GET.items()})
    key = f"instance-{instance}-{hashlib.sha256(kept).hexdigest()}"
    event, _created = inbound_event_reject(channel=channel_name, raw=raw, dedupe_key=key, reason=reason,
                                           instance=instance)
    logger.warning("%s webhook for instance %r refused (event %s): %s", channel_name, instance, event.pk, reason)
    return JsonResponse({"status": "rejected", "id": event.pk, "error": reason}, status=status)


def _reject_oversize(request: HttpRequest, channel_name: str, kept: bytes, size: int, digest: str,
                     cap: int, instance: str = "") -> HttpResponse:
    reason = _("Kiriman %(size)d byte melebihi batas %(cap)d byte (webhook_max_bytes): tidak diproses. "
               "Hanya %(kept)d byte pertama disimpan; tanda tangannya tidak diperiksa.") % {
        "size": size, "cap": cap, "kept": len(kept)}
    raw = RawInbound(method=request.method or "POST", body=kept,
                     headers={k.lower(): v for k, v in request.headers.items()},
                     query={k: str(v) for k, v in request.GET.items()})
    event, _created = inbound_event_reject(channel=channel_name, raw=raw, dedupe_key=f"oversize-{digest}",
                                           reason=reason, instance=instance)
    logger.warning("%s webhook of %d bytes above the cap of %d kept as rejected (event %s)",
                   channel_name, size, cap, event.pk)
    return JsonResponse({"status": "rejected", "id": event.pk, "error": "payload too large"})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def channel_webhook(request: HttpRequest, name: str, instance: str | None = None) -> HttpResponse:
    """``/channels/<name>/webhook`` (the default instance) or ``/channels/<name>/<instance>/webhook``."""
    try:
        get_channel(name)
    except UnknownChannel:
        return JsonResponse({"error": f"unknown channel {name!r}"}, status=404)
    if request.method == "GET":
        return _handshake(request, name, instance)
    return accept_delivery(request, name, instance)


def _handshake(request: HttpRequest, name: str, instance: str | None) -> HttpResponse:
    key, refusal = instance_for_request(name, instance)
    if refusal:
        return JsonResponse({"error": refusal[0]}, status=refusal[1])
    answer = get_channel(name, instance=key).handshake(raw_from_request(request))
    if answer is None:
        return JsonResponse({"error": "verification failed"}, status=403)
    return HttpResponse(answer, content_type="text/plain")
