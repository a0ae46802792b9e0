"""System check: channel plugins the hub is running without (``aduan --site NAME check``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .registry import ENTRY_POINT_GROUP, load_failures


@register()
def channel_plugins_loaded(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """An error per channel plugin left out: raised on import (E001) or breaks the contract (E002).

    The web server runs without the plugin either way (gunicorn runs no checks); ``check``
    exits non-zero so a deployment notices, and the worker and scheduler start with
    ``--skip-checks`` so that one broken package does not stop the other channels' jobs.
    """
    problems: list[CheckMessage] = []
    for failure in load_failures():
        if failure.imported:
            problems.append(Error(
                f"channel plugin {failure.name!r} ({failure.target}) is not a usable channel: {failure.error}",
                hint=f"fix the entry point in [project.entry-points.\"{ENTRY_POINT_GROUP}\"] or uninstall it",
                id="aduan_publik.E002",
            ))
        else:
            problems.append(Error(
                f"channel plugin {failure.name!r} ({failure.target}) failed to import and is not loaded: "
                f"{failure.error}",
                hint="the hub runs without this channel; fix or uninstall the package, then restart",
                id="aduan_publik.E001",
            ))
    return problems
