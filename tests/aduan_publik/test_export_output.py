"""The CSV export's bytes on a varied city equal a plain, row-by-row reading of the same rules.

The export reads value tuples in chunks and decides labels and masking once per export (issue 14);
this reference reads model instances one by one through the per-object rules (``access.reporter_display``,
``figures.is_counted``, ``timezone.localtime``, ``get_…_display``), the way the export worked before.
Both must give the same bytes, for an admin and for an OPD liaison, across chunk boundaries.
"""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from aduan_publik import access, exports, figures
from aduan_publik.models import OPD, Complaint, Disposition, OpdScope, Role, StaffProfile
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _safe(text: str) -> str:
    return "'" + text if text and text[0] in "=+-@" else text


def _when(value) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def reference_csv(user) -> str:
    """The export as one row per model instance, every rule applied per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in exports.COLUMNS])
    complaints = (access.complaints_visible_to(user).order_by("received_at", "pk")
                  .select_related("contact", "category__parent"))
    for c in complaints:
        who = access.reporter_display(user, c)
        opds = sorted({d.opd.code for d in c.dispositions.exclude(state=Disposition.State.CANCELLED)})
        writer.writerow([
            _safe(c.tracking_number), _when(c.received_at), _safe(c.channel), c.get_kind_display(),
            c.get_status_display(), _safe(str(c.category)) if c.category_id else "", ", ".join(opds),
            _safe(c.title), _safe(who["name"]), _safe(who["phone"]), _safe(who["email"]), _when(c.due_at),
            "" if c.rating is None else str(c.rating), "Ya" if figures.is_counted(c) else "Tidak",
        ])
    return out.getvalue()


def _dispose(*, complaint, opd, **fields) -> None:
    """A disposition written directly (a corner the services never make), with the OPD's scope row
    that the disposition service writes beside every disposition (access reads those)."""
    Disposition.objects.create(complaint=complaint, opd=opd, **fields)
    received_at = Complaint.objects.values_list("received_at", flat=True).get(pk=complaint.pk)  # not a stale copy
    OpdScope.objects.get_or_create(complaint=complaint, opd=opd, defaults={"received_at": received_at})


@pytest.fixture
def varied_city(db):
    """The demo city, plus the corners: formulas typed by people, no reporter, a cancelled disposition,
    equal receipt times across a chunk boundary, a duplicate and an archived complaint."""
    call_command("seed_demo", "--complaints", "60", stdout=StringIO(), stderr=StringIO())
    some = list(Complaint.objects.order_by("pk")[:12])
    moment = some[0].received_at
    Complaint.objects.filter(pk__in=[c.pk for c in some[:6]]).update(received_at=moment)
    OpdScope.objects.filter(complaint__in=some[:6]).update(received_at=moment)  # the scope rows' copy follows
    Complaint.objects.filter(pk=some[6].pk).update(title="=HYPERLINK(\"x\")", contact=None, rating=4)
    Complaint.objects.filter(pk=some[7].pk).update(status=Complaint.Status.ARCHIVED, due_at=None)
    Complaint.objects.filter(pk=some[8].pk).update(duplicate_of=some[9], title="+62 @kota -tolong")
    if some[10].contact is not None:
        some[10].contact.name, some[10].contact.phone = "@admin", "-0812"
        some[10].contact.save()
    opd = OPD.objects.order_by("pk").first()
    _dispose(complaint=some[11], opd=opd, state=Disposition.State.CANCELLED, created_at=moment)
    # A liaison of the OPD with the most complaints, anonim reporters among them.
    with_anonim = Disposition.objects.filter(complaint__is_anonymous=True).values("opd")
    busiest = OPD.objects.filter(pk__in=with_anonim).annotate(n=Count("dispositions")).order_by("-n", "pk").first()
    _dispose(complaint=some[7], opd=busiest, created_at=moment)  # archived, no deadline
    # The equal receipt times in the liaison's export too, whatever the demo's clock gave this OPD.
    for complaint in some[:6]:
        if not Disposition.objects.filter(complaint=complaint, opd=busiest).exists():
            _dispose(complaint=complaint, opd=busiest, created_at=moment)
    admin = StaffProfile.objects.filter(role=Role.ADMIN).select_related("user").first()
    return {"admin": admin.user, "liaison": make_user("penghubung-uji", Role.LIAISON, busiest)}


def _export(client, user) -> str:
    client.force_login(user)
    response = client.get("/export/aduan.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("who", ["admin", "liaison"])
def test_export_bytes_equal_the_row_by_row_reference(client, varied_city, who, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 7)  # many chunks, boundaries inside the equal times
    user = varied_city[who]
    got = _export(client, user)
    assert got == reference_csv(user)
    rows = list(csv.reader(io.StringIO(got)))
    assert len(rows) > 5  # the city is not empty for this user
    if who == "admin":
        assert {"Ya", "Tidak"} <= {r[13] for r in rows[1:]}
        assert any(r[7].startswith("'=") for r in rows[1:])
    else:
        assert "Anonim" in {r[8] for r in rows[1:]}  # the demo city has anonim reporters in this OPD


def test_opd_query_is_unordered(varied_city):
    """The OPDs of a chunk are read without a sort: the row sorts the codes itself."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        list(exports.export_chunks(varied_city["admin"]))
    opd_sql = [q["sql"] for q in captured.captured_queries if 'FROM "aduan_publik_disposition"' in q["sql"]]
    assert opd_sql and not any("ORDER BY" in sql.rsplit(")", 1)[-1] for sql in opd_sql)


def test_first_chunk_is_small_then_full_chunks(varied_city, monkeypatch):
    """The download starts after a small first chunk; later chunks are full."""
    monkeypatch.setattr(exports, "FIRST_CHUNK_ROWS", 5)
    sizes = [len(rows) for rows, _opds in exports.export_chunks(varied_city["admin"], size=20)]
    total = Complaint.objects.count()
    assert sizes[0] == 5 and all(size == 20 for size in sizes[1:-1]) and sum(sizes) == total
