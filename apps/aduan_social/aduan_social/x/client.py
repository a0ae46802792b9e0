"""A small X API v2 client: mentions of the account, reply posts and DMs, as the city's user token.

Errors become the hub's channel errors: HTTP 429 (rate limit; ``x-rate-limit-reset`` gives the
wait) and 5xx are retried, as are connection failures before the request reached X; 401/403
(token expired or revoked, not allowed on this tier), 402 (credits used up) and other 4xx are
not. A read timeout on a post or DM is not retried (it may have been posted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

from aduan_publik.channels.base import PermanentChannelError, TemporaryChannelError

DEFAULT_BASE_URL = "https://api.x.com"
TWEET_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id"


@dataclass(frozen=True)
class XConfig:
    user_id: str
    access_token: str
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, cfg: dict[str, Any]) -> XConfig:
        return cls(user_id=str(cfg.get("user_id") or ""), access_token=str(cfg.get("access_token") or ""),
                   base_url=str(cfg.get("api_base_url") or DEFAULT_BASE_URL).rstrip("/"),
                   timeout=float(cfg.get("timeout") or 10.0))


class XClient:
    def __init__(self, config: XConfig, session: requests.Session | None = None):
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.access_token}"

    def mentions(self, *, since_id: str = "", max_results: int = 100, pagination_token: str = "") -> dict[str, Any]:
        """GET /2/users/:id/mentions: newest first, ``meta.newest_id`` and ``meta.next_token``."""
        params = {"max_results": str(max(5, min(100, max_results))), "tweet.fields": TWEET_FIELDS,
                  "expansions": "author_id", "user.fields": "username,name"}
        if since_id:
            params["since_id"] = since_id
        if pagination_token:
            params["pagination_token"] = pagination_token
        return self._call("GET", f"/2/users/{self.config.user_id}/mentions", params=params)

    def reply_post(self, *, text: str, in_reply_to: str) -> str:
        """POST /2/tweets as a reply; the new post's id."""
        data = self._call("POST", "/2/tweets", json={"text": text, "reply": {"in_reply_to_tweet_id": in_reply_to}})
        post_id = str((data.get("data") or {}).get("id") or "")
        if not post_id:
            raise PermanentChannelError(f"jawaban X tanpa id post: {str(data)[:200]}")
        return post_id

    def send_dm(self, *, participant_id: str, text: str) -> str:
        """POST /2/dm_conversations/with/:participant_id/messages; the DM event id."""
        data = self._call("POST", f"/2/dm_conversations/with/{participant_id}/messages", json={"text": text})
        event_id = str((data.get("data") or {}).get("dm_event_id") or "")
        if not event_id:
            raise PermanentChannelError(f"jawaban X tanpa dm_event_id: {str(data)[:200]}")
        return event_id

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.config.base_url + path,
                                            timeout=(3.05, self.config.timeout), **kwargs)
        except requests.ConnectionError as exc:
            raise TemporaryChannelError(f"X API tidak terjangkau: {exc}") from exc
        except requests.Timeout as exc:
            raise PermanentChannelError("X API tidak menjawab tepat waktu; periksa sebelum mengirim ulang") from exc
        if response.status_code >= 400:
            _raise_for(response)
        try:
            data = response.json()
        except ValueError:
            raise TemporaryChannelError(f"jawaban X bukan JSON (HTTP {response.status_code})") from None
        return data if isinstance(data, dict) else {}


def _raise_for(response: requests.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = str(body.get("detail") or body.get("title") or response.reason) if isinstance(body, dict) else ""
    reason = f"X {response.status_code}: {detail}"
    if response.status_code == 429:
        reset = response.headers.get("x-rate-limit-reset", "")
        wait = max(1.0, float(reset) - time.time()) if reset.isdigit() else None
        raise TemporaryChannelError(reason, retry_after=wait, code="429")
    if response.status_code >= 500:
        raise TemporaryChannelError(reason, code=str(response.status_code))
    if response.status_code == 401:
        reason += " — token akses kedaluwarsa atau dicabut; sambungkan ulang akun X"
    raise PermanentChannelError(reason, code=str(response.status_code))
