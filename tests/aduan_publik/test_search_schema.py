"""The search's database objects: SQLite triggers lost to a table rebuild are put back after migrate."""

from __future__ import annotations

import pytest
from django.db import connection

from aduan_publik import search_schema
from aduan_publik.models import Complaint
from aduan_publik.selectors.search import Identity, complaint_search
from aduan_publik.services.complaints import complaint_create

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite", reason="the triggers are SQLite's")]


def titles(term: str) -> set[str]:
    return set(complaint_search(Complaint.objects.all(), term, identity=Identity.NONE)
               .values_list("title", flat=True))


def test_triggers_keep_the_index_in_step_with_inserts_updates_and_deletes(contact):
    complaint, _code = complaint_create(channel="web", title="Drainase mampet", description="Air meluap.",
                                        contact=contact, acknowledge=False)
    assert titles("drainase") == {"Drainase mampet"}
    Complaint.objects.filter(pk=complaint.pk).update(title="Gorong-gorong mampet")
    assert titles("drainase") == set() and titles("gorong") == {"Gorong-gorong mampet"}
    Complaint.objects.filter(pk=complaint.pk).delete()
    assert titles("gorong") == set()


def test_lost_triggers_are_put_back_and_the_index_rebuilt(contact):
    with connection.cursor() as cursor:  # what a table rebuild by a later migration leaves
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f"DROP TRIGGER {search_schema.FTS_TABLE}_{suffix}")
    complaint_create(channel="web", title="Pohon tumbang", description="Menutup jalan.", contact=contact,
                     acknowledge=False)
    assert titles("tumbang") == set()  # the index missed it
    assert search_schema.ensure(connection) is True
    assert titles("tumbang") == {"Pohon tumbang"}
    assert search_schema.ensure(connection) is False  # nothing left to repair
