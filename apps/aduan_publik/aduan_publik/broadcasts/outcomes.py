"""What a provider error means for one recipient: retry when, give up, or wait for the status.

=========  ==========================================  ====================================
code       meaning                                     what happens
=========  ==========================================  ====================================
130429     the number's throughput is exceeded         back off (Retry-After or 2 s), retry
131056     too many messages to this resident          retry in 60 s
131049     WhatsApp's marketing limit for the user     retry not before 24 h, then give up
131050     the resident stopped marketing messages     never retried; subscription marked
timeout    no answer: the message may have gone        wait for its status webhook
5xx, net   provider or network trouble                 retry with growing backoff
others     permanent (131026 undeliverable, 131047…)   failed, with the reason
=========  ==========================================  ====================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..channels.base import ChannelError, TemporaryChannelError
from .config import BroadcastConfig

MAX_TEMPORARY_ATTEMPTS = 10
THROUGHPUT, PAIR, MARKETING_LIMIT, STOPPED_MARKETING, TIMEOUT = "130429", "131056", "131049", "131050", "timeout"
CODE_RE = re.compile(r"^\s*(\d{1,6})\s*:")


@dataclass(frozen=True)
class Outcome:
    state: str  # queued (retry at not_before), failed, or sending (await the status)
    not_before: datetime | None = None
    stop_marketing: bool = False


def code_of(exc: ChannelError) -> str:
    return str(getattr(exc, "code", "") or "")


def code_in(text: str) -> str:
    """The error code at the start of a provider reason such as ``131049: …``."""
    match = CODE_RE.match(text or "")
    return match.group(1) if match else ""


def outcome(code: str, *, temporary: bool, attempts: int, now: datetime, cfg: BroadcastConfig,
            retry_after: float | None = None) -> Outcome:
    """Decide for one failed attempt (``attempts`` counts this one)."""
    if code == TIMEOUT:
        return Outcome("sending")
    if code == STOPPED_MARKETING:
        return Outcome("failed", stop_marketing=True)
    if code == MARKETING_LIMIT:
        if attempts < cfg.marketing_attempts:
            return Outcome("queued", now + timedelta(hours=cfg.marketing_retry_hours))
        return Outcome("failed")
    if code == THROUGHPUT:
        return Outcome("queued", now + timedelta(seconds=retry_after or 2.0))
    if code == PAIR:
        return Outcome("queued", now + timedelta(seconds=max(retry_after or 0, 60.0)))
    if temporary and attempts < MAX_TEMPORARY_ATTEMPTS:
        return Outcome("queued", now + timedelta(seconds=min(5 * 2 ** (attempts - 1), 900)))
    return Outcome("failed")


def outcome_for(exc: ChannelError, *, attempts: int, now: datetime, cfg: BroadcastConfig) -> Outcome:
    temporary = isinstance(exc, TemporaryChannelError)
    retry_after = exc.retry_after if isinstance(exc, TemporaryChannelError) else None
    return outcome(code_of(exc), temporary=temporary, attempts=attempts, now=now, cfg=cfg, retry_after=retry_after)
