"""Fixtures of the WhatsApp tests: a configured site, the fake Graph API, signed deliveries."""

from __future__ import annotations

import pytest
from fakes.graph_api import FakeGraphAPI
from wa_helpers import WEBHOOK, sign, wa_config


@pytest.fixture
def graph():
    """The fake Graph API on 127.0.0.1, started for one test."""
    with FakeGraphAPI() as fake:
        yield fake


@pytest.fixture
def whatsapp(settings, graph):
    """The site's WhatsApp channel configured against the fake Graph API."""
    settings.ADUAN = {**settings.ADUAN, "channels": {**settings.ADUAN["channels"], "whatsapp": wa_config(graph)}}
    return graph


@pytest.fixture
def post_webhook(client, whatsapp):
    """POST a body to the webhook, signed with the app secret unless told otherwise."""

    def post(body: bytes | str, *, signature: str | None = None, **headers: str):
        raw = body.encode() if isinstance(body, str) else body
        sig = sign(raw) if signature is None else signature
        extra = {"HTTP_X_HUB_SIGNATURE_256": sig} if sig else {}
        return client.post(WEBHOOK, data=raw, content_type="application/json", **extra, **headers)

    return post
