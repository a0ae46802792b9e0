"""A local HTTP server for fakes: 127.0.0.1, a free port, one thread per request, started and stopped
with ``with`` (or :meth:`LocalHTTPServer.start` / :meth:`LocalHTTPServer.stop`).

The shared lifecycle of the fake provider (:mod:`.fake_provider`) and the fakes under ``tests/fakes``
(Graph API, social APIs, an integrator's webhook receiver); each fake brings its own request handler.

Left apart on purpose: ``tests/fakes/lapor_server.py`` binds its handler class to the fake when it
starts (a dataclass fake, restartable) and ``tests/fakes/redis_proxy.py`` is a TCP proxy, not HTTP.
The two Meta Graph clients (``channels/whatsapp/client.py``, ``aduan_social/meta/graph.py``) look alike
but map different error codes (Cloud API 131xxx versus Messenger/Instagram) and settings, so they stay two.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalHTTPServer:
    """Serves ``handler`` on 127.0.0.1 on a free port (``bind(("127.0.0.1", 0))``) until stopped."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
