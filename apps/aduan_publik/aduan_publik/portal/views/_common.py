"""Small helpers shared by the portal's views: the reporter's session grant and refusals."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

GRANTS_KEY = "aduan_portal_grants"
RECEIPTS_KEY = "aduan_portal_receipts"
RECEIPT_CODE_SECONDS = 30 * 60


def grant(request: HttpRequest, complaint_id: int) -> None:
    """Remember in the session that this browser proved the code of ``complaint_id``."""
    grants = list(request.session.get(GRANTS_KEY, []))
    if complaint_id not in grants:
        grants.append(complaint_id)
    request.session[GRANTS_KEY] = grants[-20:]


def granted_ids(request: HttpRequest) -> list[int]:
    return [int(pk) for pk in request.session.get(GRANTS_KEY, [])]


def remember_receipt(request: HttpRequest, token: str, complaint_id: int, code: str | None) -> None:
    """Keep the receipt of a submission for this browser (the repeated POST shows it again).

    The code is kept only :data:`RECEIPT_CODE_SECONDS`: the database stores just its hash, and
    the session store should not become a second, plain copy.
    """
    receipts = dict(request.session.get(RECEIPTS_KEY, {}))
    previous = receipts.get(token, {})
    receipts[token] = {"complaint": complaint_id, "code": code or previous.get("code"),
                       "at": previous.get("at") or time.time()}
    request.session[RECEIPTS_KEY] = dict(list(receipts.items())[-10:])


def receipt(request: HttpRequest, token: str) -> dict[str, Any] | None:
    found = request.session.get(RECEIPTS_KEY, {}).get(token)
    if found and found.get("code") and time.time() - found.get("at", 0) > RECEIPT_CODE_SECONDS:
        receipts = dict(request.session[RECEIPTS_KEY])
        found = receipts[token] = {**found, "code": None}  # forget the plain code
        request.session[RECEIPTS_KEY] = receipts
    return found
