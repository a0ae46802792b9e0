"""Times as Meta sends them: epoch seconds, epoch milliseconds or ISO 8601 with a zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aduan_publik.channels.base import PayloadError

# Anything above this many "seconds" is a time in milliseconds (year 5138 in seconds).
MS_THRESHOLD = 10**11


def when(raw: Any) -> datetime:
    """An aware UTC time, or PayloadError naming the value."""
    if isinstance(raw, int | float) or (isinstance(raw, str) and raw.strip().isdigit()):
        number = float(raw)
        try:
            return datetime.fromtimestamp(number / 1000 if number > MS_THRESHOLD else number, tz=UTC)
        except (OverflowError, ValueError, OSError):
            raise PayloadError(f"waktu tidak sah: {raw!r}") from None
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00").replace("+0000", "+00:00"))
    except ValueError:
        raise PayloadError(f"waktu tidak sah: {raw!r}") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"waktu tanpa zona: {raw!r}")
    return parsed.astimezone(UTC)
