"""Two server processes sharing one SQLite file and a private Redis that the tests kill, restart
empty and freeze while messages are sent and sockets listen: every acknowledged message reaches
every socket (live, or by the ``resync`` catch-up), no send fails or waits on Redis, and presence
is whole again within a heartbeat. Rate limits are on, as in production."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.support.chaos import Sender, Watcher, wait_for_all
from tests.support.cluster import start_pair
from tests.support.net import wait_until
from tests.support.redis_server import RedisServer
from tests.support.sockets import SocketClient

pytestmark = pytest.mark.slow

TTL = 3.0  # LNK_PRESENCE_TTL: heartbeat every second
ENV = {"LNK_PRESENCE_TTL": str(TTL), "LNK_OFFLINE_GRACE": "0.5"}
REDIS_TIMEOUT = 1.0  # what a send would wait for one Redis command at most


@pytest.fixture
def redis():
    if not RedisServer.available():
        pytest.fail("redis-server is not installed (scripts/test installs it)")
    server = RedisServer().start()
    yield server
    server.stop()


def start_cluster(redis: RedisServer, tmp_path, env: dict | None = None):
    return start_pair(redis, tmp_path, {**ENV, **(env or {})})


@pytest.fixture
def cluster(redis, tmp_path):
    a, b = start_cluster(redis, tmp_path)
    yield a, b
    b.stop()
    a.stop()


@pytest.fixture
def people(cluster):
    a, b = cluster
    api = Api(a.url)
    alice, bob, carol, dave = api.users(4, "fault")
    cid = api.group(alice, [bob, carol, dave], "Faults")["id"]
    yield api, cid, (alice, bob, carol, dave)
    api.close()


def watchers_for(api, cid, a, b, bob, carol) -> list[Watcher]:
    return [
        Watcher(api, bob, a.url, cid),
        Watcher(api, bob, b.url, cid),
        Watcher(api, carol, b.url, cid),
    ]


def report(watchers: list[Watcher], acked: dict[str, int]) -> str:
    return "; ".join(f"{w.name}: {w.tally(acked)}" for w in watchers)


def online(client: SocketClient, cid: str) -> set[str]:
    return set(client.call("getOnlineUsers", {"conversationId": cid})["userIds"])


def test_events_raised_while_redis_is_down_reach_every_socket_after_an_empty_restart(
    cluster, people, redis
):
    a, b = cluster
    api, cid, (alice, bob, carol, dave) = people
    watchers = watchers_for(api, cid, a, b, bob, carol)
    alice_on_a = SocketClient(a.url, alice.access_token).connect()
    dave_on_b = SocketClient(b.url, dave.access_token).connect()
    try:
        before = Sender([a.url, b.url], alice, cid, 6, label="before").run()
        assert wait_for_all(watchers, before.acked, timeout=10), report(watchers, before.acked)

        redis.kill()
        during = Sender([a.url, b.url], alice, cid, 20, label="during").run()
        # socket events are rate-limited too: counted in memory meanwhile, never failed
        typing = watchers[1].client.call("typing", {"conversationId": cid, "typing": True})
        assert typing["ok"], typing
        dave_on_b.close()  # leaves while nothing can be written to Redis
        erin = api.register("fault")
        api.json(
            "PUT",
            f"/api/conversations/{cid}",
            alice,
            json={"addParticipantIds": [erin.id]},
        )
        erin_on_b = SocketClient(b.url, erin.access_token).connect()  # accepted, not refused
        redis.start()  # empty: no presence, no subscriptions
        after = Sender([a.url, b.url], alice, cid, 6, label="after").run()

        for sender in (before, during, after):
            assert set(sender.statuses) == {201}, sender.statuses  # no 500 without Redis
        acked = {**before.acked, **during.acked, **after.acked}
        assert wait_for_all(watchers, acked, timeout=20), report(watchers, acked)
        # the listener of each process reconnected and told its own sockets to catch up
        for watcher in watchers:
            assert watcher.resyncs(), f"{watcher.name} got no resync"
            assert {r["reason"] for r in watcher.resyncs()} <= {
                "reconnected",
                "peer_backlog_dropped",
            }

        # presence is rebuilt from the processes' own sockets within a heartbeat
        everyone = {alice.id, bob.id, carol.id, erin.id}
        wait_until(lambda: online(alice_on_a, cid) == everyone, timeout=TTL, message="presence A")
        wait_until(lambda: online(erin_on_b, cid) == everyone, timeout=TTL, message="presence B")
        # dave left during the outage: announced offline once Redis is back
        offline = alice_on_a.wait_for("userOffline", lambda d: d["userId"] == dave.id, timeout=10)
        assert offline["lastSeenAt"]
        # erin connected during the outage: announced online once Redis has her
        alice_on_a.wait_for("userOnline", lambda d: d["userId"] == erin.id, timeout=10)
        erin_on_b.close()
    finally:
        alice_on_a.close()
        dave_on_b.close()
        for watcher in watchers:
            watcher.close()


def test_a_frozen_redis_delays_no_send_and_loses_no_event(cluster, people, redis):
    a, b = cluster
    api, cid, (alice, bob, carol, _) = people
    watchers = watchers_for(api, cid, a, b, bob, carol)
    try:
        before = Sender([a.url, b.url], alice, cid, 5, label="before").run()
        redis.freeze()
        try:
            frozen = Sender([a.url, b.url], alice, cid, 20, interval=0.1, label="frozen").run()
        finally:
            redis.thaw()
        after = Sender([a.url, b.url], alice, cid, 5, label="after").run()

        for sender in (before, frozen, after):
            assert set(sender.statuses) == {201}, sender.statuses
        # no send waited for Redis: each answered sooner than one Redis timeout
        assert max(frozen.latencies) < REDIS_TIMEOUT, sorted(frozen.latencies)[-3:]
        acked = {**before.acked, **frozen.acked, **after.acked}
        assert wait_for_all(watchers, acked, timeout=20), report(watchers, acked)
    finally:
        for watcher in watchers:
            watcher.close()


def test_a_process_that_dropped_its_backlog_makes_every_process_resync(redis, tmp_path):
    a, b = start_cluster(redis, tmp_path, env={"LNK_OUTBOX_MAX_EVENTS": "5"})
    api = Api(a.url)
    try:
        alice, bob = api.users(2, "drop")
        cid = api.direct(alice, bob)["id"]
        watcher = Watcher(api, bob, b.url, cid)
        redis.freeze()  # B's listener stays subscribed: only A's publishing is held up
        try:
            lost = Sender([a.url], alice, cid, 12, label="overflow").run()
        finally:
            redis.thaw()
        assert set(lost.statuses) == {201}
        reason = watcher.client.wait_for("resync", timeout=10)["reason"]
        assert reason == "peer_backlog_dropped"
        assert wait_for_all([watcher], lost.acked, timeout=10), report([watcher], lost.acked)
        tally = watcher.tally(lost.acked)
        assert tally.recovered > 0 and tally.lost == 0, tally
        watcher.close()
    finally:
        api.close()
        b.stop()
        a.stop()


def test_one_process_delivers_each_conversation_in_seq_order(redis, tmp_path):
    # A hold longer than any queue delay of a loaded machine: the test is about the order the
    # gate restores, not about how long it waits.
    a, b = start_cluster(redis, tmp_path, {"LNK_ORDER_HOLD": "10"})
    api = Api(a.url)
    alice, bob, carol, dave = api.users(4, "order")
    cid = api.group(alice, [bob, carol, dave], "Order")["id"]
    watchers = [Watcher(api, bob, a.url, cid), Watcher(api, carol, b.url, cid)]
    try:
        senders = [
            Sender([a.url], alice, cid, 60, interval=0, label="via a"),
            Sender([b.url], bob, cid, 60, interval=0, label="via b"),
        ]
        threads = [s.start() for s in senders]
        for thread in threads:
            thread.join(60)
        acked = {**senders[0].acked, **senders[1].acked}
        assert len(acked) == 120
        assert wait_for_all(watchers, acked, timeout=15), report(watchers, acked)
        for watcher in watchers:
            tally = watcher.tally(acked)
            assert tally.out_of_order == 0, f"{watcher.name}: {tally}"
    finally:
        for watcher in watchers:
            watcher.close()
        api.close()
        b.stop()
        a.stop()


def test_the_users_of_a_crashed_process_go_offline_within_ten_seconds_by_default(redis, tmp_path):
    a, b = start_pair(redis, tmp_path, {"LNK_OFFLINE_GRACE": "0.5"})  # default heartbeat TTL
    api = Api(a.url)
    try:
        alice, carol = api.users(2, "crash")
        api.direct(alice, carol)
        alice_on_a = SocketClient(a.url, alice.access_token).connect()
        SocketClient(b.url, carol.access_token).connect()
        alice_on_a.wait_for("userOnline", lambda d: d["userId"] == carol.id)
        b.kill()
        alice_on_a.wait_for("userOffline", lambda d: d["userId"] == carol.id, timeout=10)
        alice_on_a.close()
    finally:
        api.close()
        b.stop()
        a.stop()
