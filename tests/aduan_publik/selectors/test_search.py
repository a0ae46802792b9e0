"""The one complaint search (desk, portal, API): words, tracking number, phone, name; privacy per viewer."""

from __future__ import annotations

import pytest
from django.db import connection

from aduan_publik.models import Complaint, Contact
from aduan_publik.selectors.search import Identity, complaint_search, identity_for
from aduan_publik.services.complaints import complaint_create, complaint_verify

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def make(title: str, description: str = "Mohon segera ditangani.", *, name: str = "Warga", phone: str = "",
         anonymous: bool = False, location: str = "") -> Complaint:
    contact = Contact.objects.create(channel="web", address=f"{title[:20]}-{phone}@example.org", name=name,
                                     phone=phone, email=f"{name.split()[0].lower()}@example.org")
    complaint, _code = complaint_create(channel="web", title=title, description=description, contact=contact,
                                        is_anonymous=anonymous, location_text=location, acknowledge=False)
    return complaint


def found(term: str, identity: Identity = Identity.ALL, qs=None) -> set[str]:
    qs = Complaint.objects.all() if qs is None else qs
    return set(complaint_search(qs, term, identity=identity).values_list("title", flat=True))


@pytest.fixture
def city(db):
    return {
        "road": make("Jalan rusak berlubang", "Aspal jalan rusak parah di depan pasar.", name="Budi Santoso",
                     phone="081234567890", location="Jl. Merdeka"),
        "trash": make("Sampah menumpuk", "Pembersihan saluran tidak pernah dilakukan.", name="Siti Aminah",
                      phone="6285711112222"),
        "secret": make("Pungli perizinan", "Petugas meminta uang.", name="Rahasia Orang", phone="081377778888",
                       anonymous=True),
    }


def test_words_find_title_description_and_place(city):
    assert found("jalan rusak") == {"Jalan rusak berlubang"}
    assert found("pasar") == {"Jalan rusak berlubang"}
    assert found("Merdeka") == {"Jalan rusak berlubang"}
    assert found("saluran sampah") == {"Sampah menumpuk"}
    assert found("banjir") == set()


@pytest.mark.skipif(not POSTGRES, reason="Indonesian stemming is PostgreSQL's; SQLite matches parts of words")
def test_indonesian_stemming_finds_prefixed_forms(city):
    # PostgreSQL's `indonesian` stems «berlubang» to «lubang» and «pembersihan» to «bersih».
    assert found("lubang") == {"Jalan rusak berlubang"}
    assert found("bersih") == {"Sampah menumpuk"}
    assert found("menumpuknya") == {"Sampah menumpuk"}  # «-nya» goes, «menumpuk» and it both give «umpuk»
    assert found("salurannya") == {"Sampah menumpuk"}


@pytest.mark.skipif(POSTGRES, reason="SQLite FTS5 (trigram tokenizer) matches parts of words")
def test_sqlite_matches_parts_of_words(city):
    assert found("lubang") == {"Jalan rusak berlubang"}  # no stemmer on SQLite: any part of a word
    assert found("bersih") == {"Sampah menumpuk"}
    assert found("umpuk sampa") == {"Sampah menumpuk"}


def test_tracking_number_whole_and_fragment(city):
    number = city["trash"].tracking_number  # ADU-2026-000002
    assert found(number) == {"Sampah menumpuk"}
    assert found(number.lower()) == {"Sampah menumpuk"}
    assert found(number[-6:], Identity.NONE) == {"Sampah menumpuk"}


def test_phone_fragment_in_either_form(city):
    assert found("0812 3456") == {"Jalan rusak berlubang"}
    assert found("62812-3456") == {"Jalan rusak berlubang"}
    assert found("0857 1111") == {"Sampah menumpuk"}  # stored as WhatsApp sends it: 62857…


def test_reporter_name_and_email(city):
    assert found("Budi Santoso") == {"Jalan rusak berlubang"}
    assert found("aminah") == {"Sampah menumpuk"}
    assert found("siti@example") == {"Sampah menumpuk"}


def test_anonim_reporter_is_never_searchable_without_the_right(city):
    assert found("Rahasia Orang", Identity.ALL) == {"Pungli perizinan"}
    assert found("Rahasia Orang", Identity.NAMED) == set()
    assert found("0813 7777", Identity.NAMED) == set()
    assert found("Budi", Identity.NAMED) == {"Jalan rusak berlubang"}  # a named reporter is
    assert found("Budi", Identity.NONE) == set()  # the public never searches people
    assert found("081234567890", Identity.NONE) == set()


def test_search_stays_inside_the_given_queryset(city):
    only_trash = Complaint.objects.filter(pk=city["trash"].pk)
    assert found("jalan", qs=only_trash) == set()
    assert found("sampah", qs=only_trash) == {"Sampah menumpuk"}


def test_search_works_inside_a_subquery_and_follows_edits(city):
    """The search is a condition on the row (on PostgreSQL the stored document column, unqualified):
    it holds when the queryset becomes a subquery (its table then has another alias), and an edited
    title is found by its new words at once (PostgreSQL and the SQLite triggers keep the document)."""
    inner = complaint_search(Complaint.objects.all(), "sampah", identity=Identity.ALL).values("pk")
    assert set(Complaint.objects.filter(pk__in=inner).values_list("title", flat=True)) == {"Sampah menumpuk"}
    Complaint.objects.filter(pk=city["trash"].pk).update(title="Gorong-gorong tersumbat")
    assert found("gorong") == {"Gorong-gorong tersumbat"}
    assert found("menumpuk") == set()


def test_search_syntax_characters_are_plain_text(city):
    for term in ('"jalan', "jalan*", "(rusak OR", "-", "a:b", "NEAR(x y)", "%", "_"):
        found(term)  # no database error whatever the resident types
    assert found('"jalan rusak"') == {"Jalan rusak berlubang"}


def test_desk_identity_per_role(admin_user, leader_user, liaison_pu, integrator_user_):
    assert identity_for(admin_user) is Identity.ALL
    assert identity_for(leader_user) is Identity.ALL
    assert identity_for(liaison_pu) is Identity.NAMED
    assert identity_for(None) is Identity.NONE


@pytest.fixture
def integrator_user_(db):
    from aduan_publik.models import Role
    from tests.conftest import make_user

    return make_user("integrasi_cari", Role.INTEGRATOR)


def test_an_opd_searches_only_its_own_complaints(city, admin_user, liaison_pu, opd_pu, opd_dlh):
    from aduan_publik import access

    complaint_verify(complaint=city["road"], by=admin_user, opds=[opd_pu])
    complaint_verify(complaint=city["trash"], by=admin_user, opds=[opd_dlh])
    theirs = access.complaints_visible_to(liaison_pu)
    assert found("jalan", identity_for(liaison_pu), theirs) == {"Jalan rusak berlubang"}
    assert found("sampah", identity_for(liaison_pu), theirs) == set()
    assert found("Siti", identity_for(liaison_pu), theirs) == set()
