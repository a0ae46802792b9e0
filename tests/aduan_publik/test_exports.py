"""Exports go through the access module: OPD users get only their OPD, anonim masked."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aduan_publik.models import OPD
from aduan_publik.services.complaints import complaint_create, complaint_verify

pytestmark = pytest.mark.django_db


def _rows(client, user):
    client.force_login(user)
    response = client.get("/export/aduan.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_opd_export_is_limited_and_masked(client, complaint, contact, admin_user, opd_pu, opd_dlh, liaison_pu):
    complaint_verify(complaint=complaint, by=admin_user, opds=[opd_pu])
    anon, _ = complaint_create(channel="web", title="Sampah", description="Sampah menumpuk di pasar",
                               contact=contact, is_anonymous=True)
    complaint_verify(complaint=anon, by=admin_user, opds=[opd_pu])
    other, _ = complaint_create(channel="web", title="=HYPERLINK(1)", description="Bau limbah", contact=contact)
    complaint_verify(complaint=other, by=admin_user, opds=[opd_dlh])

    rows = _rows(client, liaison_pu)
    numbers = {r[0] for r in rows[1:]}
    assert numbers == {complaint.tracking_number, anon.tracking_number}
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[complaint.tracking_number][8] == "Budi Santoso"
    assert by_number[anon.tracking_number][8] == "Anonim"
    assert "081234567890" not in by_number[anon.tracking_number]

    admin_rows = _rows(client, admin_user)
    assert len(admin_rows) == 4
    titles = {r[7] for r in admin_rows[1:]}
    assert "'=HYPERLINK(1)" in titles  # formula injection neutralised


def test_export_refused_without_desk_role(client, django_user_model):
    user = django_user_model.objects.create_user("warga", password="x")
    client.force_login(user)
    assert client.get("/export/aduan.csv").status_code == 403
    client.logout()
    assert client.get("/export/aduan.csv").status_code == 302


def test_desk_list_links_to_the_export(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/desk/aduan_publik/complaint/").content.decode()
    assert 'href="/export/aduan.csv"' in page


# ---- streaming in keyset chunks (issue 14 point 1) ------------------------------------------------

def _bulk(prefix, count, *, received_at, contact=None, opd=None, anonymous=False):
    """``count`` complaints received at the same moment (equal sort keys), optionally disposed to ``opd``."""
    from aduan_publik.models import Complaint, Disposition, OpdScope

    Complaint.objects.bulk_create([Complaint(
        tracking_number=f"{prefix}-{i:03d}", access_code_hash="0" * 64, title=f"Aduan {prefix} {i}",
        description="Uraian", channel="web", received_at=received_at, contact=contact, is_anonymous=anonymous,
    ) for i in range(count)])
    made = list(Complaint.objects.filter(tracking_number__startswith=f"{prefix}-"))
    if opd is not None:
        Disposition.objects.bulk_create([Disposition(complaint=c, opd=opd, created_at=received_at) for c in made])
        # What the disposition service writes with each disposition: the OPD's view of the complaint.
        OpdScope.objects.bulk_create([OpdScope(complaint=c, opd=opd, received_at=received_at) for c in made])
    return made


def _stream(client, user=None):
    """The export's pieces, read one at a time as a browser would."""
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("aduan_publik:export_complaints"))
    assert response.status_code == 200
    return response.streaming_content


def _parse(pieces):
    return list(csv.reader(io.StringIO(b"".join(pieces).decode())))


def test_rows_complete_and_once_across_chunks_with_equal_sort_keys(client, admin_user, contact, monkeypatch):
    from aduan_publik import exports

    monkeypatch.setattr(exports, "CHUNK_ROWS", 3, raising=False)
    moment = timezone.now() - timedelta(days=3)
    tied = _bulk("TIE", 8, received_at=moment, contact=contact)  # chunk boundaries fall inside the tie
    before = _bulk("OLD", 2, received_at=moment - timedelta(hours=1))
    after = _bulk("NEW", 4, received_at=moment + timedelta(hours=1))

    rows = _parse(_stream(client, admin_user))[1:]
    numbers = [r[0] for r in rows]
    assert len(numbers) == len(set(numbers)) == 14
    expected = sorted(before, key=lambda c: c.pk) + sorted(tied, key=lambda c: c.pk) + sorted(after, key=lambda c: c.pk)
    assert numbers == [c.tracking_number for c in expected]  # ordered by (received_at, id)
    assert {r[8] for r in rows if r[0].startswith("TIE")} == {"Budi Santoso"}


