"""The one channel registry, fed by the ``aduan_publik.channels`` entry-point group.

Built-in channels register through the same group in the app's pyproject, so a plugin
package is a peer of ``web`` and ``manual``: install it and it appears.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import entry_points

from .base import Channel

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "aduan_publik.channels"


class UnknownChannel(LookupError):
    pass


@lru_cache(maxsize=1)
def _load() -> dict[str, type[Channel]]:
    found: dict[str, type[Channel]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception:  # a broken plugin must not take the hub down
            logger.exception("channel plugin %s failed to load", ep.value)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            logger.error("channel plugin %s is not a Channel subclass", ep.value)
            continue
        if cls.name != ep.name:
            logger.error("channel plugin %s declares name %r, registered as %r", ep.value, cls.name, ep.name)
            continue
        found[ep.name] = cls
    return found


def all_channels() -> dict[str, Channel]:
    return {name: cls() for name, cls in sorted(_load().items())}


def get_channel(name: str) -> Channel:
    try:
        return _load()[name]()
    except KeyError:
        raise UnknownChannel(f"unknown channel {name!r}; installed: {', '.join(sorted(_load()))}") from None


def channel_choices() -> list[tuple[str, str]]:
    return [(name, cls.label or name) for name, cls in sorted(_load().items())]


def reset_cache() -> None:
    """Forget loaded plugins (tests that install a fake entry point)."""
    _load.cache_clear()
