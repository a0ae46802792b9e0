"""How the settings turn a database URL into Django's DATABASES entry."""

from __future__ import annotations

import pytest
from django.db import connection

from config.settings import _database


def test_postgresql_connections_turn_jit_off_and_keep_the_urls_own_options():
    plain = _database("postgres://postgres@127.0.0.1:5432/aduan")
    assert plain["OPTIONS"]["options"] == "-c jit=off"
    own = _database("postgres://postgres@127.0.0.1:5432/aduan?options=-c%20statement_timeout%3D5000")
    assert own["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=5000"


def test_sqlite_gets_wal_and_no_postgresql_options():
    db = _database("sqlite:////tmp/aduan-settings.sqlite3")
    assert "options" not in db["OPTIONS"] and "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_the_live_postgresql_connection_has_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