def test_opd_user_chunks_keep_the_access_rule(client, admin_user, contact, opd_pu, opd_dlh, liaison_pu,
                                               monkeypatch):
    from aduan_publik import exports

    monkeypatch.setattr(exports, "CHUNK_ROWS", 2, raising=False)
    moment = timezone.now() - timedelta(days=1)
    ours = _bulk("PU", 5, received_at=moment, contact=contact, opd=opd_pu, anonymous=True)
    _bulk("DLH", 6, received_at=moment, contact=contact, opd=opd_dlh)

    rows = _parse(_stream(client, liaison_pu))[1:]
    assert sorted(r[0] for r in rows) == sorted(c.tracking_number for c in ours)
    assert {(r[6], r[8], r[9], r[10]) for r in rows} == {("PUPR", "Anonim", "•••", "•••")}
    assert "081234567890" not in str(rows)


seen_off_main: list[str] = []


def _every_connections_sql(monkeypatch):
    """The SQL run on any connection of any thread (the export reads ahead on a second connection)."""
    seen_off_main.clear()
    import threading

    from django.db.backends.utils import CursorWrapper

    seen: list[str] = []
    lock = threading.Lock()
    run = CursorWrapper._execute

    def counting(self, sql, *args, **kwargs):
        with lock:
            seen.append(sql)
            if threading.current_thread() is not threading.main_thread() and "aduan_publik_complaint" in sql:
                seen_off_main.append(sql)
        return run(self, sql, *args, **kwargs)

    monkeypatch.setattr(CursorWrapper, "_execute", counting)
    return seen


def _stream_counting(client, user, cursors, seen):
    """Consume the export, counting its queries and the server-side cursors open mid-stream."""
    from django.db import connection

    client.force_login(user)
    first = len(seen)
    pieces = _stream(client)
    got = [next(pieces), next(pieces)]  # the header, then the first chunk of rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors" if connection.vendor == "postgresql" else "SELECT 0")
        cursors.append(cursor.fetchone()[0])
    got += list(pieces)
    sql = [s for s in seen[first:] if "pg_cursors" not in s and s != "SELECT 0"]
    assert not any("DECLARE" in s.upper() or "CURSOR" in s.upper() for s in sql)
    return len(_parse(got)) - 1, len(sql)


@pytest.mark.django_db(transaction=True)  # autocommit, as the web process streams
def test_export_uses_no_server_side_cursor_and_constant_queries_per_chunk(client, monkeypatch, opd_pu,
                                                                          category_jalan):
    from django.db import connection

    from aduan_publik import exports
    from aduan_publik.models import Complaint, Disposition, Role
    from tests.conftest import make_user

    monkeypatch.setattr(exports, "CHUNK_ROWS", 4, raising=False)
    admin = make_user("admin-export", Role.ADMIN)
    moment = timezone.now() - timedelta(days=2)
    made = _bulk("Q", 10, received_at=moment, opd=opd_pu)
    Complaint.objects.filter(pk__in=[c.pk for c in made]).update(category=category_jalan)
    Disposition.objects.bulk_create([Disposition(complaint=c, opd=OPD.objects.create(code=f"X{c.pk}", name="x"),
                                                 created_at=moment) for c in made])
    cursors: list[int] = []
    seen = _every_connections_sql(monkeypatch)
    rows_10, queries_10 = _stream_counting(client, admin, cursors, seen)  # chunks of 4, 4, 2
    _bulk("R", 8, received_at=moment, opd=opd_pu)
    rows_18, queries_18 = _stream_counting(client, admin, cursors, seen)  # chunks of 4, 4, 4, 4, 2

    assert (rows_10, rows_18) == (10, 18)
    assert cursors == [0, 0]  # no cursor held open on the database while the rows stream
    # Two queries per chunk (the complaints, their OPDs), whatever the rows' categories and OPDs.
    assert queries_18 - queries_10 == 2 * 2
    # On PostgreSQL the chunks are read on a second connection, ahead of the rows being written.
    assert bool(seen_off_main) is (connection.vendor == "postgresql")
