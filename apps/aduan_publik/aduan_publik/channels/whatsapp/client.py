"""A small Graph API client for the outbound side (send, media upload and download), on ``requests``.

Why not ``pywa``: its client fixes the base URL to graph.facebook.com (set on its session in
``GraphAPI.__init__``), so tests could not point it at the local fake over real HTTP without
patching its internals, and it brings httpx plus its own webhook framework we do not use. Four
endpoints and one error table are little code; the error table is what matters:

* never retried: 131026 (undeliverable), 131050 (user stopped marketing), 131047 (outside the
  24-hour window — the adapter answers it with the template instead), any other 4xx;
* backed off and retried: 130429 (throughput), 131056 (pair rate limit), 80007 (account rate
  limit), 4 (app rate limit), HTTP 429 and 5xx, and connection failures before the request
  reached Meta.

A *read* timeout is not retried: the message may have been delivered, and sending again would
give the resident a duplicate. It fails visibly for a person to check instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from ..base import PermanentChannelError, TemporaryChannelError

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
RETRY_CODES = frozenset({130429, 131056, 80007, 4, 1, 2, 131000})
OUTSIDE_WINDOW = 131047
MEDIA_GONE_CODES = frozenset({100, 131052})
DEFAULT_RETRY_AFTER = {131056: 6.0, 130429: 1.0}


class OutsideWindow(PermanentChannelError):
    """Meta refused free text: the 24-hour customer-service window is closed (131047)."""


@dataclass(frozen=True)
class GraphConfig:
    phone_number_id: str
    access_token: str
    base_url: str = DEFAULT_BASE_URL
    version: str = DEFAULT_VERSION
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, cfg: dict[str, Any]) -> GraphConfig:
        return cls(
            phone_number_id=str(cfg.get("phone_number_id", "")),
            access_token=str(cfg.get("access_token", "")),
            base_url=str(cfg.get("graph_base_url") or DEFAULT_BASE_URL).rstrip("/"),
            version=str(cfg.get("graph_version") or DEFAULT_VERSION).strip("/"),
            timeout=float(cfg.get("timeout", 10.0)),
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"


class GraphClient:
    """Sends messages and downloads media; raises Temporary/PermanentChannelError."""

    def __init__(self, config: GraphConfig, session: requests.Session | None = None):
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.access_token}"

    def send(self, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; returns the provider's message id (wamid)."""
        url = self.config.url(f"{self.config.phone_number_id}/messages")
        data = self._call("POST", url, json={"messaging_product": "whatsapp", **payload})
        try:
            return str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise PermanentChannelError(f"jawaban Graph API tanpa id pesan: {str(data)[:200]}") from None

    def templates(self, waba_id: str) -> list[dict[str, Any]]:
        """GET /{waba-id}/message_templates, every page (``paging.next``)."""
        url: str | None = self.config.url(f"{waba_id}/message_templates") + "?limit=100"
        found: list[dict[str, Any]] = []
        while url:
            data = self._call("GET", url)
            found.extend(t for t in data.get("data") or [] if isinstance(t, dict))
            url = (data.get("paging") or {}).get("next") if isinstance(data.get("paging"), dict) else None
        return found

    def upload_media(self, content: bytes, filename: str, content_type: str) -> str:
        """POST /{phone-number-id}/media (multipart); returns the media id to send by.

        An upload sends nothing to the resident, so uploading again on a retry is harmless.
        """
        url = self.config.url(f"{self.config.phone_number_id}/media")
        data = self._call("POST", url, data={"messaging_product": "whatsapp", "type": content_type},
                          files={"file": (filename, content, content_type)})
        media_id = str(data.get("id") or "")
        if not media_id:
            raise PermanentChannelError(f"jawaban unggah media tanpa id: {str(data)[:200]}")
        return media_id

    def phone_info(self) -> dict[str, Any]:
        """GET /{phone-number-id}: the number's display number, verified name and quality (read-only)."""
        url = self.config.url(self.config.phone_number_id)
        return self._call("GET", url, params={"fields": "display_phone_number,verified_name,quality_rating"})

    def media_info(self, media_id: str) -> dict[str, Any]:
        """GET /{media-id}: a download URL valid for 5 minutes, mime_type and file_size."""
        return self._call("GET", self.config.url(media_id))

    def download(self, url: str) -> bytes:
        response = self._request("GET", url, stream=False)
        if response.status_code >= 400:
            _raise_for(response)
        return response.content

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
                "Graph API tidak menjawab tepat waktu; pesan mungkin sudah terkirim — periksa sebelum mengirim ulang",
                code="timeout",
            ) from exc


def _raise_for(response: requests.Response) -> None:
    """Turn a Graph API error answer into the channel error the core understands."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = _int(error.get("code"))
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
    reason = f"{code or response.status_code}: {error.get('message') or response.reason}"
    reason = f"{reason} ({details})" if details else reason
    if code == OUTSIDE_WINDOW:
        raise OutsideWindow(reason, code=str(code))
    if code in RETRY_CODES or response.status_code == 429 or response.status_code >= 500:
        retry_after = _retry_after(response) or DEFAULT_RETRY_AFTER.get(code or 0)
        raise TemporaryChannelError(reason, retry_after=retry_after, code=str(code or response.status_code))
    raise PermanentChannelError(reason, code=str(code or response.status_code))


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
