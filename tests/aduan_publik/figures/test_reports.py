"""Monthly reports: XLSX and PDF with the charts, per month and OPD, access-checked, e-mailed once."""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO

import pytest
from django.core import mail
from django.utils import timezone
from openpyxl import load_workbook

from aduan_publik import figures
from aduan_publik.models import Complaint, Event
from aduan_publik.reports import monthly_report
from aduan_publik.reports.pdf import report_pdf
from aduan_publik.reports.xlsx import report_xlsx
from aduan_publik.services.complaints import complaint_create, complaint_verify
from aduan_publik.services.report_mail import monthly_report_send
from tests.aduan_publik.desk.desk_helpers import client_for

pytestmark = pytest.mark.django_db
OCTOBER = datetime(2026, 10, 15, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def october(contact, admin_user, opd_pu, opd_dlh):
    """Three complaints received in October 2026 (two for PU, one for DLH, one closed) and one in November."""
    made = []
    for opd in (opd_pu, opd_pu, opd_dlh, opd_dlh):
        complaint, _code = complaint_create(channel="web", title="Lampu jalan mati", description="Sudah seminggu.",
                                            contact=contact, acknowledge=False)
        complaint_verify(complaint=complaint, by=admin_user, opds=[opd])
        made.append(complaint)
    Complaint.objects.filter(pk__in=[c.pk for c in made[:3]]).update(received_at=OCTOBER)
    Complaint.objects.filter(pk=made[3].pk).update(received_at=OCTOBER.replace(month=11))
    Complaint.objects.filter(pk=made[0].pk).update(status=Complaint.Status.CLOSED, closed_at=OCTOBER)
    return made


def test_report_holds_the_month_figures_and_charts(october, opd_pu):
    report = monthly_report(year=2026, month=10)
    assert report.totals["total"] == 3 and report.headline == "3 laporan, 1 selesai = 33,3%"
    assert report.totals == figures.totals(figures.month_period(2026, 10))  # the one definition
    book = load_workbook(BytesIO(report_xlsx(report)))
    summary = book.worksheets[0]
    assert summary["A2"].value == report.headline
    assert ("Aduan masuk", "3") in [(row[0], row[1]) for row in summary.iter_rows(values_only=True)]
    league = book["Peringkat OPD"]
    assert {row[0] for row in league.iter_rows(min_row=2, values_only=True)} == {opd_pu.name, "Dinas Lingkungan Hidup"}
    charted = [ws for ws in book.worksheets if ws._charts]
    assert len(charted) >= 4  # trend, completion, channels, categories... (native Excel charts)
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF") and b"33,3%" in pdf and b"Peringkat OPD" in pdf
    only_pu = monthly_report(year=2026, month=10, opd_id=opd_pu.pk)
    assert only_pu.totals["total"] == 2 and [r["name"] for r in only_pu.league["rows"]] == [opd_pu.name]
    assert only_pu.filename("pdf") == "laporan-aduan-2026-10-pupr.pdf"


def test_desk_download_checks_the_opd(october, admin_user, liaison_pu, opd_pu, opd_dlh):
    admin = client_for(admin_user)
    response = admin.get("/desk/laporan/unduh.xlsx", {"bulan": "2026-10"})
    assert response.status_code == 200 and "laporan-aduan-2026-10.xlsx" in response["Content-Disposition"]
    assert load_workbook(BytesIO(response.content)).worksheets[0]["A2"].value == "3 laporan, 1 selesai = 33,3%"
    liaison = client_for(liaison_pu)
    own = liaison.get("/desk/laporan/unduh.pdf", {"bulan": "2026-10"})
    assert own.status_code == 200 and "-pupr.pdf" in own["Content-Disposition"]  # their own OPD by default
    assert liaison.get("/desk/laporan/unduh.pdf", {"bulan": "2026-10", "opd": opd_dlh.pk}).status_code == 403
    page = liaison.get("/desk/laporan/").content.decode()
    assert opd_pu.name in page and opd_dlh.name not in page
    bad = admin.get("/desk/laporan/unduh.pdf", {"bulan": "2026-13"})
    assert bad.status_code == 400 and "Pilih bulan" in bad.content.decode()


def test_leaders_get_last_month_once(october, leader_user, admin_user):
    leader_user.email = "walikota@example.go.id"
    leader_user.save()
    admin_user.email = "admin@example.go.id"
    admin_user.save()
    assert monthly_report_send(today=date(2026, 11, 1)) == 1
    (sent,) = mail.outbox
    assert sent.to == ["walikota@example.go.id"]  # leaders only
    assert "Oktober 2026" in sent.subject and "3 laporan, 1 selesai = 33,3%" in sent.body
    assert sorted(name for name, _content, _type in sent.attachments) == [
        "laporan-aduan-2026-10.pdf", "laporan-aduan-2026-10.xlsx"]
    assert monthly_report_send(today=date(2026, 11, 2)) == 0  # the daily run the next day: not again
    assert len(mail.outbox) == 1
    assert Event.objects.filter(verb="monthly_report_sent", data__period="2026-10").count() == 1


def test_the_complaint_list_links_opd_staff_to_their_reports(liaison_pu):
    body = client_for(liaison_pu).get("/desk/aduan_publik/complaint/").content.decode()
    assert 'href="/desk/laporan/"' in body


@pytest.mark.parametrize("today, expected", [(date(2026, 12, 1), "2026-11"), (date(2027, 1, 15), "2026-12")])
def test_the_reports_page_offers_the_last_whole_month_first(admin_user, monkeypatch, today, expected):
    """A monthly report is of a finished month (the one mailed to leaders): on the 1st at 00:05 the
    month just begun holds nothing yet. The month running stays in the list, not chosen."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today)
    page = client_for(admin_user).get("/desk/laporan/").content.decode()
    assert re.search(rf'<option value="{expected}" selected>', page), page
    running = f"{today.year}-{today.month:02d}"
    assert f'<option value="{running}">' in page
    bad = client_for(admin_user).get("/desk/laporan/unduh.pdf", {"bulan": f"{today.year}-99"})
    assert bad.status_code == 400 and re.search(rf'<option value="{expected}" selected>', bad.content.decode())
