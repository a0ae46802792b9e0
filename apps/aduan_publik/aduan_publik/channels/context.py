"""The channel instance whose delivery is being routed, for code that does not receive it.

The inbound job routes a delivery's items inside :func:`routing_instance`; a plugin's
``intercept`` answering with ``message_send_direct(channel=self.name, ...)`` (written before
instances existed) then answers through the same number or page without naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("aduan_channel_instance", default="")


def current_instance() -> str:
    """The instance key of the delivery being routed ("" outside routing: the default instance)."""
    return _current.get()


@contextmanager
def routing_instance(key: str) -> Iterator[None]:
    token = _current.set(key)
    try:
        yield
    finally:
        _current.reset(token)
