"""The Instagram channel: Direct messages, comments on the account's media, @mentions and story mentions.

Inbound: ``object: instagram`` webhooks (``messages`` incl. echoes, ``messaging_postbacks``,
``messaging_seen``, ``comments``, ``mentions``) on ``/channels/instagram/webhook``, with the
same handshake and signature as Facebook. Instagram media is never stored: a story mention or
a shared photo is kept as its (privacy-aware, expiring) CDN link only, as Meta's policy asks.
A mention's text is read from the Graph API (``mentioned_comment``), since the webhook holds
only ids. Answers go privately (:mod:`aduan_social.meta.channel`); a mention on someone else's
post can only get the public acknowledgement (number only) until the person writes to us.

Site settings (``channels.instagram``): ``ig_user_id``, ``access_token``, ``app_secret``,
``verify_token`` (required); ``page_id`` (Instagram via Facebook Login: send as the linked
Page), ``human_agent``, ``graph_base_url`` (``https://graph.instagram.com`` with Instagram
Login), ``graph_version``, ``timeout`` (optional).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aduan_publik.channels.base import Capabilities, ChannelError, PayloadError

from .meta.channel import MetaChannel


class InstagramChannel(MetaChannel):
    """Instagram professional account: DMs in and out, comments and mentions answered privately."""

    name = "instagram"
    label = "Instagram"
    capabilities = Capabilities(inbound=True, outbound=True, media=False, delivery_status=True)
    required_settings = ("ig_user_id", "access_token", "app_secret", "verify_token")
    object_type = "instagram"
    account_setting = "ig_user_id"
    token_setting = "access_token"  # noqa: S105 (the name of a setting)
    store_media = False
    max_text = 1000

    def messages_node(self) -> str:
        """Instagram Login sends as the account; Facebook Login as the linked Page."""
        cfg = self.config()
        return str(cfg.get("page_id") or cfg.get("ig_user_id") or "me")

    def public_reply_call(self, target: Any, text: str) -> tuple[str, dict[str, Any]]:
        """A reply under the comment; for a mention, a comment on the media that mentioned us."""
        if target.kind == "mention":
            account = str(self.config().get("ig_user_id") or "me")
            payload = {"media_id": str(target.raw.get("media_id") or ""), "message": text}
            if target.raw.get("comment_id"):
                payload["comment_id"] = str(target.raw["comment_id"])
            return f"{account}/mentions", payload
        return f"{target.item_id}/replies", {"message": text}

    def mention_lookup(self, comment_id: str, media_id: str) -> Mapping[str, Any]:
        """The mentioning comment (or caption) as the Graph API gives it; PayloadError when unreadable."""
        account = str(self.config().get("ig_user_id") or "me")
        if comment_id:
            fields = f"mentioned_comment.comment_id({comment_id}){{text,username,timestamp}}"
            key = "mentioned_comment"
        else:
            fields = f"mentioned_media.media_id({media_id}){{caption,username,timestamp}}"
            key = "mentioned_media"
        try:
            data = self.client().get(account, {"fields": fields})
        except ChannelError as exc:
            raise PayloadError(f"sebutan tidak dapat dibaca dari Graph API: {exc}") from exc
        found = data.get(key)
        return found if isinstance(found, dict) else {}
