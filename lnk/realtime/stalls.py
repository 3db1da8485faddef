"""Cutting off clients that stopped reading.

A WebSocket client that stops reading fills its kernel buffers (megabytes), then the Engine.IO
writer blocks in ``send`` with no timeout and every later event piles up in the socket's queue:
the connection, its file descriptor, greenlet and buffers stay taken long after the session
ended. Once a second the guard looks at every socket's unsent queue; a socket with more than
``max_backlog`` unsent packets, or whose queue has not been empty for ``max_seconds``, is
disconnected and its TCP connection shut down, which also frees a writer blocked in ``send``.
A session that Engine.IO itself ended (no pong) has its connection shut down if it is still
open ``max_seconds`` later.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from typing import Any

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0


def _tcp_socket(environ: dict | None) -> Any:
    """The client's TCP socket behind a gevent-websocket connection, if any."""
    ws = (environ or {}).get("wsgi.websocket")
    handler = getattr(ws, "handler", None)
    return getattr(handler, "socket", None)


def _shutdown(sock: Any) -> bool:
    try:
        if sock.fileno() == -1:
            return False
        sock.shutdown(socket.SHUT_RDWR)
        return True
    except OSError:
        return False


class StallGuard:
    def __init__(self, socketio: Any, max_backlog: int = 1000, max_seconds: float = 30.0) -> None:
        self.socketio = socketio
        self.max_backlog = max_backlog
        self.max_seconds = max_seconds
        self.cut_off = 0
        self._busy_since: dict[str, float] = {}  # eio sid -> since when its queue is non-empty
        self._tcp: dict[str, Any] = {}  # eio sid -> TCP socket (WebSocket connections)
        self._ended: dict[str, tuple[float, Any]] = {}  # sessions gone, connection maybe not
        self._last = 0.0

    def check(self, now: float) -> None:
        if now - self._last < CHECK_SECONDS:
            return
        self._last = now
        server = getattr(self.socketio, "server", None)
        eio = getattr(server, "eio", None)
        if eio is None:
            return
        sockets = dict(eio.sockets)
        for eio_sid, sock in sockets.items():
            if eio_sid not in self._tcp:
                tcp = _tcp_socket(server.environ.get(eio_sid))
                if tcp is None and not sock.upgraded:
                    continue  # still long-polling: nothing can block
                self._tcp[eio_sid] = tcp
            size = sock.queue.qsize()
            if size == 0:
                self._busy_since.pop(eio_sid, None)
                continue
            since = self._busy_since.setdefault(eio_sid, now)
            if size > self.max_backlog or now - since >= self.max_seconds:
                self._cut(eio_sid, sock, size, now - since)
        for eio_sid in [s for s in self._tcp if s not in sockets]:
            self._busy_since.pop(eio_sid, None)
            self._ended[eio_sid] = (now, self._tcp.pop(eio_sid))
        for eio_sid, (ended, tcp) in list(self._ended.items()):
            if now - ended >= self.max_seconds:
                del self._ended[eio_sid]
                if tcp is not None and _shutdown(tcp):
                    log.warning("closed the connection of an ended session that was still open")
            elif tcp is None or tcp.fileno() == -1:
                del self._ended[eio_sid]

    def _cut(self, eio_sid: str, sock: Any, size: int, busy: float) -> None:
        self.cut_off += 1
        self._busy_since.pop(eio_sid, None)
        tcp = self._tcp.pop(eio_sid, None)
        log.warning(
            "cutting off a socket that stopped reading (%d unsent packets, busy for %.0f s)",
            size,
            busy,
        )
        with contextlib.suppress(Exception):
            sock.close(wait=False, abort=True)
        if tcp is not None:
            _shutdown(tcp)
