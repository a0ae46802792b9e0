"""API fixtures: tokens per role and a client that sends them."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan_publik.api.models import SCOPES
from aduan_publik.api.tokens import token_create
from aduan_publik.models import Role
from tests.conftest import make_user

ALL = list(SCOPES)


class ApiClient:
    def __init__(self, raw: str, **headers: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)

    def get(self, path: str, data=None, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, data, **kw)

    def post(self, path: str, data=None, **kw):  # type: ignore[no-untyped-def]
        if "content_type" not in kw and not kw.pop("multipart", False):
            kw["content_type"] = "application/json"
        return self.client.post(path, data if data is not None else {}, **kw)


@pytest.fixture
def integrator_user(db):
    return make_user("integrasi", Role.INTEGRATOR)


@pytest.fixture
def api_as():
    """``api_as(user, scopes=..., opd=...)`` → a client with a fresh token of ``user``."""

    def make(user, scopes=ALL, opd=None, **headers):  # type: ignore[no-untyped-def]
        _token, raw = token_create(user=user, name="test", scopes=scopes, opd=opd)
        return ApiClient(raw, **headers)

    return make
