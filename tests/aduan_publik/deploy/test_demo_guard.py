"""Issue 14 point 5: seed_demo checks first and refuses without touching a real site."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from aduan_publik.demo import DEMO_PASSWORD
from aduan_publik.models import OPD, Category, Complaint, Role, StaffProfile
from aduan_publik.sites import new_site_config

pytestmark = pytest.mark.django_db
User = get_user_model()


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--complaints", "5", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def production_site(settings):
    """A site as `aduan new-site` makes it: debug off, not marked as a demo."""
    settings.DEBUG = False
    settings.ADUAN = {**settings.ADUAN, "demo_site": False}
    return settings


def site_snapshot() -> tuple:
    return (sorted(User.objects.values_list("username", "email", "password", "is_staff")),
            sorted(StaffProfile.objects.values_list("user__username", "role", "opd_id")),
            OPD.objects.count(), Category.objects.count(), Complaint.objects.count())


def test_real_admin_account_is_left_alone_and_nothing_is_created(settings):
    """The old seed_demo reset the role of a real "admin" and added 66 logins before checking."""
    real = User.objects.create_user(username="admin", email="kominfo@pontianak.go.id", password="rahasia-kota-99",
                                    is_staff=True)
    StaffProfile.objects.create(user=real, role=Role.LEADER)
    before = site_snapshot()
    with pytest.raises(CommandError, match=r"1 akun yang bukan akun demo \(admin\).*tidak ada yang diubah"):
        seed()
    assert site_snapshot() == before
    assert authenticate(username="admin", password=DEMO_PASSWORD) is None
    assert authenticate(username="admin", password="rahasia-kota-99") is not None


def test_real_opd_refuses_too(settings):
    OPD.objects.create(code="RSUD-SOEDARSO", name="RSUD dr. Soedarso", kind="dinas")
    before = site_snapshot()
    with pytest.raises(CommandError, match="1 OPD yang bukan data demo \\(RSUD-SOEDARSO\\)"):
        seed()
    assert site_snapshot() == before


def test_no_demo_logins_on_a_site_with_debug_off(production_site):
    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    assert site_snapshot() == ([], [], 0, 0, 0)


def test_allow_production_is_the_explicit_way(production_site):
    out = seed("--allow-production")
    assert authenticate(username="admin", password=DEMO_PASSWORD) is not None
    assert "aduan-demo" in out


def test_debug_site_may_seed(production_site):
    production_site.DEBUG = True
    seed()
    assert User.objects.filter(username="penghubung.pupr").exists()


def test_a_seeded_demo_site_seeds_again(settings):
    """What `make run` does at every start: the demo's own data is not "real data"."""
    seed()
    users = User.objects.count()
    out = seed()
    assert "Data demo sudah ada" in out and User.objects.count() == users


def test_demo_site_config_is_marked_and_named_after_its_data():
    config = new_site_config(demo=True)
    assert config["demo"] is True and config["city_name"] == "Kota Pontianak"
    plain = new_site_config()
    assert "demo" not in plain and plain["city_name"] == "Kota Contoh"
    assert new_site_config(demo=True, city_name="Kota Singkawang")["city_name"] == "Kota Singkawang"
