"""Several server processes sharing one SQLite file and one private Redis: events, presence and
crashes agree everywhere."""

from __future__ import annotations

import time

import pytest

from tests.support.api import Api
from tests.support.live_server import LiveServer
from tests.support.net import wait_until
from tests.support.sockets import SocketClient

pytestmark = pytest.mark.slow

TTL = 2.0  # LNK_PRESENCE_TTL: a dead process's users go offline within about TTL + TTL/3
ENV = {"LNK_PRESENCE_TTL": str(TTL), "LNK_OFFLINE_GRACE": "0.5"}


@pytest.fixture
def cluster(redis_server, tmp_path):
    shared = {
        "sqlite_path": tmp_path / "shared.sqlite3",
        "upload_dir": tmp_path / "uploads",
        "redis_url": redis_server.url,
        "env": ENV,
    }
    a = LiveServer(tmp_path / "a", name="a", **shared).start()
    try:
        b = LiveServer(tmp_path / "b", name="b", **shared).start()
    except Exception:
        a.stop()
        raise
    yield a, b
    b.stop()
    a.stop()


def test_processes_share_events_presence_and_notice_a_crash(cluster):
    a, b = cluster
    api = Api(a.url)
    alice, bob, carol = api.users(3, "multi")
    cid = api.group(alice, [bob, carol], "Across processes")["id"]
    clients: list[SocketClient] = []

    def connect(user, server):
        client = SocketClient(server.url, user.access_token).connect()
        clients.append(client)
        return client

    try:
        alice_on_a = connect(alice, a)
        bob_on_b = connect(bob, b)
        bob_on_a = connect(bob, a)
        assert alice_on_a.wait_for("userOnline") == {"userId": bob.id}  # raised on b

        # a message sent through A's REST API reaches B's socket, once per socket
        sent = api.send(alice, cid, "from A")
        for client in (bob_on_b, bob_on_a, alice_on_a):
            assert client.wait_for("newMessage")["message"]["id"] == sent["id"]
        time.sleep(0.3)
        assert len(bob_on_b.received("newMessage")) == 1
        assert len(bob_on_a.received("newMessage")) == 1

        # room events and acks cross processes too
        assert alice_on_a.call("joinConversation", {"conversationId": cid})["ok"]
        assert bob_on_b.call("typing", {"conversationId": cid, "typing": True})["ok"]
        assert alice_on_a.wait_for("userTyping")["userId"] == bob.id
        read = bob_on_b.call("markAsRead", {"conversationId": cid})
        assert read["ok"] and read["unreadCount"] == 0
        assert alice_on_a.wait_for("messageRead")["userId"] == bob.id
        assert bob_on_a.wait_for("conversationUpdated")["conversation"]["unreadCount"] == 0

        # presence agrees on both processes
        carol_on_b = connect(carol, b)
        for client in (alice_on_a, carol_on_b):
            online = client.call("getOnlineUsers", {"conversationId": cid})["userIds"]
            assert sorted(online) == sorted([alice.id, bob.id, carol.id])

        # carol's only socket is on B, bob has one on each: B crashes
        carol_on_b.clear()
        crashed = time.monotonic()
        b.kill()
        offline = alice_on_a.wait_for("userOffline", timeout=TTL * 3 + 5)
        assert offline["userId"] == carol.id
        assert time.monotonic() - crashed < 60
        time.sleep(0.5)
        assert [e["userId"] for e in alice_on_a.received("userOffline")] == [carol.id]
        # the process that announced carol offline stored when she was last seen, once
        wait_until(
            lambda: (
                api.json("GET", f"/api/users/{carol.id}", alice)["lastSeenAt"]
                == offline["lastSeenAt"]
            ),
            timeout=5,
            message="carol's last seen stored by A",
        )

        def online_now() -> list[str]:
            return alice_on_a.call("getOnlineUsers", {"conversationId": cid})["userIds"]

        wait_until(
            lambda: sorted(online_now()) == sorted([alice.id, bob.id]),
            timeout=5,
            message="presence without the crashed process",
        )
        # bob's socket on B is gone: the next message reaches bob once, on A
        api.send(alice, cid, "after the crash")
        bob_on_a.wait_for("newMessage", lambda d: d["message"]["content"] == "after the crash")
    finally:
        for client in clients:
            client.close()
        api.close()
