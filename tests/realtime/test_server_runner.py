"""The runner: TCP_NODELAY on every connection, keep-alive responses without the 44 ms floor,
and the GC tuner's decisions."""

from __future__ import annotations

import gc
import socket
import statistics
import time

from lnk.realtime.server import GcTuner, make_listener
from tests.support.api import Api


def test_listener_and_accepted_connections_have_tcp_nodelay():
    listener = make_listener("127.0.0.1", 0)
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        client = socket.create_connection(listener.getsockname())
        accepted, _ = listener.accept()
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        accepted.close()
        client.close()
    finally:
        listener.close()


def test_keep_alive_responses_do_not_wait_for_delayed_acks(live_server):
    api = Api(live_server.url)
    try:
        user = api.register("keepalive")
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            api.request("GET", "/api/users/me", user)
            timings.append(time.perf_counter() - started)
    finally:
        api.close()
    # without TCP_NODELAY every keep-alive response takes >= ~40 ms (delayed ACK)
    assert statistics.median(timings) < 0.030, timings


class FakeSocketIO:
    def __init__(self) -> None:
        self.server = None


def test_gc_tuner_freezes_after_a_settled_burst_and_compacts_after_churn():
    tuner = GcTuner(FakeSocketIO())  # type: ignore[arg-type]
    try:
        assert tuner.check(100) is None  # a burst is still arriving
        assert tuner.check(101) == "frozen"  # it settled: 101 new connections since start-up
        assert tuner.check(120) is None  # fewer than 50 new since that freeze
        assert tuner.check(10) is None  # most left
        results = []
        for _ in range(6):  # heavy churn: 6 x 1,000 connections opened, then closed
            results += [tuner.check(1000), tuner.check(0)]
        assert results.count("compacted") == 1  # once more than 5,000 had come and gone
        assert tuner.churn < 5000
    finally:
        gc.unfreeze()
