"""The suggestion stored for every new complaint, duplicates, spam, the recorded outcome and the figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aduan_publik import figures
from aduan_publik.models import OPD, Complaint, Event, TriageSuggestion
from aduan_publik.services.complaints import (
    complaint_archive,
    complaint_mark_not_authority,
    complaint_merge,
    complaint_verify,
)
from aduan_publik.triage import services as triage_services
from aduan_publik.triage import store

pytestmark = pytest.mark.django_db


def test_new_complaint_gets_opd_category_area_and_reason(file_complaint):
    c = file_complaint("Tlg min lampu jalan di jln Gajah Mada kel. Tengah mati udh seminggu, gelap bgt",
                       channel="web")
    s = TriageSuggestion.objects.get(complaint=c)
    assert s.opds[0]["code"] == "DISHUB" and 0.5 < s.opds[0]["p"] <= 1
    assert [o["p"] for o in s.opds] == sorted((o["p"] for o in s.opds), reverse=True)
    assert s.categories[0]["code"] == "lampu-jalan"
    assert s.kelurahan.code == "KEL-TENGAH" and s.kecamatan.code == "KEC-PTK-KOTA"
    assert "lampu" in " ".join(s.reason["terms"]) and s.reason["street"] == "gajah mada"
    assert not s.is_spam and s.outcome == "" and s.duplicates == []
    assert not Event.objects.filter(complaint=c, verb__startswith="triage").exists()  # advice changes nothing
    c.refresh_from_db()
    assert c.status == Complaint.Status.RECEIVED and c.category is None  # nothing decided for the admin


def test_suggestion_is_idempotent(file_complaint):
    c = file_complaint("sampah menumpuk di tps jalan merdeka tidak diangkut")
    first = TriageSuggestion.objects.get(complaint=c)
    assert triage_services.suggestion_create(complaint_id=c.pk).pk == first.pk
    assert TriageSuggestion.objects.count() == 1


def test_same_incident_from_another_channel_is_a_duplicate_candidate(file_complaint):
    wa = file_complaint("min sampah numpuk di tps jalan Gajah Mada udh seminggu gk diangkut, bau bgt",
                        channel="whatsapp")
    file_complaint("lampu jalan di jalan Gajah Mada mati", channel="web")  # same street, other issue
    file_complaint("sampah menumpuk di tps jalan Khatulistiwa tidak diangkut", channel="web")  # elsewhere
    portal = file_complaint("Tumpukan sampah di TPS Jl. Gajah Mada tidak diangkut sejak minggu lalu",
                            channel="web")
    found = TriageSuggestion.objects.get(complaint=portal).duplicates
    assert [d["tracking_number"] for d in found] == [wa.tracking_number]
    wa.refresh_from_db(), portal.refresh_from_db()
    assert wa.status == portal.status == Complaint.Status.RECEIVED  # never merged automatically


def test_spam_is_flagged_never_deleted(file_complaint):
    c = file_complaint("PROMO slot gacor maxwin, daftar sekarang klik https://x.example")
    s = TriageSuggestion.objects.get(complaint=c)
    assert s.is_spam and s.spam_score >= 0.6 and {"slot", "gacor", "urlx"} <= set(s.spam_signs)
    assert Complaint.objects.filter(pk=c.pk, status=Complaint.Status.RECEIVED).exists()


def test_accepted_and_overridden_are_recorded_audited_and_counted(file_complaint, triage_admin):
    lamp = file_complaint("lampu jalan di jalan Gajah Mada mati sudah seminggu")
    water = file_complaint("air pdam di kelurahan Saigon mati sudah tiga hari")
    complaint_verify(complaint=lamp, by=triage_admin, opds=[OPD.objects.get(code="DISHUB")])
    complaint_verify(complaint=water, by=triage_admin, opds=[OPD.objects.get(code="PUPR")])
    lamp_s, water_s = TriageSuggestion.objects.get(complaint=lamp), TriageSuggestion.objects.get(complaint=water)
    assert (lamp_s.outcome, lamp_s.final_opds, lamp_s.decided_by) == ("accepted", ["DISHUB"], triage_admin)
    assert (water_s.outcome, water_s.final_opds) == ("overridden", ["PUPR"])
    assert Event.objects.filter(complaint=lamp, verb="triage_accepted", actor=triage_admin).exists()
    event = Event.objects.get(complaint=water, verb="triage_overridden")
    assert event.data["suggested"][0] == "PDAM" and event.data["chosen"] == ["PUPR"]
    row = figures.triage_accuracy()
    assert (row["triage_decided"], row["triage_accepted"], row["pct_triage_accepted"]) == (2, 1, Decimal("50.0"))
    assert [f.value for f in figures.labelled(row, ("triage_accepted",))] == ["1 (50,0%)"]


def test_not_authority_and_spam_archive_count_as_decisions(file_complaint, triage_admin):
    pln = file_complaint("listrik padam terus di jalan Merdeka, pln tidak ada kabar")
    ad = file_complaint("jual obat pelangsing herbal hubungi wa kami")
    complaint_mark_not_authority(complaint=pln, by=triage_admin, forwarded_to="PLN UP3 Pontianak")
    complaint_archive(complaint=ad, by=triage_admin, reason="spam")
    assert TriageSuggestion.objects.get(complaint=pln).outcome == "accepted"
    assert TriageSuggestion.objects.get(complaint=ad).final_opds == ["NONE"]


def test_only_the_first_decision_counts(file_complaint, triage_admin):
    c = file_complaint("jalan berlubang besar di jalan Ahmad Yani")
    original = file_complaint("jalan rusak parah di jalan Ahmad Yani, banyak lubang")
    complaint_merge(complaint=c, into=original, by=triage_admin)  # a merge is no routing decision
    assert TriageSuggestion.objects.get(complaint=c).outcome == ""
    complaint_verify(complaint=original, by=triage_admin, opds=[OPD.objects.get(code="PUPR")])
    assert TriageSuggestion.objects.get(complaint=original).outcome == "accepted"


def test_a_failing_model_never_blocks_intake(file_complaint, monkeypatch):
    def broken():
        raise OSError("model file unreadable")

    monkeypatch.setattr(store, "load", broken)
    c = file_complaint("parit tersumbat di jalan Purnama")
    assert Complaint.objects.filter(pk=c.pk).exists()
    assert not TriageSuggestion.objects.filter(complaint=c).exists()  # the nightly job tries again


def test_switched_off_per_site(file_complaint, settings):
    settings.SITE_CONFIG = {**settings.SITE_CONFIG, "triage": {"enabled": False}}
    c = file_complaint("parit tersumbat di jalan Purnama")
    assert not TriageSuggestion.objects.filter(complaint=c).exists()


def test_nightly_retrains_from_history_and_triages_stragglers(file_complaint, triage_admin, settings, tmp_path):
    settings.SITE_DIR = tmp_path  # this site's own model file, apart from the other tests'
    done = file_complaint("lampu jalan di jalan Gajah Mada mati sudah seminggu")
    complaint_verify(complaint=done, by=triage_admin, opds=[OPD.objects.get(code="DISHUB")])
    settings.SITE_CONFIG = {**settings.SITE_CONFIG, "triage": {"enabled": False}}
    waiting = file_complaint("air pdam mati di kelurahan Saigon")
    settings.SITE_CONFIG = {**settings.SITE_CONFIG, "triage": {"enabled": True}}
    assert store.history_rows(100) == [{"text": done.description, "opd": "DISHUB", "category": None}]
    from aduan_publik.triage.jobs import run_nightly

    result = run_nightly()
    assert result["source"] == "history+starter" and result["triaged"] == 1
    assert TriageSuggestion.objects.filter(complaint=waiting).exists()
    assert (tmp_path / "triage" / "model.joblib").is_file() and store.load().info["history_rows"] == 1
