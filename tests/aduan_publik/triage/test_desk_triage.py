"""The verify & dispose form: the suggestion as a one-click choice, duplicates with a one-click merge, spam."""

from __future__ import annotations

import pytest

from aduan_publik.models import Complaint, Event, TriageSuggestion
from tests.aduan_publik.desk.desk_helpers import action_url, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(triage_admin):
    return client_for(triage_admin)


def test_verify_form_shows_the_suggestion_and_one_click_fills_it_in(desk, file_complaint):
    c = file_complaint("min lampu jalan di jln Gajah Mada mati udh seminggu gk ada yg urus")
    page = desk.get(action_url(c, "verify"))
    html = page.content.decode()
    dishub = TriageSuggestion.objects.get(complaint=c).opds[0]
    assert dishub["code"] == "DISHUB"
    assert "Saran triase: Dinas Perhubungan" in html and 'href="?saran=1"' in html
    assert 'data-triage="area"' in html and "Pontianak Kota" in html and "kata penentu" in html
    assert "opds" not in page.context["form"].initial  # shown, not silently ticked
    chosen = desk.get(action_url(c, "verify") + "?saran=1").context["form"]
    assert chosen.initial["opds"] == [chosen.triage.top_opd.pk]
    assert chosen.initial["category"] == chosen.triage.category.pk and chosen.triage.category.code == "lampu-jalan"
    response = desk.post(action_url(c, "verify"), {"opds": chosen.initial["opds"], "priority": "normal",
                                                   "category": chosen.initial["category"]})
    assert response.status_code == 302
    assert TriageSuggestion.objects.get(complaint=c).outcome == "accepted"


def test_overriding_in_the_form_is_recorded(desk, file_complaint):
    c = file_complaint("min lampu jalan di jln Gajah Mada mati udh seminggu")
    pupr = TriageSuggestion.objects.get(complaint=c)
    from aduan_publik.models import OPD

    desk.post(action_url(c, "verify"), {"opds": [OPD.objects.get(code="PUPR").pk], "priority": "normal"})
    pupr.refresh_from_db()
    assert pupr.outcome == "overridden" and pupr.final_opds == ["PUPR"]
    assert pupr.top3_hit == ("PUPR" in [o["code"] for o in pupr.opds[:3]])


def test_duplicate_candidate_merges_in_one_click_through_the_merge_service(desk, file_complaint):
    first = file_complaint("sampah numpuk di tps jalan Gajah Mada udh seminggu gk diangkut", channel="whatsapp")
    again = file_complaint("Tumpukan sampah di TPS Jl. Gajah Mada tidak diangkut sejak minggu lalu")
    html = desk.get(action_url(again, "verify")).content.decode()
    assert f'data-duplicate="{first.tracking_number}"' in html
    merge_form = html.split(f'data-duplicate="{first.tracking_number}"')[1].split("</form>")[0]
    assert action_url(again, "merge") in merge_form and f'value="{first.tracking_number}"' in merge_form
    response = desk.post(action_url(again, "merge"), {"tracking_number": first.tracking_number, "note": ""})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.duplicate_of_id == first.pk and again.archive_reason == Complaint.ArchiveReason.DUPLICATE
    assert Event.objects.filter(complaint=first, verb="merged_in").exists()


def test_spam_flag_offers_archiving_never_deletes(desk, file_complaint):
    ad = file_complaint("promo pinjaman online cepat cair tanpa jaminan klik https://x.example")
    html = desk.get(action_url(ad, "verify")).content.decode()
    assert 'data-triage="spam"' in html and "Arsipkan sebagai spam" in html
    assert Complaint.objects.filter(pk=ad.pk, status=Complaint.Status.RECEIVED).exists()
    assert desk.post(action_url(ad, "archive"), {"reason": "spam", "note": ""}).status_code == 302
    ad.refresh_from_db()
    assert ad.status == Complaint.Status.ARCHIVED and ad.archive_reason == "spam"


def test_form_without_suggestion_is_unchanged(desk, city):
    from aduan_publik.services.complaints import complaint_create

    c, _code = complaint_create(channel="web", title="Jalan rusak", description="Jalan rusak di Jl. Merdeka",
                                acknowledge=False)  # on-commit never ran: no suggestion stored
    html = desk.get(action_url(c, "verify")).content.decode()
    assert "desk-triage" not in html and "Saran triase" not in html


def test_dashboard_shows_the_accuracy_figure(desk, file_complaint, triage_admin):
    from aduan_publik.models import OPD
    from aduan_publik.services.complaints import complaint_verify

    c = file_complaint("lampu jalan di jalan Gajah Mada mati sudah seminggu")
    complaint_verify(complaint=c, by=triage_admin, opds=[OPD.objects.get(code="DISHUB")])
    page = desk.get("/desk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="triage_accepted"' in html and "1 (100,0%)" in html
