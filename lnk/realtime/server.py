"""Running HTTP and Socket.IO on one port (``python app.py``), without two known latency traps.

1. gevent's WSGIServer writes a response's headers and body in two ``send()`` calls; without
   TCP_NODELAY the body waits for the client's delayed ACK, ~44 ms on every keep-alive response.
   We create the listening socket ourselves with TCP_NODELAY (Linux passes it on to accepted
   sockets; the handler sets it again per connection for other systems).
2. Full (generation-2) garbage collections walk every long-lived object: ~100 ms pauses with a
   thousand connections. ``gc.freeze()`` after start-up and after each burst of connections moves
   those objects out of the collector's sight. Frozen objects that later become cyclic garbage are
   only reclaimed by a compaction, which runs rarely: after heavy connection churn.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import time

from flask import Flask
from flask_socketio import SocketIO

log = logging.getLogger(__name__)


def make_listener(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A bound, listening TCP socket with TCP_NODELAY (and SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def _handler_class() -> type:
    """gevent-websocket's handler (19% less memory per connection than simple-websocket),
    setting TCP_NODELAY on each accepted connection."""
    try:
        from geventwebsocket.handler import WebSocketHandler as Base
    except ImportError:  # pragma: no cover - gevent-websocket is a pinned dependency
        from gevent.pywsgi import WSGIHandler as Base

    class NoDelayHandler(Base):
        def __init__(self, sock, address, server, *args, **kwargs):  # type: ignore[no-untyped-def]
            with contextlib.suppress(OSError):  # not TCP (e.g. a unix socket)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, address, server, *args, **kwargs)

        def log_request(self) -> None:
            # gevent-websocket logs every request at INFO whatever the server's ``log`` says.
            if getattr(self.server, "lnk_access_log", False):
                super().log_request()

    return NoDelayHandler


def serve(app: Flask, socketio: SocketIO, host: str = "127.0.0.1", port: int = 3001) -> None:
    """Serves until interrupted. gevent gets our listener; other modes use ``socketio.run``."""
    if socketio.async_mode != "gevent":
        log.info("serving on %s:%s with async mode %s", host, port, socketio.async_mode)
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)
        return
    from gevent.pywsgi import WSGIServer

    listener = make_listener(host, port)
    access_log = "default" if os.environ.get("LNK_ACCESS_LOG") else None  # off: CPU per request
    server = WSGIServer(
        listener,
        app,
        handler_class=_handler_class(),
        log=access_log,
        error_log=logging.getLogger("lnk.server"),
    )
    server.lnk_access_log = access_log is not None
    socketio.wsgi_server = server
    import gevent

    gevent.signal_handler(signal.SIGTERM, server.stop)
    GcTuner.start(socketio)
    log.info("serving HTTP and Socket.IO on %s:%s (gevent)", host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        hub = app.extensions.get("lnk_realtime")
        if hub is not None:
            hub.close()


class GcTuner:
    """Freezes the heap after start-up and after bursts of connections (see the module doc)."""

    CHECK_SECONDS = 1.0
    BURST = 50  # new connections since the last freeze that make a burst
    _instance: GcTuner | None = None

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio
        self.connections_at_freeze = 0
        self.churn = 0  # connections opened since the last compaction
        self.last_seen = 0

    @classmethod
    def start(cls, socketio: SocketIO) -> None:
        """Idempotent: the runner and the first socket may both ask."""
        if cls._instance is not None or os.environ.get("LNK_GC_FREEZE", "1") == "0":
            return
        cls._instance = tuner = cls(socketio)
        gc.collect()
        gc.freeze()
        socketio.start_background_task(tuner._loop)

    def _connections(self) -> int:
        eio = getattr(self.socketio.server, "eio", None)
        return len(eio.sockets) if eio is not None else 0

    def _loop(self) -> None:
        while True:
            self.socketio.sleep(self.CHECK_SECONDS)
            try:
                self.check(self._connections())
            except Exception:
                log.exception("GC tuning failed")

    def check(self, now_connected: int) -> str | None:
        """Called every second with the number of connections; returns what it did."""
        grew = now_connected - self.last_seen
        self.churn += max(grew, 0)
        self.last_seen = now_connected
        if grew > 5:  # a burst is still arriving: wait until it settles
            return None
        if self.churn > max(2 * now_connected, 5000):
            # Most frozen connection objects are gone: reclaim their cycles once.
            started = time.perf_counter()
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.churn = 0
            self.connections_at_freeze = now_connected
            log.info(
                "GC compaction after connection churn took %.0f ms",
                (time.perf_counter() - started) * 1000,
            )
            return "compacted"
        if now_connected - self.connections_at_freeze >= self.BURST:
            gc.freeze()
            self.connections_at_freeze = now_connected
            return "frozen"
        if now_connected < self.connections_at_freeze:
            self.connections_at_freeze = now_connected
        return None
