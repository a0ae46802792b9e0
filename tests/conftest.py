"""Shared fixtures: an OPD city in miniature and one user per role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from aduan_publik.models import OPD, Category, Contact, Role, StaffProfile
from aduan_publik.services.complaints import complaint_create


@pytest.fixture(autouse=True)
def _clean_redis():
    """Each test starts with an empty test Redis database (db 9 unless ADUAN_REDIS_URL says else)."""
    import django_rq

    from aduan_publik.selectors.channel_instances import forget

    conn = django_rq.get_connection("default")
    conn.flushdb()
    forget()  # no Channel document snapshot from an earlier (rolled back) test
    yield


@pytest.fixture(autouse=True)
def _live_queue_badges(monkeypatch):
    """The sidebar's queue badges are counted on every page, as before their one-minute cache, so a
    test sees the counts of its own changes at once and pages cost the same queries on every request.
    ``test_desk_list_render.py`` tests the cache itself."""
    from aduan_publik.selectors import queues

    monkeypatch.setattr(queues, "BADGE_SECONDS", 0)


@pytest.fixture
def opd_pu(db):
    return OPD.objects.create(code="PUPR", name="Dinas Pekerjaan Umum dan Penataan Ruang", kind="dinas")


@pytest.fixture
def opd_dlh(db):
    return OPD.objects.create(code="DLH", name="Dinas Lingkungan Hidup", kind="dinas")


@pytest.fixture
def category_jalan(db, opd_pu):
    parent = Category.objects.create(name="Pekerjaan Umum", code="pekerjaan-umum")
    return Category.objects.create(name="Jalan rusak", code="jalan-rusak", parent=parent, default_opd=opd_pu)


def make_user(username: str, role: str | None, opd: OPD | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password="rahasia-123", is_staff=True, **extra)
    if role:
        StaffProfile.objects.create(user=user, role=role, opd=opd)
    return user


@pytest.fixture
def admin_user(db):
    return make_user("admin1", Role.ADMIN, first_name="Ani")


@pytest.fixture
def leader_user(db):
    return make_user("pimpinan", Role.LEADER)


@pytest.fixture
def liaison_pu(db, opd_pu):
    return make_user("penghubung_pu", Role.LIAISON, opd_pu)


@pytest.fixture
def operator_pu(db, opd_pu):
    return make_user("operator_pu", Role.OPERATOR, opd_pu)


@pytest.fixture
def liaison_dlh(db, opd_dlh):
    return make_user("penghubung_dlh", Role.LIAISON, opd_dlh)


@pytest.fixture
def contact(db):
    return Contact.objects.create(channel="web", address="warga@example.org", email="warga@example.org",
                                  name="Budi Santoso", phone="081234567890")


@pytest.fixture
def complaint(db, contact, category_jalan):
    created, _code = complaint_create(
        channel="web", title="Jalan berlubang di Jl. Merdeka",
        description="Lubang besar di depan sekolah, membahayakan pengendara motor.",
        contact=contact, category=category_jalan,
    )
    return created
