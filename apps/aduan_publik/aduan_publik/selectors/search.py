"""The complaint search: one function for the desk, the portal's public list and the API.

A term finds a complaint by

* its words: title, description and place, through PostgreSQL full-text search with the
  ``indonesian`` configuration (stems prefixed and suffixed forms: «berlubang» finds «lubang»),
  or SQLite FTS5 with trigrams (any part of a word of 3 letters or more: «lubang» finds «berlubang»);
* a fragment of its tracking number («000123», «ADU-2026-000123»);
* its reporter, when the caller may search identities (:class:`Identity`): a fragment of the name
  or e-mail, or a phone number in either form («0812 3456» finds «62812345…» too).

Each way is a query on one table that its own index answers (``search_schema``); the ids are
joined with UNION and the caller's queryset (already narrowed by ``access``) keeps its order.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .. import access
from ..models import Complaint, Contact
from ..search_schema import CONFIG, DOCUMENT_SQL, FTS_TABLE
from .complaints import phone_variants

MAX_TERM = 200
MIN_FRAGMENT = 3  # shorter fragments match almost everything (and no trigram index helps)


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
    arms = [arm for arm in (_text_arm(term), _number_arm(term), _identity_arm(term, identity)) if arm is not None]
    if not arms:
        return queryset.none()
    found = arms[0] if len(arms) == 1 else arms[0].union(*arms[1:])
    return queryset.filter(pk__in=found)


def _ids() -> QuerySet[Any]:
    return Complaint.objects.order_by()


def _text_arm(term: str) -> QuerySet[Any] | None:
    if connection.vendor == "postgresql":
        # The index's own expression (search_schema), a constant: the term only goes in as a parameter.
        document = RawSQL(DOCUMENT_SQL, [], output_field=SearchVectorField())  # noqa: S611
        query = SearchQuery(term, config=CONFIG, search_type="websearch")
        return _ids().annotate(document=document).filter(document=query).values("pk")
    words = [w for w in re.findall(r"\w+", term) if len(w) >= MIN_FRAGMENT]  # trigrams: 3 letters at least
    if not words:
        return None
    # Each word quoted (FTS5 syntax characters are data); all words must occur, anywhere in a word.
    match = " ".join(f'"{w}"' for w in words)
    rows = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])  # noqa: S608, S611
    return _ids().filter(pk__in=rows).values("pk")


def _number_arm(term: str) -> QuerySet[Any] | None:
    compact = term.replace(" ", "")
    if len(compact) < MIN_FRAGMENT:
        return None
    return _ids().filter(tracking_number__icontains=compact).values("pk")


def _identity_arm(term: str, identity: Identity) -> QuerySet[Any] | None:
    if identity is Identity.NONE or len(term) < MIN_FRAGMENT:
        return None
    who = Q(name__icontains=term) | Q(email__icontains=term)
    for variant in phone_variants(term):
        who |= Q(phone__icontains=variant) | Q(address__icontains=variant)
    theirs = _ids().filter(contact__in=Contact.objects.filter(who).values("pk"))
    if identity is Identity.NAMED:
        theirs = theirs.filter(is_anonymous=False)
    return theirs.values("pk")
