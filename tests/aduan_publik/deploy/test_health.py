"""Issue 14 point 3: liveness and readiness endpoints for a load balancer."""

from __future__ import annotations

import socket

import pytest
from django.test import override_settings


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_readyz_ok_when_database_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}, "errors": {}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_503_names_redis_when_redis_is_down(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "redis": "error"}
    assert "ConnectionError" in body["errors"]["redis"]


@pytest.mark.django_db
def test_healthz_answers_while_redis_is_down(client):
    """Liveness must not follow Redis: the balancer would restart web processes that are fine."""
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_503_names_the_database_when_it_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "error", "redis": "ok"}
    assert "database unreachable" in response.json()["errors"]["database"]
