"""'Check connection' and ``aduan --site S lapor-check``: what the credentials really return, kept."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import Client

from aduan_publik.channels.lapor.check import connection_check
from aduan_publik.channels.lapor.models import ConnectionCheck
from aduan_publik.channels.lapor.sync import lapor_pull

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_check_reports_auth_base_url_wrapper_paging_and_dates(lapor_site, fake_lapor):
    report = fake_lapor.add_report()
    lapor_pull()
    fake_lapor.reply(report["id"], "Masih rusak.")
    check = connection_check(by="uji")
    assert check.ok and check.base_url == fake_lapor.base_url
    found = check.findings
    assert found["auth"] == "diterima" and found["header_names"] == ["Accept", "Authorization", "token"]
    assert found["masters"]["wrapper"] == "results.data" and found["masters"]["wrapper_matches_config"]
    assert "results.next_page_url" in found["masters"]["paging"]
    assert found["followups"]["dates"]["created_at"].startswith("%d-%m-%Y %H:%M:%S (")
    assert "Tindak lanjut: tanggal created_at dibaca sebagai %d-%m-%Y %H:%M:%S" in check.summary
    assert "kunci-uji" not in str(found) + check.summary and "token-uji" not in str(found) + check.summary
    assert [path for _m, path in fake_lapor.log][-2:] == ["/masters/institutions/external",
                                                          f"/complaints/{report['id']}/followups"]


def test_an_old_unwrapped_answer_and_unknown_dates_are_pointed_out(lapor_site, fake_lapor, monkeypatch):
    from fakes import lapor_server

    def unwrapped(self, path, query):
        return 200, {"data": [{"id": 1, "name": "X", "created_at": "kemarin"}], "meta": {"last_page": 1}}

    monkeypatch.setattr(lapor_server._Handler, "_master", unwrapped)
    check = connection_check()
    assert check.ok and check.findings["masters"]["wrapper"] == "data"
    assert "«data» (BEDA dengan konfigurasi)" in check.summary and "meta.last_page" in check.summary
    assert "TIDAK DIKENALI (kemarin)" in check.summary


def test_wrong_credentials_are_reported_as_refused(lapor_site, fake_lapor):
    fake_lapor.token = "lain"
    check = connection_check()
    assert not check.ok and check.findings["auth"] == "ditolak" and "401" in check.summary
    assert ConnectionCheck.objects.count() == 1


def test_lapor_check_is_a_command_of_aduan(lapor_site, fake_lapor):
    assert "lapor-check" in get_commands(), "aduan --site S lapor-check runs Django's command of that name"
    out = StringIO()
    call_command("lapor-check", stdout=out)
    assert f"Alamat API: {fake_lapor.base_url}" in out.getvalue() and "Kredensial: diterima" in out.getvalue()
    fake_lapor.token = "lain"
    with pytest.raises(CommandError):
        call_command("lapor-check", stdout=StringIO())
    assert ConnectionCheck.objects.filter(checked_by="lapor-check").count() == 2


def test_the_desk_button_checks_and_lists_the_answer(lapor_site, fake_lapor, admin_user, liaison_pu):
    client = Client()
    client.force_login(liaison_pu)
    assert client.post("/desk/aduan_lapor/syncstate/periksa-koneksi/").status_code == 403
    client.force_login(admin_user)
    response = client.post("/desk/aduan_lapor/syncstate/periksa-koneksi/", follow=True)
    page = response.content.decode()
    assert "Kredensial: diterima" in page and ConnectionCheck.objects.get().checked_by == admin_user.get_username()
