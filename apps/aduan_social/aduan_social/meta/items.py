"""The item types a parser returns, and the account it parses for (below the parsers)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from aduan_publik.channels.base import InboundMessage, InboundProblem, StatusUpdate

Item: TypeAlias = InboundMessage | StatusUpdate | InboundProblem


@dataclass(frozen=True)
class Account:
    """The site's account on the platform, as the parser needs it."""

    channel: str  # "facebook" or "instagram"
    object_type: str  # the webhook's "object": "page" or "instagram"
    account_id: str  # the Page id / Instagram professional account id
    store_media: bool  # Messenger files are downloaded; Instagram media stays a link (platform policy)
    #: inbox id (PSID/IGSID) → the commenter id a Private Reply linked it to ("" when none)
    linked_person: Callable[[str], str] = lambda inbox_id: ""
    #: (inbox id, watermark time, receipt) → provider ids of our messages the watermark covers
    watermark_ids: Callable[[str, Any, str], list[str]] = lambda inbox_id, at, receipt: []
    #: Instagram mentions carry no text: (comment id, media id) → the comment as the API gives it
    mention_lookup: Callable[[str, str], Mapping[str, Any]] | None = None
