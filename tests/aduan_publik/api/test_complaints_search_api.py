"""The API list's ``?q=``: the hub's one search, identities only with ``reporters:read``, never anonim
reporters for integrators, never rahasia complaints."""

from __future__ import annotations

import pytest

from aduan_publik.models import Complaint, Contact, Role
from aduan_publik.services.complaints import complaint_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
READ = ["complaints:read"]
WITH_REPORTERS = ["complaints:read", "reporters:read"]


def make(title: str, name: str, phone: str, **flags) -> Complaint:
    contact = Contact.objects.create(channel="web", address=f"{phone}@example.org", name=name, phone=phone)
    complaint, _code = complaint_create(channel="web", title=title, description="Mohon ditangani.",
                                        contact=contact, acknowledge=False, **flags)
    return complaint


def numbers(api, q: str) -> set[str]:
    response = api.get("/api/v1/complaints", {"q": q})
    assert response.status_code == 200, response.content
    return {row["tracking_number"] for row in response.json()["results"]}


@pytest.fixture
def city(db):
    return {"road": make("Jalan rusak berlubang", "Budi Santoso", "081234567890"),
            "anon": make("Pungli perizinan", "Rina Anonim", "081399998888", is_anonymous=True),
            "secret": make("Laporan rahasia jembatan", "Joko Rahasia", "081277776666", is_secret=True)}


def test_admin_searches_words_numbers_and_reporters(admin_user, api_as, city):
    api = api_as(admin_user, scopes=WITH_REPORTERS)
    assert numbers(api, "jalan rusak") == {city["road"].tracking_number}
    assert numbers(api, city["anon"].tracking_number[-6:]) == {city["anon"].tracking_number}
    assert numbers(api, "0812 3456") == {city["road"].tracking_number}
    assert numbers(api, "Rina Anonim") == {city["anon"].tracking_number}  # admins see anonim reporters


def test_reporters_are_not_searchable_without_the_scope(admin_user, api_as, city):
    api = api_as(admin_user, scopes=READ)
    assert numbers(api, "Budi Santoso") == set()
    assert numbers(api, "0812 3456") == set()
    assert numbers(api, "jalan") == {city["road"].tracking_number}


def test_integrators_never_find_anonim_reporters_or_rahasia_complaints(api_as, city):
    integrator = make_user("integrasi_q", Role.INTEGRATOR)
    api = api_as(integrator, scopes=WITH_REPORTERS)
    assert numbers(api, "Budi") == {city["road"].tracking_number}
    assert numbers(api, "Rina Anonim") == set()
    assert numbers(api, "0813 9999") == set()
    assert numbers(api, "jembatan") == set()
    assert numbers(api, "Joko Rahasia") == set()


def test_blank_q_lists_everything(admin_user, api_as, city):
    assert len(numbers(api_as(admin_user), "")) == 3
