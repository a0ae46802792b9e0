"""The complaint search: one function for the desk, the portal's public list and the API.

A term finds a complaint by

* its words: title, description and place, through PostgreSQL full-text search with the
  ``indonesian`` configuration (stems prefixed and suffixed forms: «berlubang» finds «lubang»),
  or SQLite FTS5 with trigrams (any part of a word of 3 letters or more: «lubang» finds «berlubang»);
* a fragment of its tracking number («000123», «ADU-2026-000123»);
* its reporter, when the caller may search identities (:class:`Identity`): a fragment of the name
  or e-mail, or a phone number in either form («0812 3456» finds «62812345…» too).

The ways are one condition on the complaint row, joined with OR, so that PostgreSQL's planner picks
the plan per term from its statistics: a common word («jalan», matched by half the city) walks the
caller's order index (newest first) and tests each row's stored document until the page is full;
a rare word, a number or a name reads the GIN and trigram indexes (``search_schema``) and combines
them in a BitmapOr. The reporter way is ``contact_id = ANY(ARRAY(SELECT … contacts))``: a list
computed once, usable in the BitmapOr (an ``IN (subquery)`` under OR is not). The caller's queryset
(already narrowed by ``access``) keeps its order, joins and count.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL

from .. import access
from ..models import Complaint, Contact
from ..search_schema import CONFIG, DOCUMENT_COLUMN, FTS_TABLE
from .complaints import phone_variants

MAX_TERM = 200
MIN_FRAGMENT = 3  # shorter fragments match almost everything (and no trigram index helps)
#: A searched list counts exactly only up to this many matches («lebih dari 1.000» beyond). Counting
#: visits every match: 10.000 matches of a common word inside one OPD's complaints cost half a second
#: at 1,000,000 complaints, a thousand a twentieth of it; past a thousand the reader refines the term.
COUNT_LIMIT = 1_000
#: How every tracking number begins, upper case (``services.audit.next_tracking_number``).
TRACKING_PREFIX = "ADU-"


class Identity(enum.Enum):
    """Which reporters a search may match on name, e-mail or phone."""

    NONE = "none"  # the public: never
    NAMED = "named"  # OPD staff, integrators: never an *anonim* reporter (the match would reveal them)
    ALL = "all"  # Diskominfo admins and leaders


def identity_for(user: Any) -> Identity:
    """What a desk user's search may match of reporters."""
    actor = access.actor_for(user)
    if actor.can_read_all:
        return Identity.ALL
    return Identity.NAMED if actor.role else Identity.NONE


def complaint_search(queryset: QuerySet[Complaint], term: str, *, identity: Identity) -> QuerySet[Complaint]:
    """``queryset`` narrowed to the complaints ``term`` finds (all of them for an empty term)."""
    term = " ".join(term.split())[:MAX_TERM]
    if not term:
        return queryset
    ways = [way for way in (_text_way(term), _number_way(term), _identity_way(term, identity)) if way is not None]
    if not ways:
        return queryset.none()
    found = Q(ways[0])
    for way in ways[1:]:
        found |= way
    return queryset.filter(found)


def _text_way(term: str) -> Q | None:
    if connection.vendor == "postgresql":
        # The stored column (search_schema), unqualified so it names the complaint table in any
        # query or subquery (no other table has it); the term only goes in as a parameter.
        document = RawSQL(DOCUMENT_COLUMN, [], output_field=SearchVectorField())  # noqa: S611
        return Q(SearchVectorExact(document, SearchQuery(term, config=CONFIG, search_type="websearch")))
    words = [w for w in re.findall(r"\w+", term) if len(w) >= MIN_FRAGMENT]  # trigrams: 3 letters at least
    if not words:
        return None
    # Each word quoted (FTS5 syntax characters are data); all words must occur, anywhere in a word.
    match = " ".join(f'"{w}"' for w in words)
    rows = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608, S611
    return Q(pk__in=rows)


def _number_way(term: str) -> Q | None:
    compact = term.replace(" ", "")
    if len(compact) < MIN_FRAGMENT:
        return None
    if compact.upper().startswith(TRACKING_PREFIX):
        # Every number starts with the prefix and holds it nowhere else: a term that starts with it can
        # only match from the start, which the column's btree answers at once (the trigrams of «ADU-2026-»
        # are in every row, and intersecting them costs tens of milliseconds at 1,000,000 complaints).
        return Q(tracking_number__startswith=compact.upper())
    return Q(tracking_number__icontains=compact)


def _identity_way(term: str, identity: Identity) -> Q | None:
    if identity is Identity.NONE or len(term) < MIN_FRAGMENT:
        return None
    who = Q(name__icontains=term) | Q(email__icontains=term)
    for variant in phone_variants(term):
        who |= Q(phone__icontains=variant) | Q(address__icontains=variant)
    theirs = Q(AnyOf(F("contact_id"), Contact.objects.filter(who).order_by().values("pk")))
    if identity is Identity.NAMED:
        theirs &= Q(is_anonymous=False)
    return theirs


class AnyOf(Lookup):  # type: ignore[type-arg]
    """``column = ANY(ARRAY(subquery))`` on PostgreSQL: the subquery runs once (an InitPlan) and the
    column's own index answers, also under OR; ``column IN (subquery)`` elsewhere."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        sql = f"{lhs} = ANY(ARRAY{rhs})" if connection.vendor == "postgresql" else f"{lhs} IN {rhs}"
        return sql, (*lhs_params, *rhs_params)
