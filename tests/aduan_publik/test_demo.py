"""``manage.py seed_demo``: the demo city, its logins and complaints built through the services."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import CommandError, call_command

from aduan_publik.demo import DEMO_PASSWORD
from aduan_publik.demo.complaints import Seeder
from aduan_publik.demo.reference import seed_reference
from aduan_publik.models import OPD, Area, Category, Complaint, Event, Message, Role, StaffProfile

pytestmark = pytest.mark.django_db

S = Complaint.Status


def seed(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--complaints", "30", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def seeded() -> str:
    out, err = seed()
    assert err == ""  # no service refused a step
    return out


def login(username: str):  # type: ignore[no-untyped-def]
    user = authenticate(username=username, password=DEMO_PASSWORD)
    assert user is not None, username
    return user


LOGINS = [
    ("admin", Role.ADMIN, None, True),
    ("pimpinan", Role.LEADER, None, True),
    ("integrator", Role.INTEGRATOR, None, False),
    ("penghubung.pupr", Role.LIAISON, "PUPR", True),
    ("operator.pupr", Role.OPERATOR, "PUPR", True),
    ("penghubung.dinkes", Role.LIAISON, "DINKES", True),
    ("operator.dinkes", Role.OPERATOR, "DINKES", True),
    ("penghubung.kec-utara", Role.LIAISON, "KEC-UTARA", True),
]


def test_seed_demo_builds_the_city_and_is_idempotent(seeded):
    """One seeding (it takes seconds), checked from every side."""
    check_logins()
    check_reference_data()
    check_complaints()
    check_messages()
    check_second_run_adds_nothing()
    check_reset_rebuilds()


def check_logins() -> None:
    for username, role, opd, staff in LOGINS:
        user = login(username)
        assert user.aduan_profile.role == role, username
        assert (user.aduan_profile.opd.code if user.aduan_profile.opd else None) == opd, username
        assert user.is_staff is staff and not user.is_superuser, username
    opds = list(OPD.objects.all())
    assert len(opds) >= 30
    for opd in opds:
        roles = set(StaffProfile.objects.filter(opd=opd).values_list("role", flat=True))
        assert roles == {Role.LIAISON, Role.OPERATOR}, opd.code
        login(f"operator.{opd.code.lower()}")
    assert authenticate(username="admin", password="salah") is None


def check_reference_data() -> None:
    assert OPD.objects.get(code="PUPR").name == "Dinas Pekerjaan Umum dan Penataan Ruang"
    kecamatan_opds = set(OPD.objects.filter(kind=OPD.Kind.KECAMATAN).values_list("name", flat=True))
    assert kecamatan_opds == {f"Kecamatan Pontianak {n}" for n in ("Barat", "Kota", "Selatan", "Tenggara",
                                                                     "Timur", "Utara")}
    assert Area.objects.filter(level=Area.Level.KECAMATAN).count() == 6
    assert Area.objects.filter(level=Area.Level.KELURAHAN).count() == 29
    assert Area.objects.get(name="Siantan Hulu").parent.name == "Pontianak Utara"
    tops = set(Category.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert {"Pekerjaan Umum", "Kesehatan", "Kependudukan", "Bencana", "Air Bersih"} <= tops
    assert not Category.objects.filter(default_opd__isnull=True).exists()
    assert Category.objects.get(code="banjir").parent.verify_working_days == 1  # an override to inherit


def check_complaints() -> None:
    complaints = Complaint.objects.all()
    assert complaints.count() == 30
    assert set(complaints.values_list("status", flat=True)) == set(S.values)
    for complaint in complaints:
        first = complaint.events.first()
        assert first is not None and first.verb == "created", complaint.tracking_number
        assert first.created_at == complaint.received_at  # the trail is written at the simulated time
    closed = complaints.filter(status=S.CLOSED).first()
    assert closed is not None and closed.events.filter(verb__in=("rated", "autoclosed")).exists()
    assert set(complaints.values_list("channel", flat=True)) >= {"web", "manual"}
    received = sorted(complaints.values_list("received_at", flat=True))
    assert (received[-1] - received[0]).days > 30
    assert Event.objects.order_by("-created_at").first().created_at <= datetime.now(tz=ZoneInfo("UTC"))


def check_messages() -> None:
    outbound = Message.objects.filter(direction=Message.Direction.OUT)
    assert outbound.exists()
    assert not outbound.exclude(state=Message.State.SENT).exists()  # a worker finds nothing to send
    assert all(m.meta.get("demo") for m in outbound)
    assert mail.outbox == []


def check_second_run_adds_nothing() -> None:
    def counts() -> tuple[int, ...]:
        return (Complaint.objects.count(), Event.objects.count(), Message.objects.count(),
                OPD.objects.count(), Category.objects.count(), StaffProfile.objects.count())

    before = counts()
    out, _err = seed()
    assert "sudah ada" in out
    assert counts() == before


def check_reset_rebuilds() -> None:
    first = set(Complaint.objects.values_list("pk", flat=True))
    out, err = seed("--reset")
    assert err == "" and "dihapus: 30" in out
    assert Complaint.objects.count() == 30 and not first & set(Complaint.objects.values_list("pk", flat=True))


def test_a_site_with_real_complaints_gets_no_demo_data_at_all(complaint):
    with pytest.raises(CommandError, match="bukan data demo"):
        seed()
    assert Complaint.objects.count() == 1
    assert not OPD.objects.filter(code="DINKES").exists()  # refused before anything was written


def test_the_same_seed_draws_the_same_stories(db):
    seed_reference()
    now = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    one, two = Seeder(count=20, seed=7, real_now=now), Seeder(count=20, seed=7, real_now=now)

    def digest(seeder: Seeder) -> list[tuple]:
        return [(p.scenario, p.leaf.code, p.channel, p.received_at, [(s.at, s.name) for s in p.steps or ()])
                for p in seeder.plans()]

    assert digest(one) == digest(two)
    assert digest(one) != digest(Seeder(count=20, seed=8, real_now=now))
