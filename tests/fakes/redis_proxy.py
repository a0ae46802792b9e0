"""A TCP proxy in front of Redis on 127.0.0.1 that a test can stall, to freeze "Redis" for one client.

The shared Redis is never paused: only the connections through this proxy stop answering.
:meth:`RedisProxy.stall_on` arms a trigger: once a client sends bytes containing the pattern,
every connection through the proxy stops forwarding (its commands hang, the client's socket
timeout fires) until :meth:`resume`, which drops the frozen connections and forwards again::

    with RedisProxy(("127.0.0.1", 6379)) as proxy:
        proxy.stall_on(b"rq:queue:")     # freeze just before a job reaches an RQ queue
        ...
        proxy.resume()
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from typing import Any


class RedisProxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.stalled = threading.Event()
        self._pattern: bytes | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._closing = False

    def __enter__(self) -> RedisProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._closing = True
        self._server.close()
        self._drop_all()

    def url(self, db: int, **params: Any) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"redis://127.0.0.1:{self.port}/{db}" + (f"?{query}" if query else "")

    def stall_on(self, pattern: bytes) -> None:
        with self._lock:
            self._pattern = pattern

    def resume(self) -> None:
        with self._lock:
            self._pattern = None
        self._drop_all()  # the frozen connections' clients gave up on them
        self.stalled.clear()

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _addr = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while True:
                readable, _w, _x = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client and self._should_hold(data):
                        continue  # swallowed: Redis never sees it, the client waits for an answer
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in peers:
                with contextlib.suppress(OSError):
                    sock.close()

    def _should_hold(self, data: bytes) -> bool:
        with self._lock:
            pattern = self._pattern
        if pattern is not None and pattern in data:
            self.stalled.set()
        return self.stalled.is_set()
