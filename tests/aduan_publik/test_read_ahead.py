"""read_ahead: the next chunk is read in a worker thread while the caller works on the current one."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from aduan_publik.models import OPD
from aduan_publik.read_ahead import read_ahead, reads_ahead

WAIT = 30  # seconds to wait for a condition that must come (never a timing assertion)


def test_items_in_order_and_the_next_read_before_it_is_asked_for():
    second_read = threading.Event()

    def chunks():
        yield 1
        yield 2
        second_read.set()
        yield 3

    got = read_ahead(chunks)
    assert next(got) == 1
    assert second_read.wait(WAIT)  # read while the caller still holds the first item
    assert list(got) == [2, 3]


def test_an_error_in_the_worker_is_raised_in_the_caller():
    def chunks():
        yield "a"
        raise ValueError("rusak")

    got = read_ahead(chunks)
    assert next(got) == "a"
    with pytest.raises(ValueError, match="rusak"):
        next(got)


@pytest.mark.django_db(transaction=True)
def test_stopping_early_stops_the_worker_and_closes_its_connection():
    OPD.objects.create(code="PUPR", name="Dinas PU", kind="dinas")
    seen: dict[str, object] = {}
    finished = threading.Event()

    def chunks():
        try:
            for n in range(100):
                seen["wrapper"] = connections["default"]  # the worker thread's own connection
                yield OPD.objects.count() + n
        finally:
            finished.set()

    got = read_ahead(chunks)
    assert next(got) == 1
    got.close()  # a cancelled download
    assert finished.is_set()  # the worker was joined, its generator closed
    assert seen["wrapper"] is not connection and seen["wrapper"].connection is None


@pytest.mark.django_db
def test_no_read_ahead_inside_a_transaction():
    with transaction.atomic():
        assert not reads_ahead()


@pytest.mark.django_db(transaction=True)
def test_read_ahead_outside_a_transaction_on_postgresql_only():
    assert reads_ahead() is (connection.vendor == "postgresql")
