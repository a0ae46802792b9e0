"""Triage fixtures: the demo city's OPDs, areas and categories (the starter model's labels), one admin."""

from __future__ import annotations

import pytest

from aduan_publik.models import Area, Role
from aduan_publik.services.complaints import complaint_create
from tests.conftest import make_user


@pytest.fixture
def city(db):
    from aduan_publik.demo.city import CATEGORIES
    from aduan_publik.demo.reference import _seed_areas, _seed_categories, _seed_opds

    opds = _seed_opds()
    _seed_areas()
    _seed_categories(CATEGORIES, None, opds)
    return opds


@pytest.fixture
def triage_admin(db):
    return make_user("admin.triase", Role.ADMIN)


@pytest.fixture
def file_complaint(city, django_capture_on_commit_callbacks):
    """Create a complaint the way intake does and run its on-commit jobs (the triage job among them)."""

    def create(description: str, *, channel: str = "web", title: str = "", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            complaint, _code = complaint_create(channel=channel, title=title or description[:60],
                                                description=description, acknowledge=False, **fields)
        complaint.refresh_from_db()
        return complaint

    return create


def area(code: str) -> Area:
    return Area.objects.get(code=code)
