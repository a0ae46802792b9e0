"""The one wire-format module: status mapping, field mapping and its overrides, content hashes."""

from __future__ import annotations

from datetime import UTC

import pytest

from aduan_publik.channels.lapor.api import STATUSES, api_config, status_to_hub, status_to_remote
from aduan_publik.channels.lapor.wire import (
    RecordError,
    parse_files,
    parse_followups,
    parse_list,
    parse_report,
    to_datetime,
)
from aduan_publik.models import Complaint

CFG = api_config({"base_url": "http://127.0.0.1:1"})


@pytest.mark.parametrize("remote", list(STATUSES))
def test_every_lapor_status_round_trips(remote):
    hub = status_to_hub(CFG, remote)
    assert hub in Complaint.Status.values
    assert status_to_remote(CFG, hub) == remote


@pytest.mark.parametrize("hub", list(Complaint.Status.values))
def test_every_hub_status_has_a_lapor_word_that_maps_back_to_it_or_its_nearest(hub):
    remote = status_to_remote(CFG, hub)
    assert remote in STATUSES
    back = status_to_hub(CFG, remote)
    assert back == hub or status_to_remote(CFG, back) == remote


def test_status_words_are_matched_without_case_and_unknown_words_map_to_nothing():
    assert status_to_hub(CFG, "dalam proses") == "in_progress"
    assert status_to_hub(CFG, "Menunggu") == ""


def test_site_config_overrides_paths_fields_and_statuses():
    cfg = api_config({"base_url": "https://x.example/v4/", "paths": {"list": "/disposisi"},
                      "fields": {"content": "detail.isi", "lapor_id": "kode"},
                      "statuses": {"Menunggu Verifikasi": "received"}})
    assert cfg.url("list") == "https://x.example/v4/disposisi"
    assert cfg.url("detail", id="1916449") == "https://x.example/v4/complaints/1916449/complaint"
    report = parse_report(cfg, {"kode": 1916449, "detail": {"isi": "Sampah menumpuk\ndi pasar"}})
    assert report.lapor_id == "1916449" and report.content.startswith("Sampah")
    assert report.title == "Sampah menumpuk"
    assert status_to_hub(cfg, "Menunggu Verifikasi") == "received"


def test_headers_carry_authorization_and_token():
    cfg = api_config({"base_url": "http://h", "authorization": "Bearer a", "token": "t"})
    assert cfg.headers()["Authorization"] == "Bearer a" and cfg.headers()["token"] == "t"


def test_flags_attachments_and_dates_are_read():
    report = parse_report(CFG, {
        "id": "#1916449", "title": "Lampu mati", "content": "Lampu jalan mati sejak seminggu.",
        "is_anonymous": 1, "is_secret": "true", "created_at": "2026-01-05 08:00:00",
        "attachments": [{"path": "/files/a.jpg", "file_name": "a.jpg", "extension": "jpg"}, "https://h/b.png"],
    })
    assert report.lapor_id == "1916449" and report.is_anonymous and report.is_secret
    assert report.created_at is not None and report.created_at.tzinfo is not None
    assert report.attachments == (("/files/a.jpg", "a.jpg"), ("https://h/b.png", "b.png"))


@pytest.mark.parametrize("raw", [{"title": "x", "content": "y"}, {"id": "1", "content": ""}, "teks", None,
                                 {"id": "1", "content": "ada", "created_at": "kemarin"}])
def test_unreadable_records_raise_record_error(raw):
    with pytest.raises(RecordError):
        parse_report(CFG, raw)


def test_hash_changes_with_content_but_not_with_a_bare_touch():
    base = {"id": "1", "content": "Isi laporan", "updated_at": "2026-01-05T08:00:00+00:00"}
    first = parse_report(CFG, base).content_hash()
    assert parse_report(CFG, {**base, "updated_at": "2026-02-01T08:00:00+00:00"}).content_hash() == first
    assert parse_report(CFG, {**base, "status_name": "Selesai"}).content_hash() != first


def test_list_shape_is_checked():
    page = parse_list(CFG, {"results": {"data": [{"id": 1}], "last_page": "3", "next_page_url": None}})
    assert page.last_page == 3 and len(page.items) == 1 and page.has_next is False
    assert parse_list(CFG, {"results": {"data": [], "next_page_url": "https://h/x?page=2"}}).has_next is True
    assert parse_list(CFG, {"results": {"data": []}}).has_next is None, "no next-page field: the answer does not say"
    with pytest.raises(RecordError):
        parse_list(CFG, {"message": "oops"})
    with pytest.raises(RecordError):
        parse_list(CFG, {"data": [{"id": 1}], "meta": {"last_page": 1}})  # the old unwrapped shape


