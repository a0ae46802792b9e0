"""The generic webhook endpoint: verify, store raw, answer at once, process in a job.

A channel may mount its own views (``Channel.urls``) for provider specifics such as a
subscription handshake; they should reuse :func:`accept_delivery` for the POST path.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..channels.base import RawInbound, SignatureError
from ..channels.registry import UnknownChannel, get_channel
from ..services.inbound import inbound_event_store

logger = logging.getLogger(__name__)
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024


def raw_from_request(request: HttpRequest) -> RawInbound:
    return RawInbound(
        method=request.method or "POST",
        body=request.body,
        headers={k.lower(): v for k, v in request.headers.items()},
        query={k: str(v) for k, v in request.GET.items()},
    )


def accept_delivery(request: HttpRequest, channel_name: str) -> HttpResponse:
    """Verify the delivery, store it once, answer 200. Forged: 403 and nothing stored."""
    length = int(request.headers.get("Content-Length") or 0)
    if length > MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "payload too large"}, status=413)
    channel = get_channel(channel_name)
    raw = raw_from_request(request)
    try:
        channel.verify_inbound(raw)
    except SignatureError as exc:
        logger.warning("rejected %s webhook: %s", channel_name, exc)
        return JsonResponse({"error": str(exc)}, status=403)
    event, created = inbound_event_store(channel=channel_name, raw=raw, dedupe_key=channel.inbound_key(raw))
    return JsonResponse({"status": "accepted" if created else "duplicate", "id": event.pk})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def channel_webhook(request: HttpRequest, name: str) -> HttpResponse:
    try:
        channel = get_channel(name)
    except UnknownChannel:
        return JsonResponse({"error": f"unknown channel {name!r}"}, status=404)
    if request.method == "GET":
        answer = channel.handshake(raw_from_request(request))
        if answer is None:
            return JsonResponse({"error": "verification failed"}, status=403)
        return HttpResponse(answer, content_type="text/plain")
    return accept_delivery(request, name)
