"""A client that was away catches up with ``afterSeq``: no gap, no duplicate."""

from __future__ import annotations

from tests.support.sockets import SocketClient


def test_reconnecting_client_catches_up_in_order_without_gap_or_duplicate(api, live_server):
    alice, bob = api.users(2, "catch")
    cid = api.direct(alice, bob)["id"]
    b = SocketClient(live_server.url, bob.access_token).connect()
    seen: dict[int, dict] = {}
    api.send(alice, cid, "before 1")
    api.send(alice, cid, "before 2")
    b.wait_for("newMessage", count=2)
    for event in b.received("newMessage"):
        seen[event["message"]["seq"]] = event["message"]
    b.close()

    missed = [api.send(alice, cid, f"while away {i}") for i in range(7)]

    b = SocketClient(live_server.url, bob.access_token).connect()
    try:
        api.send(alice, cid, "after reconnect")  # may arrive live before the catch-up finishes
        live = b.wait_for("newMessage")["message"]
        last = max(seen)
        caught_up = api.messages_after(bob, cid, last, limit=3)  # pages of 3 follow the cursor
        for message in [*caught_up, live]:
            assert message["seq"] not in seen or seen[message["seq"]]["id"] == message["id"]
            seen[message["seq"]] = message
        seqs = sorted(seen)
        assert seqs == list(range(1, len(seqs) + 1)), "a gap in seq"
        assert [m["id"] for m in caught_up[: len(missed)]] == [m["id"] for m in missed]
        assert [m["seq"] for m in caught_up] == sorted({m["seq"] for m in caught_up})
        assert seen[max(seqs)]["content"] == "after reconnect"
    finally:
        b.close()
