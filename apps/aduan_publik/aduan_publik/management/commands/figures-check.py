"""``aduan --site S figures-check``: ``figures_rebuild --check`` (compare, change nothing, exit 1 on a difference)."""

from typing import Any

from .figures_rebuild import Command as Rebuild


class Command(Rebuild):
    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **{**options, "check": True})
