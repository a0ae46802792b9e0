"""Fixtures of the social channels' tests: the fakes on 127.0.0.1 and a site with the three doors."""

from __future__ import annotations

import pytest
from fakes.social_api import FakeMetaGraph, FakeXAPI
from social_helpers import facebook_config, instagram_config, meta_sign, x_config, x_sign


@pytest.fixture
def graph():
    with FakeMetaGraph() as fake:
        yield fake


@pytest.fixture
def xapi():
    with FakeXAPI() as fake:
        yield fake


def _configure(settings, name: str, cfg: dict) -> None:
    settings.ADUAN = {**settings.ADUAN, "channels": {**settings.ADUAN.get("channels", {}), name: cfg}}


@pytest.fixture
def facebook(settings, graph):
    """The site's Facebook Page channel against the fake Graph API (returns the fake)."""
    _configure(settings, "facebook", facebook_config(graph))
    return graph


@pytest.fixture
def instagram(settings, graph):
    _configure(settings, "instagram", instagram_config(graph))
    return graph


@pytest.fixture
def x_site(settings, xapi):
    _configure(settings, "x", x_config(xapi))
    return xapi


@pytest.fixture
def post_meta(client):
    """POST a body to a Meta channel's generic webhook, signed with the app secret."""

    def post(channel: str, body: bytes, *, signature: str | None = None):
        sig = meta_sign(body) if signature is None else signature
        return client.post(f"/channels/{channel}/webhook", data=body, content_type="application/json",
                           HTTP_X_HUB_SIGNATURE_256=sig)

    return post


@pytest.fixture
def post_x(client):
    def post(body: bytes, *, path: str = "/channels/x/activity", signature: str | None = None):
        sig = x_sign(body) if signature is None else signature
        return client.post(path, data=body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=sig)

    return post
