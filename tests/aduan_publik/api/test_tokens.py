"""Tokens: stored hashed, printed once by ``aduan api-token``, scoped, expiring, revocable."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from aduan_publik.api.models import ApiToken
from aduan_publik.api.tokens import hash_token, token_create

pytestmark = pytest.mark.django_db


def test_command_prints_the_token_once_and_stores_only_its_hash(integrator_user, opd_pu):
    out, err = io.StringIO(), io.StringIO()
    call_command("api-token", "integrasi", "--scope", "complaints:read,figures:read", "--opd", "PUPR",
                 "--expires-days", "30", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and raw not in str(token.__dict__)
    assert token.scopes == ["complaints:read", "figures:read"] and token.opd == opd_pu
    assert token.expires_at > timezone.now() + timedelta(days=29)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/figures").status_code == 200


@pytest.mark.parametrize("args", [["nobody"], ["integrasi", "--scope", "everything:write"],
                                  ["integrasi", "--opd", "XXX"]])
def test_command_refuses_bad_input(integrator_user, args):
    with pytest.raises(CommandError):
        call_command("api-token", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_expired_token_is_401(integrator_user):
    token, raw = token_create(user=integrator_user, name="x")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/opds").status_code == 401


def test_desk_issues_a_token_and_shows_it_once(admin_user, integrator_user):
    client = Client()
    client.force_login(admin_user)
    response = client.post("/desk/aduan_api/apitoken/add/", {
        "user": integrator_user.pk, "name": "dasbor", "scopes": ["complaints:read"]}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m.split(": ", 1)[1].split(" ")[0] for m in shown if "adu_" in m)
    assert hash_token(raw) == token.key_hash and token.created_by == admin_user


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.") and "/api/v1/complaints" in schema["paths"]
    assert "application/problem+json" in schema["paths"]["/api/v1/complaints"]["get"]["responses"]["404"]["content"]
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page
    assert "/static/drf_spectacular_sidecar/" in client.get("/api/docs/redoc/").content.decode()
