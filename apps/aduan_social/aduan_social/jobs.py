"""Background jobs of the social channels (RQ): thin, they call a service and return."""

from __future__ import annotations


def x_poll_tick() -> int:
    """The scheduler's minute tick: poll X mentions when due (the poll paces itself)."""
    from .x.poll import x_mentions_poll

    return x_mentions_poll()
