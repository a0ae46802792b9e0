"""HTTP client of SP4N-LAPOR!: one request, its errors sorted into retry-worthy and final.

* 401/403 and other 4xx (but 429): :class:`PermanentChannelError` — retrying cannot help.
* 429, 5xx, timeouts, connection errors and unreadable JSON: :class:`TemporaryChannelError`
  (``retry_after`` from the ``Retry-After`` header when the server gave one).

:meth:`LaporClient.call` retries temporary errors itself (a sync should ride out one 502);
the push calls with ``tries=1`` and leaves retries to the outbox's backoff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import requests

from ..base import PermanentChannelError, TemporaryChannelError
from .api import ApiConfig

logger = logging.getLogger(__name__)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _raise_for(response: requests.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    detail = response.text[:200].strip()
    if status == 429:
        raise TemporaryChannelError(f"LAPOR! membatasi permintaan (429) {detail}",
                                    retry_after=_retry_after(response), code="429")
    if status >= 500:
        raise TemporaryChannelError(f"LAPOR! sedang bermasalah ({status}) {detail}", code=str(status))
    if status in (401, 403):
        raise PermanentChannelError(
            f"LAPOR! menolak kredensial ({status}): periksa authorization, token dan nama headernya "
            "(header_names) di konfigurasi situs",
            code=str(status))
    raise PermanentChannelError(f"LAPOR! menolak permintaan ({status}) {detail}", code=str(status))


class LaporClient:
    """A requests session bound to one site's :class:`ApiConfig`."""

    def __init__(self, cfg: ApiConfig, session: requests.Session | None = None):
        if not cfg.base_url:
            raise PermanentChannelError("SP4N-LAPOR! belum dikonfigurasi (base_url kosong)")
        self.cfg = cfg
        self.session = session or requests.Session()
        self.session.headers.update(cfg.headers())
        self.requests_made = 0

    def _once(self, method: str, url: str, want_json: bool, **kwargs: Any) -> Any:
        self.requests_made += 1
        try:
            response = self.session.request(method, url, timeout=float(self.cfg.opt("timeout")), **kwargs)
        except requests.Timeout as exc:
            raise TemporaryChannelError(f"LAPOR! tidak menjawab dalam batas waktu: {url}", code="timeout") from exc
        except requests.ConnectionError as exc:
            raise TemporaryChannelError(f"LAPOR! tidak dapat dihubungi: {exc}", code="connection") from exc
        _raise_for(response)
        if not want_json:
            return response
        try:
            return response.json()
        except ValueError as exc:  # a cut-off answer (proxy, overload): worth another try
            raise TemporaryChannelError(f"LAPOR! mengirim JSON yang rusak dari {url}", code="json") from exc

    def call(self, method: str, url: str, *, tries: int | None = None, want_json: bool = False,
             **kwargs: Any) -> Any:
        """One request, retried on temporary errors with backoff (Retry-After wins on 429).

        Returns the response, or its decoded JSON with ``want_json``.
        """
        tries = tries or int(self.cfg.opt("max_tries"))
        delay = float(self.cfg.opt("backoff"))
        for attempt in range(1, tries + 1):
            try:
                return self._once(method, url, want_json, **kwargs)
            except TemporaryChannelError as exc:
                if attempt == tries:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else delay * 2 ** (attempt - 1)
                wait = min(wait, float(self.cfg.opt("max_wait")))
                logger.info("LAPOR! %s %s: %s; retry in %.1fs", method, url, exc, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def json(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.call(method, url, want_json=True, **kwargs)

    # ---- the calls the adapter makes ------------------------------------------------------

    def list_page(self, page: int, updated_since: str = "") -> Any:
        p = self.cfg.list_params
        params: dict[str, Any] = {p["page"]: page}
        if p.get("per_page"):
            params[p["per_page"]] = int(self.cfg.opt("per_page"))
        if updated_since and p.get("updated_since"):
            params[p["updated_since"]] = updated_since
        return self.json("GET", self.cfg.url("list"), params=params)

    def detail(self, lapor_id: str) -> Any:
        """One report: ``results.data`` (status, disposition) and ``results.data_logs``."""
        return self.json("GET", self.cfg.url("detail", id=lapor_id))

    def master(self, name: str, page: int = 1, page_size: int | None = None, tries: int | None = None) -> Any:
        """A page of a master list (``institutions``, ``templates``), ``page_size`` items at a time."""
        size = page_size or int(self.cfg.opt("master_page_size"))
        p = self.cfg.list_params
        return self.json("GET", self.cfg.url(name), params={p["master_page_size"]: size, p["page"]: page},
                         tries=tries)

    def download(self, url: str) -> bytes:
        if url.startswith("/"):
            url = self.cfg.base_url.rstrip("/") + url
        return self.call("GET", url).content

    def followups(self, lapor_id: str, tries: int | None = 1, page: int = 1) -> Any:
        """A page of the report's conversation (``?page=N``). Once by default (the push's check);
        the pull passes ``tries=None`` to ride out a passing error like its other calls."""
        params = {self.cfg.list_params["page"]: page}
        return self.json("GET", self.cfg.url("followups", id=lapor_id), tries=tries, params=params)

    def followup_add(self, lapor_id: str, content: str, is_secret: bool,
                     files: Sequence[tuple[str, bytes, str]] = (), template_code: str = "") -> Any:
        """Post a follow-up (multipart, with files). Never retried here: the outbox decides."""
        form, opt = self.cfg.forms["followup"], self.cfg.opt
        ours = str(opt("institution_id"))
        values = {"user_id": str(opt("user_id")), "institution_from_id": ours,
                  "institution_to_id": str(opt("institution_to_id") or ours), "complaint_id": lapor_id,
                  "info_disposition": "", "template_code": template_code, "rating": str(opt("rating")),
                  "is_secret": "1" if is_secret else "0", "content": content}
        data = {form[key]: value for key, value in values.items() if form.get(key)}
        upload = [(form["attachments"].replace("{i}", str(i)), (name, blob, ctype))
                  for i, (name, blob, ctype) in enumerate(files)]
        return self._post("followup", self.cfg.url("followup_add"), data, upload)

    def reject(self, lapor_id: str, reason: str, target: str) -> Any:
        """*Bukan wewenang*: hand the report to ``target`` (a LAPOR! institution id)."""
        form = self.cfg.forms["reject"]
        values: dict[str, Any] = {"is_request": 1, "target": _number(target), "reason": reason, "not_authority": 1}
        data = {form[key]: value for key, value in values.items() if form.get(key)}
        return self._post("reject", self.cfg.url("reject", id=lapor_id), data)

    def status(self, lapor_id: str, status: str, note: str) -> Any:
        form = self.cfg.forms["status"]
        data = {form["status"]: status, form["note"]: note}
        return self._post("status", self.cfg.url("status", id=lapor_id), data)

    def _post(self, call: str, url: str, data: dict[str, Any], upload: Sequence[tuple[str, Any]] = ()) -> Any:
        """POST once, as JSON or as multipart/form-data (even without files) per ``encodings``."""
        if self.cfg.encodings.get(call) == "json" and not upload:
            return self.json("POST", url, tries=1, json=data)
        parts = [(key, (None, str(value))) for key, value in data.items()] + list(upload)
        return self.json("POST", url, tries=1, files=parts)


def _number(value: str) -> Any:
    """Institution ids are numbers in the master list: sent as one when they look like one."""
    return int(value) if value.isdigit() else value
