"""Exports go through the access module: OPD users get only their OPD, anonim masked."""

from __future__ import annotations

import csv
import io

import pytest

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
