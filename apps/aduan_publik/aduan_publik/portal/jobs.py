"""The portal's scheduled jobs (registered in ``aduan_publik/cron.py``)."""

from __future__ import annotations


def purge_pending_uploads() -> None:
    """Forget files kept from complaint forms that were never sent (older than a day)."""
    from .services import pending_purge

    pending_purge()
