"""A small Graph API client for Pages and Instagram: inbox messages, Private Replies, public comment
replies, mention look-ups and file downloads, on ``requests``.

Errors become the hub's channel errors:

* retried: rate limits (4, 17, 32, 613, 80001–80006), transient errors (1, 2), HTTP 429/5xx,
  and connection failures before the request reached Meta;
* never retried: 190 (the token expired or was invalidated — a person must reconnect; the
  reason says so), 10 / 2018278 (outside the messaging window), 551 (the person is not
  reachable), 2534014 (a Private Reply was already sent for this comment), any other 4xx.

A *read* timeout is not retried: the message may have arrived, and a second one would be a
duplicate for the resident. It fails visibly for a person to check instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from aduan_publik.channels.base import PermanentChannelError, TemporaryChannelError

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
RETRY_CODES = frozenset({1, 2, 4, 17, 32, 613, 80001, 80002, 80003, 80004, 80005, 80006})
TOKEN_INVALID = 190


@dataclass(frozen=True)
class GraphConfig:
    access_token: str
    base_url: str = DEFAULT_BASE_URL
    version: str = DEFAULT_VERSION
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, cfg: dict[str, Any], token_key: str) -> GraphConfig:
        return cls(access_token=str(cfg.get(token_key) or ""),
                   base_url=str(cfg.get("graph_base_url") or DEFAULT_BASE_URL).rstrip("/"),
                   version=str(cfg.get("graph_version") or DEFAULT_VERSION).strip("/"),
                   timeout=float(cfg.get("timeout") or 10.0))

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"


@dataclass(frozen=True)
class Sent:
    """What the Send API answered: the message id and, for a Private Reply, the inbox id."""

    message_id: str
    recipient_id: str = ""


class GraphClient:
    """Calls as the Page (or Instagram account); raises Temporary/PermanentChannelError."""

    def __init__(self, config: GraphConfig, session: requests.Session | None = None):
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.access_token}"

    def send_message(self, node: str, payload: dict[str, Any]) -> Sent:
        """POST /{node}/messages (Send API, Private Replies included)."""
        data = self._call("POST", self.config.url(f"{node}/messages"), json=payload)
        message_id = str(data.get("message_id") or "")
        if not message_id:
            raise PermanentChannelError(f"jawaban Graph API tanpa message_id: {str(data)[:200]}")
        return Sent(message_id=message_id, recipient_id=str(data.get("recipient_id") or ""))

    def post_reply(self, path: str, payload: dict[str, Any]) -> str:
        """A public reply (``/{comment-id}/comments``, ``/{ig-comment-id}/replies``, ``/{ig-id}/mentions``)."""
        data = self._call("POST", self.config.url(path), json=payload)
        reply_id = str(data.get("id") or "")
        if not reply_id:
            raise PermanentChannelError(f"jawaban Graph API tanpa id balasan: {str(data)[:200]}")
        return reply_id

    def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        return self._call("GET", self.config.url(path), params=params)

    def download(self, url: str) -> tuple[bytes, str]:
        """A file behind a Meta CDN link: fetched without the token (the link is its own credential)."""
        try:
            response = requests.get(url, timeout=(3.05, self.config.timeout))
        except requests.RequestException as exc:
            raise TemporaryChannelError(f"lampiran tidak dapat diunduh: {exc}") from exc
        if response.status_code >= 400:
            _raise_for(response)
        return response.content, response.headers.get("Content-Type", "")

    def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = self._request(method, url, **kwargs)
        if response.status_code >= 400:
            _raise_for(response)
        try:
            data = response.json()
        except ValueError:
            raise TemporaryChannelError(f"jawaban Graph API bukan JSON (HTTP {response.status_code})") from None
        return data if isinstance(data, dict) else {}

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=(3.05, self.config.timeout), **kwargs)
        except requests.ConnectionError as exc:  # includes ConnectTimeout: nothing reached Meta
            raise TemporaryChannelError(f"Graph API tidak terjangkau: {exc}") from exc
        except requests.Timeout as exc:
            raise PermanentChannelError(
                "Graph API tidak menjawab tepat waktu; pesan mungkin sudah terkirim — periksa sebelum mengirim ulang"
            ) from exc


def _raise_for(response: requests.Response) -> None:
    """Turn a Graph API error answer into the channel error the core understands."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    reason = f"{code or response.status_code}: {error.get('message') or response.reason}"
    if code == TOKEN_INVALID:
        raise PermanentChannelError(f"{reason} — token akses kedaluwarsa atau dicabut; sambungkan ulang akun",
                                    code="190")
    if code in RETRY_CODES or response.status_code == 429 or response.status_code >= 500:
        raise TemporaryChannelError(reason, retry_after=_retry_after(response), code=str(code or response.status_code))
    raise PermanentChannelError(reason, code=str(subcode or code or response.status_code))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
