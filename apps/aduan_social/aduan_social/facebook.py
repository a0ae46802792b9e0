"""The Facebook Page channel: Messenger conversations and the Page's comments and visitor posts.

Inbound: Meta posts ``object: page`` webhooks (fields ``messages``, ``messaging_postbacks``,
``message_deliveries``, ``message_reads``, ``message_echoes``, ``feed``) to the generic
endpoint ``/channels/facebook/webhook``; GET is the ``hub.challenge`` handshake with the
site's verify token, every POST carries ``X-Hub-Signature-256`` (HMAC of the raw body with the
app secret). Echoes and the Page's own comments are skipped (no loops); delivery and read
watermarks move our messages' ticks; comment edits and removals are applied to the stored
comment. Answers go privately (:mod:`aduan_social.meta.channel`).

Site settings (``channels.facebook``): ``page_id``, ``page_access_token``, ``app_secret``,
``verify_token`` (required); ``human_agent`` (the app has the Human Agent permission),
``graph_base_url``, ``graph_version``, ``timeout`` (optional).
"""

from __future__ import annotations

from typing import Any

from aduan_publik.channels.base import Capabilities

from .meta.channel import MetaChannel


class FacebookChannel(MetaChannel):
    """Facebook Page: Messenger in and out, Page comments and visitor posts answered privately."""

    name = "facebook"
    label = "Facebook"
    capabilities = Capabilities(inbound=True, outbound=True, media=False, delivery_status=True)
    required_settings = ("page_id", "page_access_token", "app_secret", "verify_token")
    object_type = "page"
    account_setting = "page_id"
    token_setting = "page_access_token"  # noqa: S105 (the name of a setting)
    store_media = True
    max_text = 2000

    def private_recipient(self, target: Any) -> dict[str, str]:
        """A comment by its id; a visitor post by its post id (Meta's two Private Reply forms)."""
        if target.kind == "post":
            return {"post_id": target.item_id}
        return {"comment_id": target.item_id}

    def public_reply_call(self, target: Any, text: str) -> tuple[str, dict[str, Any]]:
        """A reply under the comment (or a comment on the visitor post)."""
        return f"{target.item_id}/comments", {"message": text}
