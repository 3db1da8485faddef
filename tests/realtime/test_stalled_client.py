"""A client that stops reading is cut off once its unsent backlog passes the bound: its session
ends (contacts see it go offline) and its TCP connection is closed, freeing the server's writer,
file descriptor and buffers."""

from __future__ import annotations

import json
import socket
import time

import pytest
import websocket

from tests.support.api import Api
from tests.support.live_server import LiveServer
from tests.support.sockets import SocketClient

pytestmark = pytest.mark.slow


def stalled_socket(server: LiveServer, token: str) -> websocket.WebSocket:
    """A raw Engine.IO WebSocket in /messaging with a tiny receive buffer, that will stop
    reading once connected."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)],
        timeout=10,
    )
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send("40/messaging," + json.dumps({"token": token}))
    while "connectionStatus" not in ws.recv():
        pass
    return ws


def test_a_client_that_stops_reading_is_cut_off_and_its_connection_closed(tmp_path):
    env = {"LNK_STALL_BACKLOG": "50", "LNK_STALL_SECONDS": "120", "LNK_OFFLINE_GRACE": "0.5"}
    with LiveServer(tmp_path, env=env) as server:
        api = Api(server.url)
        alice, bob = api.users(2, "stall")
        cid = api.direct(alice, bob)["id"]
        watcher = SocketClient(server.url, alice.access_token).connect()
        stalled = stalled_socket(server, bob.access_token)
        try:
            watcher.wait_for("userOnline", lambda d: d["userId"] == bob.id)
            big = "\u20ac" * 4000  # ~24 KB per event once JSON-escaped
            deadline = time.monotonic() + 60
            sent = 0
            while sent < 3000 and time.monotonic() < deadline:
                api.send(alice, cid, big)
                sent += 1
                if watcher.received("userOffline", lambda d: d["userId"] == bob.id):
                    break
            watcher.wait_for("userOffline", lambda d: d["userId"] == bob.id, timeout=10)
            # the server closed the connection: what was buffered drains, then EOF
            raw = stalled.sock
            raw.settimeout(5)
            received, ended = 0, False
            while received < 200_000_000:
                chunk = raw.recv(1 << 20)
                if not chunk:
                    ended = True
                    break
                received += len(chunk)
            assert ended
        finally:
            watcher.close()
            stalled.sock.close()
            api.close()
