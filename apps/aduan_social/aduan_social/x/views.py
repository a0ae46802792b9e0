"""The X Activity API webhook: the CRC challenge (JSON) and signed events, at ``/channels/x/activity``.

X wants the CRC answer as JSON, which the generic endpoint (``text/plain``) does not give; the
POST side is the hub's own :func:`accept_delivery`, so verification, storage and deduplication
are the same as for every channel.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from aduan_publik.channels.registry import get_channel
from aduan_publik.views.webhooks import accept_delivery, raw_from_request


@csrf_exempt
@require_http_methods(["GET", "POST"])
def activity_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        answer = get_channel("x").handshake(raw_from_request(request))
        if answer is None:
            return JsonResponse({"error": "verification failed"}, status=403)
        return JsonResponse(json.loads(answer))
    return accept_delivery(request, "x")
