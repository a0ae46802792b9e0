"""Reading the next chunk of a long read while the caller works on the current one (the CSV export).

PostgreSQL works in its own process: while the web process turns one chunk of rows into text, the
database can already be finding the next. :func:`read_ahead` runs a chunk generator in a thread
with its own database connection, at most :data:`AHEAD` chunks ahead of the caller (memory stays
flat), and closes that connection when done, when the caller stops early (a cancelled download
closes the generator) or on an error, which is raised in the caller.

A second connection sees only committed rows, so :func:`reads_ahead` says no inside a transaction
(the caller's own uncommitted rows would be missing) and on SQLite (in-process: a thread gains
nothing under the GIL); the caller then reads inline, the same generator in its own thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")
#: chunks read but not yet taken by the caller (one more may be on its way from the database)
AHEAD = 1
_END = object()


def reads_ahead(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a read on ``using`` may run on another connection and see the same rows."""
    connection = connections[using]
    return connection.vendor != "sqlite" and not connection.in_atomic_block


def read_ahead(chunks: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``chunks()``, each read in a worker thread while the caller handles the one before."""
    ready: queue.Queue[tuple[Any, Any]] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    worker = threading.Thread(target=_work, args=(chunks, ready, stop), name="aduan-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()  # the caller stopped early, or finished: the worker puts nothing more
        worker.join()


def _work(chunks: Callable[[], Iterator[Any]], ready: queue.Queue[tuple[Any, Any]], stop: threading.Event) -> None:
    try:
        for item in chunks():
            if not _offer(ready, stop, (item, None)):
                return
        _offer(ready, stop, (_END, None))
    except Exception as error:  # handed to the caller, raised there
        _offer(ready, stop, (None, error))
    finally:
        connections.close_all()  # this thread's own connections only


def _offer(ready: queue.Queue[tuple[Any, Any]], stop: threading.Event, entry: tuple[Any, Any]) -> bool:
    """Put ``entry`` once there is room; False when the caller has stopped listening."""
    while not stop.is_set():
        try:
            ready.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
