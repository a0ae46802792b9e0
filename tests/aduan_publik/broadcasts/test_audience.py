"""The audience: the rows materialised at approval are exactly the count shown before, once each."""

from __future__ import annotations

import itertools

import pytest
from bc_helpers import subscriber
from django.utils import timezone

from aduan_publik.broadcasts import audience
from aduan_publik.broadcasts.models import Broadcast, Recipient, Template
from aduan_publik.models import Area
from aduan_publik.portal.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(templates):
    """Subscribers across topics, areas (kecamatan and kelurahan), languages and states."""
    barat = Area.objects.create(code="KB", name="Pontianak Barat", level="kecamatan")
    sungai = Area.objects.create(code="KB1", name="Sungai Beliung", level="kelurahan", parent=barat)
    timur = Area.objects.create(code="KT", name="Pontianak Timur", level="kecamatan")
    topic_sets = (("agenda",), ("himbauan",), ("agenda", "darurat"), ("program", "agenda"), ())
    phones = itertools.count(1)
    for topics, area, language in itertools.product(topic_sets, (None, barat, sungai, timur), ("id", "en")):
        subscriber(f"6281300{next(phones):05d}", topics=topics, area=area, language=language, name="Warga")
    for topics in topic_sets:  # never in any audience
        subscriber(f"6281300{next(phones):05d}", topics=topics, area=barat, confirmed=False)
        gone = subscriber(f"6281300{next(phones):05d}", topics=topics, area=barat)
        Subscription.objects.filter(pk=gone.pk).update(unsubscribed_at=timezone.now())
    stopped = subscriber(f"6281300{next(phones):05d}", topics=("agenda",), area=barat)
    Subscription.objects.filter(pk=stopped.pk).update(marketing_stopped_at=timezone.now())
    return {"barat": barat, "sungai": sungai, "timur": timur, "templates": templates}


def _expected(b: Broadcast) -> set[int]:
    """The rule written out in Python, independently of the SQL."""
    marketing = b.template is not None and b.template.category == Template.Category.MARKETING
    return {s.pk for s in Subscription.objects.select_related("area") if
            s.unsubscribed_at is None and s.confirmed_at is not None and b.topic in s.topics
            and (not b.area_id or s.area_id == b.area_id or (s.area is not None and s.area.parent_id == b.area_id))
            and (not b.language or s.language == b.language)
            and not (marketing and s.marketing_stopped_at is not None)}


def test_materialised_recipients_equal_the_audience_shown_before_approval(population):
    combinations = itertools.product(("agenda", "darurat", "himbauan", "aduan"), (None, "barat", "sungai", "timur"),
                                     ("", "en"), ("agenda_kota", "gangguan_layanan"))
    for topic, area, language, template in combinations:
        b = Broadcast.objects.create(title="x", topic=topic, area=population[area] if area else None,
                                     language=language, template=population["templates"][template])
        shown = audience.audience_count(b)
        added = audience.recipients_materialise(b)
        rows = Recipient.objects.filter(broadcast=b)
        assert set(rows.values_list("subscription_id", flat=True)) == _expected(b), (topic, area, language)
        assert shown == added == rows.count()


def test_materialising_again_adds_nobody(population):
    b = Broadcast.objects.create(title="x", topic="agenda", template=population["templates"]["agenda_kota"])
    first = audience.recipients_materialise(b)
    assert first > 0
    assert audience.recipients_materialise(b) == 0
    assert Recipient.objects.filter(broadcast=b).count() == first
    assert Recipient.objects.filter(broadcast=b).values("subscription_id").distinct().count() == first


def test_recipient_rows_are_complete_and_carry_the_kecamatan(population):
    b = Broadcast.objects.create(title="x", topic="agenda", area=population["barat"], language="id",
                                 template=population["templates"]["gangguan_layanan"])
    audience.recipients_materialise(b)
    rows = list(Recipient.objects.filter(broadcast=b).select_related("subscription__area"))
    assert rows and {r.area_name for r in rows} == {"Pontianak Barat"}  # kelurahan rows name their kecamatan
    for r in rows:
        assert (r.phone, r.name) == (r.subscription.phone, r.subscription.name)
        assert (r.state, r.attempts, r.external_id, r.reason, r.not_before) == ("queued", 0, "", "", None)


def test_materialising_is_one_statement_whatever_the_size(population, django_assert_num_queries):
    b = Broadcast.objects.create(title="x", topic="agenda", template=population["templates"]["agenda_kota"])
    with django_assert_num_queries(1):
        audience.recipients_materialise(b)
