"""pytest plugin for channel plugin packages: Redis, a fake provider server and channel settings.

Enable it with the settings :mod:`aduan_publik.testing.settings` in your package's pytest
configuration (pytest-django must be installed)::

    [tool.pytest.ini_options]
    DJANGO_SETTINGS_MODULE = "aduan_publik.testing.settings"
    addopts = "-p aduan_publik.testing.pytest_plugin"

(or ``pytest_plugins = ["aduan_publik.testing.pytest_plugin"]`` in your top-level
``conftest.py``). Fixtures:

* ``aduan_redis`` — the Redis connection of the job queues, emptied before the test (set
  ``ADUAN_REDIS_URL`` to a database of your own: it is flushed);
* ``fake_provider`` — a :class:`~aduan_publik.testing.fake_provider.FakeProvider` on
  127.0.0.1 for the test: real HTTP, recorded requests, scripted answers;
* ``channel_settings`` — ``channel_settings("sms", url=..., secret=...)`` sets one channel's
  site configuration (``ADUAN["channels"]["sms"]``) for the test;
* ``channel_document`` — ``channel_document("sms", "kedua", url=..., secret=...)`` saves a Channel
  document (an instance with its own webhook URL ``/channels/sms/kedua/webhook``) for the test.

Every test starts without a cached snapshot of the Channel documents.

The hub's own test-suite does not load this plugin; it has its own fixtures in ``tests/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .fake_provider import FakeProvider


@pytest.fixture
def aduan_redis() -> Iterator[Any]:
    """The job queues' Redis connection, flushed before the test."""
    import django_rq

    connection = django_rq.get_connection("default")
    connection.flushdb()
    yield connection


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    """A fake provider API on 127.0.0.1 (real HTTP) for one test."""
    with FakeProvider() as provider:
        yield provider


@pytest.fixture
def channel_settings(settings: Any) -> Callable[..., dict[str, Any]]:
    """Set a channel's site configuration for one test: ``channel_settings("sms", api_key="…")``."""

    def configure(name: str, **values: Any) -> dict[str, Any]:
        channels = {**settings.ADUAN.get("channels", {}), name: dict(values)}
        settings.ADUAN = {**settings.ADUAN, "channels": channels}
        return channels[name]

    return configure


@pytest.fixture(autouse=True)
def _channel_documents_forgotten() -> None:
    """No Channel document snapshot from an earlier (rolled back) test."""
    from ..selectors.channel_instances import forget

    forget()


@pytest.fixture
def channel_document(db: Any) -> Callable[..., Any]:
    """Save a Channel document for one test: ``channel_document("sms", "kedua", api_key="…")``.

    Enabled; ``default=True`` makes it the one the old ``/channels/<name>/webhook`` serves.
    """
    from ..services.channel_instances import channel_instance_save

    def save(name: str, key: str, *, default: bool = False, **values: Any) -> Any:
        return channel_instance_save(instance=None, by=None, channel=name, key=key, name=f"{name} {key}",
                                     enabled=True, is_default=default, values=values)

    return save
