"""The API's scheduled job (``cron.py``): idempotency answers are kept one day."""

from __future__ import annotations

from .intake import idempotency_purge


def purge_idempotency_records() -> int:
    return idempotency_purge()
