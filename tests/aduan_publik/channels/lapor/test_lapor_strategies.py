"""Pulling as the real API allows: paging by ``next_page_url``, header names, the detail strategy, categories."""

from __future__ import annotations

import pytest
from django.test import Client

from aduan_publik.channels.lapor.models import LaporLink, SyncState
from aduan_publik.channels.lapor.sync import lapor_pull
from aduan_publik.models import Complaint, Message

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_are_asked_with_page_and_page_size_and_followed_by_next_page_url(lapor_site, fake_lapor):
    for _ in range(7):
        fake_lapor.add_report()
    result = lapor_pull()
    assert result["created"] == 7 and result["pages"] == 3 and result["strategy"] == "list"
    asked = [query for path, query in fake_lapor.queries if path == "/complaints"]
    assert asked == [{"page": str(n), "page_size": "3"} for n in (1, 2, 3)]


def test_a_long_conversation_is_read_page_by_page(lapor_site, fake_lapor):
    fake_lapor.followup_page_size = 4
    report = fake_lapor.add_report()
    lapor_pull()
    for n in range(10):
        fake_lapor.reply(report["id"], f"Balasan pelapor nomor {n}")
    assert lapor_pull()["replies"] == 10
    assert fake_lapor.count("GET", "/followups") == 3
    bodies = Message.objects.filter(direction="in").order_by("created_at").values_list("body", flat=True)
    assert list(bodies) == [f"Balasan pelapor nomor {n}" for n in range(10)]


def test_the_older_auth_header_name_is_one_setting(lapor_site, fake_lapor):
    fake_lapor.auth_header = "auth"
    fake_lapor.add_report()
    refused = lapor_pull()
    assert refused["aborted"] == 1 and "401" in refused["errors"][0]
    lapor_site(per_page=3, header_names={"authorization": "auth"})
    assert lapor_pull()["created"] == 1


def test_lapor_categories_map_to_ours_where_the_site_wants_it(lapor_site, fake_lapor, category_jalan):
    lapor_site(per_page=3, category_map={"infrastruktur": "jalan-rusak"})
    mapped = fake_lapor.add_report(category_name="Infrastruktur")
    unmapped = fake_lapor.add_report(category_name="Kesehatan")
    lapor_pull()
    assert Complaint.objects.get(external_id=mapped["id"]).category == category_jalan
    assert Complaint.objects.get(external_id=unmapped["id"]).category is None


def test_the_detail_strategy_re_reads_known_open_reports_by_id(lapor_site, fake_lapor):
    open_one, closed = fake_lapor.add_report(), fake_lapor.add_report(status_name="Selesai")
    lapor_pull()  # known now (an import would do the same)
    lapor_site(per_page=3, pull_strategy="detail", detail_batch=10)
    fake_lapor.update_report(open_one["id"], title="Judul diperbarui", status_name="Dalam Proses")
    fake_lapor.reply(open_one["id"], "Mohon segera ditangani.")
    fake_lapor.log.clear()
    result = lapor_pull()
    assert result["strategy"] == "detail" and result["checked"] == 1 and result["updated"] == 1
    assert result["replies"] == 1 and not result["errors"]
    assert all(path != "/complaints" for _m, path in fake_lapor.log), "no list call"
    assert fake_lapor.count("GET", f"/complaints/{open_one['id']}/complaint") == 1
    assert fake_lapor.count("GET", f"/complaints/{closed['id']}/complaint") == 0, "LAPOR! ended it"
    complaint = Complaint.objects.get(external_id=open_one["id"])
    assert complaint.title == "Judul diperbarui" and complaint.lapor_link.remote_status == "Dalam Proses"
    state = SyncState.objects.get()
    assert state.strategy == "detail" and state.last_success_at == state.last_run_at
    assert LaporLink.objects.get(lapor_id=open_one["id"]).checked_at is not None


def test_the_detail_strategy_is_paced_in_batches_oldest_check_first(lapor_site, fake_lapor):
    reports = [fake_lapor.add_report() for _ in range(5)]
    lapor_pull()
    lapor_site(per_page=3, pull_strategy="detail", detail_batch=2)
    fake_lapor.log.clear()
    lapor_pull()
    lapor_pull()
    lapor_pull()
    read = [path.split("/")[2] for method, path in fake_lapor.log if path.endswith("/complaint")]
    ids = [r["id"] for r in reports]
    assert read == ids[:2] + ids[2:4] + [ids[4], ids[0]], "two per run, the longest unchecked first"


def test_a_report_gone_from_lapor_is_an_error_but_the_others_are_read(lapor_site, fake_lapor):
    gone, kept = fake_lapor.add_report(), fake_lapor.add_report()
    lapor_pull()
    del fake_lapor.reports[gone["id"]]
    lapor_site(per_page=3, pull_strategy="detail")
    fake_lapor.update_report(kept["id"], title="Masih ada")
    result = lapor_pull()
    assert result["updated"] == 1 and "404" in result["errors"][0]


def test_the_desk_shows_which_strategy_runs(lapor_site, fake_lapor, admin_user):
    fake_lapor.add_report()
    lapor_pull()
    client = Client()
    client.force_login(admin_user)
    page = client.get("/desk/aduan_lapor/syncstate/").content.decode()
    assert "daftar: /complaints (asumsi" in page
    lapor_site(per_page=3, pull_strategy="detail", detail_batch=7)
    page = client.get("/desk/aduan_lapor/syncstate/").content.decode()
    assert "detail: baca ulang laporan terbuka per ID (7 per putaran)" in page and "(putaran terakhir: list)" in page
