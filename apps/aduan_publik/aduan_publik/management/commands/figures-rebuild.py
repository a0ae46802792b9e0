"""``aduan --site S figures-rebuild``: the same command as ``figures_rebuild`` (the CLI's spelling)."""

from .figures_rebuild import Command

__all__ = ["Command"]