def test_followup_mapping_is_configurable_and_only_known_reporter_values_count():
    cfg = api_config({"base_url": "http://127.0.0.1:1", "list_shape": {"followup_items": "result.items"},
                      "fields": {"followup_author": "user.role", "followup_content": "message"},
                      "reporter_authors": ["Warga"]})
    body = {"result": {"items": [
        {"id": 7, "message": "Masih rusak", "user": {"role": "warga"}, "created_at": "2026-01-06 09:00:00",
         "attachments": [{"path": "/files/a.jpg"}]},
        {"id": 8, "message": "Sudah kami tindak lanjuti", "user": {"role": "instansi"}},
        {"id": 9, "message": "?", "user": {}},
    ]}}
    mine, theirs, unknown = parse_followups(cfg, body).items
    assert (mine.followup_id, mine.content, mine.by_reporter) == ("7", "Masih rusak", True)
    assert mine.created_at.isoformat().startswith("2026-01-06T09:00:00")
    assert mine.attachments == (("/files/a.jpg", "a.jpg"),)
    assert not theirs.by_reporter and not unknown.by_reporter, "an unknown author is never taken as the reporter"
    with pytest.raises(RecordError):
        parse_followups(cfg, {"result": {"items": "bukan larik"}})


def test_followup_count_is_read_and_left_out_of_the_content_hash():
    raw = {"id": "1", "content": "Jalan rusak", "followups_count": "2", "updated_at": "2026-01-06T09:00:00+07:00"}
    report = parse_report(CFG, raw)
    assert report.followup_count == 2 and report.followups_marker().endswith("|2")
    assert parse_report(CFG, {**raw, "followups_count": 3}).content_hash() == report.content_hash()
    assert parse_report(CFG, {k: v for k, v in raw.items() if k != "followups_count"}).followup_count is None


# ---- issue 9: the API as public working code calls it ------------------------------------------


def test_base_url_defaults_to_splp_production_and_sandbox_is_one_setting():
    assert api_config({}).base_url == "https://api-splp.layanan.go.id/lapor/3.0.0"
    assert api_config({"environment": "sandbox"}).url("detail", id="7") == (
        "https://api-splp.layanan.go.id/sandbox-konsolidasi/1.0/complaints/7/complaint")
    assert api_config({"base_url": "https://lain.example/v9", "environment": "sandbox"}).base_url == (
        "https://lain.example/v9"), "an explicit base_url wins"


def test_header_names_are_configuration_too():
    default = api_config({"authorization": "Bearer a", "token": "t"}).headers()
    assert default["Authorization"] == "Bearer a" and default["token"] == "t"
    older = api_config({"authorization": "kunci", "token": "t", "header_names": {"authorization": "auth"}})
    assert older.headers() == {"Accept": "application/json", "auth": "kunci", "token": "t"}


@pytest.mark.parametrize(("text", "utc"), [
    ("22-07-2025 14:03:11", "2025-07-22T07:03:11+00:00"),  # as LAPOR! writes follow-up times (WIB)
    ("22-07-2025 14:03", "2025-07-22T07:03:00+00:00"),
    ("22/07/2025 14:03:11", "2025-07-22T07:03:11+00:00"),
    ("2025-07-22T07:03:11.000000Z", "2025-07-22T07:03:11+00:00"),  # Laravel's JSON
    ("2025-07-22 14:03:11", "2025-07-22T07:03:11+00:00"),
    ("2025-07-22T14:03:11+07:00", "2025-07-22T07:03:11+00:00"),
])
def test_dates_as_lapor_writes_them_are_read_in_the_site_time_zone(text, utc, settings):
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert to_datetime(text).astimezone(UTC).isoformat() == utc


@pytest.mark.parametrize("text", ["kemarin", "32-13-2025 10:00:00", "2025-13-40"])
def test_a_date_no_format_reads_is_a_record_error(text):
    with pytest.raises(RecordError):
        to_datetime(text)


def test_date_formats_can_be_extended_per_site():
    cfg = api_config({"date_formats": ["%d %B %Y %H:%M"]})
    report = parse_report(cfg, {"id": "1", "content": "x", "created_at": "22 July 2025 14:03"})
    assert report.created_at.astimezone(UTC).isoformat() == "2025-07-22T07:03:00+00:00"


def test_who_wrote_a_follow_up_is_decided_from_the_institutions():
    body = {"results": {"data": [
        {"id": 1, "content": "Masih rusak", "institution_from_name": None, "institution_from_id": None,
         "created_at": "22-07-2025 14:03:11"},
        {"id": 2, "content": "Sudah ditambal", "institution_from_name": "Pemerintah Kota Contoh",
         "institution_from_id": 9001},
        {"id": 3, "content": "", "institution_from_name": None, "template_code": "disposition",
         "template_content": "Laporan didisposisikan ke {{institution_to}}"},
        {"id": 4, "content": "Dari kementerian", "institution_from_id": {"id": 1, "name": "Kementerian PANRB"}},
    ]}}
    reporter, ours, disposition, nested = parse_followups(CFG, body).items
    assert reporter.by_reporter and reporter.created_at.astimezone(UTC).hour == 7
    assert not ours.by_reporter and ours.origin == "Pemerintah Kota Contoh"
    assert not disposition.by_reporter, "a disposition log is LAPOR!'s own entry"
    assert not nested.by_reporter and nested.origin == "Kementerian PANRB"


def test_attachments_may_come_grouped_as_images_and_docs():
    cfg = api_config({})
    files = parse_files(cfg, {"images": [{"path": "https://h/a.jpg", "file_name": "a", "extension": "jpg"}],
                              "docs": [{"path": "https://h/b.pdf", "file_name": "b.pdf", "extension": "pdf"}]})
    assert files == (("https://h/a.jpg", "a.jpg"), ("https://h/b.pdf", "b.pdf"))
