"""The one channel registry, fed by the ``aduan_publik.channels`` entry-point group.

Built-in channels register through the same group in the app's pyproject, so a plugin
package is a peer of ``web`` and ``manual``: install it and it appears.

A plugin that fails to import, is not a :class:`Channel` subclass or declares another name is
left out: the hub runs without it, the failure is logged and :func:`load_failures` lists it
for the system check (``aduan_publik.E001``/``E002``).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points

from .base import Capabilities, Channel

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "aduan_publik.channels"


class UnknownChannel(LookupError):
    pass


@dataclass(frozen=True)
class PluginFailure:
    """A channel plugin the hub runs without, and why."""

    name: str  # the entry-point name
    target: str  # "module:Class"
    error: str
    imported: bool  # False: it raised on import (E001); True: it loaded but breaks the contract (E002)


# Filled while settings load (plugin_apps); settings load once per process, before any check.
_app_failures: dict[str, PluginFailure] = {}


def _failure(ep: object, error: str, *, imported: bool) -> PluginFailure:
    return PluginFailure(name=getattr(ep, "name", ""), target=getattr(ep, "value", ""), error=error,
                         imported=imported)


def plugin_apps() -> list[str]:
    """Entry-point packages with an ``apps`` submodule: Django apps the settings must install.

    Called from ``config/settings.py`` before Django is set up. A plain module is found
    without running it (the registry imports it later, after set-up). A package with
    ``apps.py`` is imported here, as Django's start-up would import it: inside a ``try``, so
    that a plugin raising on import is logged, remembered for the system check and left out,
    and the hub starts without it.
    """
    apps: set[str] = set()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        module = ep.value.split(":")[0].strip()
        try:
            if not _has_apps_module(module):
                continue
            importlib.import_module(f"{module}.apps")
        except Exception as exc:  # a plugin that raises on import must not stop the hub
            _record_app_failure(ep, exc)
            continue
        apps.add(module)
    return sorted(apps)


def _has_apps_module(module: str) -> bool:
    """Whether ``module`` is a package with an ``apps`` submodule, without running ``module``.

    ``find_spec`` imports the parents of a dotted name (never the module itself); a module
    that cannot be found is left to the registry, which reports it when loading.
    """
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    return importlib.machinery.PathFinder.find_spec(f"{module}.apps", list(spec.submodule_search_locations)) is not None


def _record_app_failure(ep: object, exc: BaseException) -> None:
    logger.error("channel plugin %s failed to import: %s: %s", getattr(ep, "value", ep), type(exc).__name__, exc)
    failure = _failure(ep, f"{type(exc).__name__}: {exc}", imported=False)
    _app_failures[failure.name] = failure


@dataclass(frozen=True)
class _Loaded:
    channels: dict[str, type[Channel]]
    failures: tuple[PluginFailure, ...]


@lru_cache(maxsize=1)
def _loaded() -> _Loaded:
    found: dict[str, type[Channel]] = {}
    failures: list[PluginFailure] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in _app_failures:
            continue  # its Django app was left out at start-up: never half-load it
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must not take the hub down
            logger.exception("channel plugin %s failed to load", ep.value)
            failures.append(_failure(ep, f"{type(exc).__name__}: {exc}", imported=False))
            continue
        problem = _contract_problem(ep.name, cls)
        if problem:
            logger.error("channel plugin %s %s", ep.value, problem)
            failures.append(_failure(ep, problem, imported=True))
            continue
        found[ep.name] = cls
    return _Loaded(found, tuple(failures))


def _contract_problem(name: str, cls: object) -> str:
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        return "is not a Channel subclass"
    if cls.name != name:
        return f"declares name {cls.name!r}, registered as {name!r}"
    return ""


def _load() -> dict[str, type[Channel]]:
    return _loaded().channels


def load_failures() -> list[PluginFailure]:
    """Every channel plugin left out, at start-up or when loading, one per entry-point name."""
    failures = {f.name: f for f in _loaded().failures}
    failures.update(_app_failures)
    return [failures[name] for name in sorted(failures)]


def all_channels() -> dict[str, Channel]:
    return {name: cls() for name, cls in sorted(_load().items())}


def get_channel(name: str, instance: str = "") -> Channel:
    """A fresh object of channel ``name`` working for its instance ``instance`` ("" = the default).

    The instance decides what :meth:`Channel.config` returns (which number, which page); the
    key is not checked here (see ``selectors.channel_instances.instance_get``).
    """
    try:
        channel = _load()[name]()
    except KeyError:
        raise UnknownChannel(f"unknown channel {name!r}; installed: {', '.join(sorted(_load()))}") from None
    channel.instance = instance
    return channel


def channel_capabilities(name: str) -> Capabilities:
    """What channel ``name`` declares; a channel no longer installed can do nothing."""
    try:
        return get_channel(name).capabilities
    except UnknownChannel:
        return Capabilities(inbound=False, outbound=False)


def channel_choices() -> list[tuple[str, str]]:
    return [(name, cls.label or name) for name, cls in sorted(_load().items())]


def reset_cache() -> None:
    """Forget loaded plugins (tests that install a fake entry point)."""
    _loaded.cache_clear()
