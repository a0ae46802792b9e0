"""Register a channel through a real ``aduan_publik.channels`` entry point, for the length of a test.

The registry only knows channels through ``importlib.metadata``; to test discovery honestly a
test installs a throwaway distribution: a ``<name>.dist-info`` folder with ``METADATA`` and
``entry_points.txt`` on ``sys.path``. Nothing is pip-installed and nothing outlives the block::

    with installed_channels(tmp_path, {"fake": "aduan_publik.testing.fake_channel:FakeChannel"}):
        assert get_channel("fake").name == "fake"
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path

from ..channels import registry


def write_distribution(root: Path, dist_name: str, channels: Mapping[str, str],
                       modules: Mapping[str, str] | None = None) -> Path:
    """Write a distribution's metadata (and optional module sources) under ``root``; returns it."""
    root.mkdir(parents=True, exist_ok=True)
    info = root / f"{dist_name}-0.0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: 0.0.1\n")
    lines = [f"[{registry.ENTRY_POINT_GROUP}]"] + [f"{name} = {target}" for name, target in channels.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module, source in (modules or {}).items():
        (root / f"{module}.py").write_text(source)
    return root


@contextmanager
def installed_channels(root: Path, channels: Mapping[str, str], *, modules: Mapping[str, str] | None = None,
                       dist_name: str = "aduan_test_plugin") -> Iterator[Path]:
    """Put a fake distribution declaring ``channels`` ({name: "module:Class"}) on ``sys.path``.

    ``modules`` ({module_name: source}) are written beside it, so a test can ship a plugin
    module that exists nowhere else. The registry cache is reset on entry and on exit.
    """
    path = write_distribution(root, dist_name, channels, modules)
    sys.path.insert(0, str(path))
    importlib.invalidate_caches()
    registry.reset_cache()
    try:
        yield path
    finally:
        sys.path.remove(str(path))
        for module in modules or {}:
            sys.modules.pop(module, None)
        importlib.invalidate_caches()
        registry.reset_cache()


#: Channels a city may well install (and that old tests used as "unknown"): a test that needs an
#: unknown name must not pick one of these, it asks :func:`unused_channel_name`.
LIKELY_CHANNELS = ("telegram", "sms", "email", "instagram", "facebook", "line", "nope")

LOOKALIKE = '''
"""A plausible third-party channel, installed to prove tests do not assume it is absent."""
from aduan_publik.channels.base import Channel


def _make(channel_name):
    class Lookalike(Channel):
        """Installed by lookalike_channels_installed()."""
        name = channel_name
        label = channel_name.title()
    Lookalike.__name__ = channel_name.title() + "Channel"
    return Lookalike
'''


def unused_channel_name(stem: str = "kanal_tak_terpasang") -> str:
    """A channel name no installed distribution declares: a test's "unknown channel".

    Never hard-code a real-looking name such as ``telegram``: the test then fails on a bench
    where that plugin is installed.
    """
    declared = {ep.name for ep in entry_points(group=registry.ENTRY_POINT_GROUP)}
    name, n = stem, 1
    while name in declared:
        n += 1
        name = f"{stem}_{n}"
    return name


@contextmanager
def lookalike_channels_installed(root: Path, names: tuple[str, ...] = LIKELY_CHANNELS) -> Iterator[Path]:
    """Install a minimal channel under each of ``names`` (default: :data:`LIKELY_CHANNELS`)."""
    module = "aduan_lookalike_channels"
    source = LOOKALIKE + "".join(f"{n.title()}Channel = _make({n!r})\n" for n in names)
    points = {n: f"{module}:{n.title()}Channel" for n in names}
    with installed_channels(root, points, modules={module: source}, dist_name="aduan_lookalikes") as path:
        yield path
