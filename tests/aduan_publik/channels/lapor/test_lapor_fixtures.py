"""The recorded wire shapes (``channels/lapor/fixtures``): read by the default mapping, served by the fake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

import aduan_publik.channels.lapor as lapor_package
from aduan_publik.channels.lapor.api import api_config
from aduan_publik.channels.lapor.wire import (
    parse_detail,
    parse_followups,
    parse_list,
    parse_master,
    parse_page,
    parse_report,
)

FIXTURES = Path(lapor_package.__file__).parent / "fixtures"
CFG = api_config({"authorization": "Bearer a", "token": "t"})


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def keys(value: Any) -> Any:
    """Keys all the way down (a list by its first item): what must match, whatever the values."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items() if isinstance(item, (dict, list))} | {
            "": sorted(value)}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return None


def test_the_list_page_and_detail_read_through_the_defaults():
    [raw] = parse_list(CFG, fixture("list_page")).items
    report = parse_report(CFG, raw)
    assert report.lapor_id == "1916449" and report.status_name == "Belum Terverifikasi"
    assert report.attachments == (("/files/lubang.jpg", "lubang.jpg"),)
    assert report.created_at.isoformat() == "2025-07-22T07:03:11+00:00"
    assert parse_detail(CFG, fixture("detail")) == report
    assert parse_list(CFG, fixture("list_page")).has_next is False


def test_the_follow_ups_read_through_the_defaults_and_the_institutions_say_who_wrote():
    page = parse_followups(CFG, fixture("followups"))
    assert page.skipped == []
    disposition, ours, reporter = page.items
    assert not disposition.by_reporter and not ours.by_reporter and reporter.by_reporter
    assert reporter.content.startswith("Belum selesai") and reporter.attachments == (
        ("/files/masih-rusak.jpg", "masih-rusak.jpg"),), "file_name + extension"
    assert reporter.created_at.isoformat() == "2025-07-29T18:40:02+07:00", "d-m-Y H:i:s in the site's zone"
    assert ours.origin == "Pemerintah Kota Contoh"


def test_the_master_lists_read_through_the_defaults():
    institutions = [parse_master(CFG, "institutions", raw)
                    for raw in parse_page(CFG, fixture("institutions"), "master_items", "x").items]
    assert [(i.remote_id, i.name) for i in institutions][1] == ("3101", "Kementerian Pekerjaan Umum")
    [template] = parse_page(CFG, fixture("templates"), "master_items", "x").items
    assert parse_master(CFG, "templates", template).code == "tindak_lanjut"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), [
    ("list_page", "/complaints?page=1&page_size=100"),
    ("detail", "/complaints/{id}/complaint"),
    ("followups", "/complaints/{id}/followups?page=1"),
    ("institutions", "/masters/institutions/external?page_size=10&page=1"),
    ("templates", "/masters/templates?page_size=10&page=1"),
])
def test_the_fake_answers_in_the_recorded_shape(fake_lapor, name, path):
    report = fake_lapor.add_report(attachments=[fake_lapor.add_file("lubang.jpg")])
    fake_lapor.reply(report["id"], "Laporan didisposisikan.", by="admin")
    fake_lapor.reply(report["id"], "Sudah ditambal.", by="institution", attachments=[fake_lapor.add_file("t.jpg")])
    fake_lapor.reply(report["id"], "Belum selesai.", attachments=[fake_lapor.add_file("masih.jpg")])
    answer = requests.get(fake_lapor.base_url + path.format(id=report["id"]), timeout=5,
                          headers={"Authorization": fake_lapor.authorization, "token": fake_lapor.token}).json()
    assert keys(answer) == keys(fixture(name))


def test_the_write_fixtures_name_what_the_client_sends():
    followup = fixture("followup_add")["request"]
    assert set(followup["fields"]) == set(CFG.forms["followup"]) - {"attachments"}
    assert CFG.forms["followup"]["attachments"].replace("{i}", "0") == followup["files"][0]
    reject = fixture("reject")["request"]
    assert CFG.encodings["reject"] == reject["encoding"] == "json"
    assert set(reject["body"]) == set(CFG.forms["reject"].values())
