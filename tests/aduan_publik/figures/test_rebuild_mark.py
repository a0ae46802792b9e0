"""An upgrade that changes what the cells hold (migration 0018) gets one full rebuild by itself."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from aduan_publik import figures, jobs
from aduan_publik.models import FigureContribution, FigureDirty, FigureHistogram
from aduan_publik.services.complaints import complaint_create
from aduan_publik.services.figure_aggregates import REBUILD_MARK

migration = importlib.import_module("aduan_publik.migrations.0018_figs_histograms")


def _migrate_mark() -> None:
    migration.mark_rebuild(apps, SimpleNamespace(connection=connection))


@pytest.mark.django_db
def test_the_migration_marks_a_site_with_complaints_and_leaves_an_empty_one_alone(contact):
    _migrate_mark()
    assert not FigureDirty.objects.exists()  # a new site: nothing to rebuild
    complaint_create(channel="web", title="Aduan", description="Uraian cukup.", contact=contact, acknowledge=False)
    _migrate_mark()
    _migrate_mark()
    assert FigureDirty.objects.filter(complaint_id=REBUILD_MARK).count() == 1


@pytest.mark.django_db
def test_the_sweep_queues_one_rebuild_that_clears_the_mark_and_fills_the_histograms(
        contact, settings, django_capture_on_commit_callbacks):
    settings.ADUAN_FIGURES_SETTLE = False  # as in production: only jobs refresh
    for n in range(3):
        complaint_create(channel="web", title=f"Aduan {n}", description="Uraian cukup.", contact=contact,
                         acknowledge=False)
    # As right after the upgrade: no shares recorded, no histograms, the mark written by the migration.
    FigureContribution.objects.all().delete()
    FigureHistogram.objects.all().delete()
    _migrate_mark()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert jobs.run_figures_sweep() == 0  # the mark is not a complaint: the sweep queues the rebuild
    assert len(queued) == 1  # the rebuild job, queued on commit (and run inline in tests)
    assert list(FigureDirty.objects.values_list("complaint_id", flat=True)) == []  # the rebuild took every mark
    assert FigureContribution.objects.count() == 3
    assert figures.totals()["total"] == 3
    assert jobs.figures_rebuild_marked() == {}  # a second run finds nothing to do
