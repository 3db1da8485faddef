"""Send throughput: messages/s through ``POST /api/conversations/:id/messages`` on a live LNK
server at 16 concurrent keep-alive clients (wrk), beside a bare Flask endpoint inserting one row
into SQLite on the same gevent server stack. Server on core 0, wrk on core 1. Loopback only,
bounded in time (DURATION seconds per run).

    .venv/bin/python bench/api_send.py            # needs wrk (apt-get install wrk)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, ".")

from tests.support.net import free_port  # noqa: E402

DURATION = int(os.environ.get("DURATION", "10"))
CONNECTIONS = 16


def wait_ready(url: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


def post(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, json.dumps(body).encode(), headers)
    return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")


def start(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        ["taskset", "-c", "0", *cmd],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_wrk(url: str, token: str = "") -> dict:
    out = subprocess.run(
        [
            "taskset",
            "-c",
            "1",
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "-s",
            "bench/post.lua",
            url,
        ],
        env={**os.environ, "LNK_TOKEN": token},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    fields = dict(
        line.split() for line in out.splitlines() if line.startswith(("latency_", "requests "))
    )
    return {
        "rate": rate,
        "non2xx": int(errors.group(1)) if errors else 0,
        "p50": float(fields["latency_p50_ms"]),
        "p99": float(fields["latency_p99_ms"]),
        "requests": int(fields["requests"]),
    }


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = tempfile.mkdtemp(prefix="lnk-send-bench-")
    port, bare_port = free_port(), free_port()
    lnk = start(
        [sys.executable, "app.py"],
        {
            "PORT": str(port),
            "SQLITE_PATH": f"{tmp}/lnk.sqlite3",
            "UPLOAD_DIR": f"{tmp}/up",
            "RATELIMIT_ENABLED": "false",
            "HOST": "127.0.0.1",
        },
    )
    bare = start(
        [sys.executable, "bench/bare_insert_server.py"],
        {"PORT": str(bare_port), "DB": f"{tmp}/bare.sqlite3"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/openapi.json")
        wait_ready(f"http://127.0.0.1:{bare_port}/health")
        alice = post(f"{base}/api/auth/register", {"username": "alice", "password": "p" * 12})
        bob = post(f"{base}/api/auth/register", {"username": "bob", "password": "p" * 12})
        token = alice["accessToken"]
        cid = post(
            f"{base}/api/conversations",
            {"type": "direct", "participantIds": [bob["user"]["id"]]},
            token,
        )["id"]
        send_url = f"{base}/api/conversations/{cid}/messages"
        run_wrk(f"http://127.0.0.1:{bare_port}/insert")  # warm-up both
        lnk_result = run_wrk(send_url, token)
        bare_result = run_wrk(f"http://127.0.0.1:{bare_port}/insert")
        req = urllib.request.Request(
            f"{base}/api/conversations/{cid}", headers={"Authorization": f"Bearer {token}"}
        )
        last_seq = json.loads(urllib.request.urlopen(req).read())["lastMessage"]["seq"]
    finally:
        for proc in (lnk, bare):
            proc.terminate()
            proc.wait(10)
    print(f"{CONNECTIONS} keep-alive clients, {DURATION} s each, server on core 0, wrk on core 1")
    print(f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in (
        ("LNK POST .../messages", lnk_result),
        ("bare Flask + SQLite insert", bare_result),
    ):
        print(f"{name:34} {r['rate']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non2xx']:8d}")
    print(f"LNK / bare: {lnk_result['rate'] / bare_result['rate']:.0%}")
    print(
        f"messages stored: last seq {last_seq}, wrk completed {lnk_result['requests']} "
        "(wrk may cut the last in-flight requests)"
    )


if __name__ == "__main__":
    main()
