"""Message-queue faults against two LNK processes sharing one SQLite file and a private Redis.

For each fault, a sender posts messages through both processes' REST API at a steady pace
while sockets on both processes listen; the fault hits Redis mid-run (killed and restarted
empty, or frozen with SIGSTOP), then the run waits for every socket to hold every acknowledged
message, live or by answering ``resync`` with an ``afterSeq`` catch-up. Rate limits are on.
Loopback only; bounded by COUNT messages per fault and a 30 s recovery wait.

    .venv/bin/python bench/chaos.py            # COUNT=150 PACE=0.02 OUTAGE=3 by default

Prints one row per fault and socket: sent, acknowledged, delivered live, recovered by resync,
lost, resyncs received, out-of-order live arrivals, and the send latency p50/p99/max.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, ".")

from tests.support.api import Api  # noqa: E402
from tests.support.chaos import Sender, Watcher, p99, wait_for_all  # noqa: E402
from tests.support.cluster import start_pair  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

COUNT = int(os.environ.get("COUNT", "150"))
PACE = float(os.environ.get("PACE", "0.02"))  # seconds between sends
OUTAGE = float(os.environ.get("OUTAGE", "3"))  # seconds the fault lasts
ENV = {"LNK_PRESENCE_TTL": "3", "LNK_OFFLINE_GRACE": "0.5"}


def no_fault(redis: RedisServer) -> Callable[[], None]:
    return lambda: None


def kill_and_restart_empty(redis: RedisServer) -> Callable[[], None]:
    redis.kill()
    return redis.start


def freeze(redis: RedisServer) -> Callable[[], None]:
    redis.freeze()
    return redis.thaw


FAULTS = [
    ("none", no_fault),
    (f"Redis killed {OUTAGE:g} s, restarted empty", kill_and_restart_empty),
    (f"Redis frozen {OUTAGE:g} s (SIGSTOP)", freeze),
]


def run_fault(name: str, fault, workdir: Path) -> list[str]:
    redis = RedisServer().start()
    a, b = start_pair(redis, workdir, ENV, ratelimit=True)
    api = Api(a.url)
    rows = []
    try:
        alice, bob, carol = api.users(3, "chaos")
        cid = api.group(alice, [bob, carol], "Chaos")["id"]
        watchers = [
            Watcher(api, bob, a.url, cid),
            Watcher(api, bob, b.url, cid),
            Watcher(api, carol, b.url, cid),
        ]
        sender = Sender([a.url, b.url], alice, cid, COUNT, interval=PACE, label=name)
        thread = sender.start()
        time.sleep(COUNT * PACE / 4)
        end_fault = fault(redis)
        time.sleep(OUTAGE)
        end_fault()
        thread.join(120)
        complete = wait_for_all(watchers, sender.acked, timeout=30)
        lat = sorted(sender.latencies)
        p50 = lat[len(lat) // 2] * 1000 if lat else 0.0
        statuses = ",".join(f"{k}:{v}" for k, v in sorted(sender.statuses.items()))
        for w in watchers:
            t = w.tally(sender.acked)
            rows.append(
                f"| {name} | {w.name.split('@')[0][-6:]}@{'A' if w.url == a.url else 'B'} "
                f"| {COUNT} | {len(sender.acked)} ({statuses}) | {t.delivered} | {t.recovered} "
                f"| {t.lost} | {t.resyncs} | {t.out_of_order} "
                f"| {p50:.0f} / {p99(sender.latencies) * 1000:.0f} / {lat[-1] * 1000:.0f} |"
            )
        if not complete:
            rows.append(f"| {name} | (some socket still missing messages after 30 s) |")
        for w in watchers:
            w.close()
    finally:
        api.close()
        b.stop()
        a.stop()
        redis.stop()
    return rows


def main() -> None:
    if not RedisServer.available():
        sys.exit("redis-server is not installed")
    print(f"{COUNT} sends per fault, one every {PACE * 1000:.0f} ms through A and B in turn")
    print(
        "| fault | socket | sent | acked (statuses) | delivered live | recovered by resync "
        "| lost | resyncs | out of order | send p50 / p99 / max ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="lnk-chaos-") as tmp:
        for index, (name, fault) in enumerate(FAULTS):
            for row in run_fault(name, fault, Path(tmp) / str(index)):
                print(row, flush=True)


if __name__ == "__main__":
    main()
