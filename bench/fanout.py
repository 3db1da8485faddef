"""Fan-out benchmark: the whole app (REST send -> services -> broadcaster -> sockets) side by side
with a bare Flask-SocketIO broadcast server (bench/bare_server.py), same async mode, same runner,
same Node load generator (bench/fanout_client.js, socket.io-client over ws).

    .venv/bin/python bench/fanout.py                 # every scenario, ~4 minutes
    .venv/bin/python bench/fanout.py group100 idle5000 --quick

Scenarios: group100 (1 group x 100 sockets, 50 msg/s, 10 s), direct200 (200 direct
conversations, 500 msg/s in total), group1000 (1 group x 1,000, 10 msg/s), saturation (group100,
16 senders back to back, 5 s) and idle5000 (5,000 idle sockets: memory per connection and
authenticated connects/s). The server runs pinned to CPU 0, the generator to CPU 1; loopback
only; rate limits off. Users, conversations and tokens are seeded straight into a fresh SQLite
file per run (the 1,000-member group bypasses the product's 256-member rule). Results go to
bench/results/fanout-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-0123456789-0123456789-0123456789"
PYTHON = sys.executable


@dataclass
class Scenario:
    users: int
    layout: str  # "group" (one conversation) or "pairs" (direct conversations)
    rate: float = 0
    duration: float = 10
    saturate: int = 0  # concurrent back-to-back senders instead of a fixed rate
    sockets_per_user: int = 1
    idle: bool = False


SCENARIOS = {
    "group100": Scenario(100, "group", rate=50),
    "direct200": Scenario(400, "pairs", rate=500),
    "group1000": Scenario(1000, "group", rate=10),
    "saturation": Scenario(100, "group", saturate=16, duration=5),
    "idle5000": Scenario(1000, "pairs", sockets_per_user=5, idle=True),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(workdir: Path, scenario: Scenario) -> dict:
    """Users, conversations and access tokens, written straight through the store."""
    from flask_jwt_extended import create_access_token

    from lnk import create_app
    from lnk.config import Settings
    from lnk.services.accounts import hash_password
    from lnk.services.conversations import direct_key
    from lnk.services.sessions import start_login

    settings = Settings(
        env="testing",
        sqlite_path=str(workdir / "lnk.sqlite3"),
        upload_dir=str(workdir / "uploads"),
        jwt_secret=SECRET,
        ratelimit_enabled=False,
    )
    app = create_app(settings)
    store = app.extensions["lnk"].store
    now = datetime.now(UTC)
    password = hash_password(app.extensions["lnk"], "bench-password-1")
    ids = [
        store.users.create(f"bench{i}", f"Bench {i}", password, "user", now).id
        for i in range(scenario.users)
    ]
    with app.app_context():
        ctx = app.extensions["lnk"]
        tokens = [
            create_access_token(
                identity=i,
                expires_delta=timedelta(hours=3),
                additional_claims={"login": start_login(ctx, store.users.get(i))},
            )
            for i in ids
        ]
    rooms: list[str] = []  # each user's conversation
    senders = []
    if scenario.layout == "group":
        members = [(ids[0], "owner")] + [(i, "member") for i in ids[1:]]
        group = store.conversations.create("group", "Bench", ids[0], members, now)
        rooms = [group.id] * len(ids)
        expect = len(ids) * scenario.sockets_per_user
        senders = [
            {"token": tokens[k], "conversationId": group.id, "expect": expect}
            for k in range(min(len(ids), 20))
        ]
    else:
        for k in range(0, len(ids) - 1, 2):
            a, b = ids[k], ids[k + 1]
            direct = store.conversations.create(
                "direct", None, a, [(a, "member"), (b, "member")], now, direct_key=direct_key(a, b)
            )
            rooms += [direct.id, direct.id]
            expect = 2 * scenario.sockets_per_user
            senders.append(
                {"token": tokens[k + (k // 2) % 2], "conversationId": direct.id, "expect": expect}
            )
    store.close()
    return {"ids": ids, "tokens": tokens, "rooms": rooms, "senders": senders}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pinned(cpu: int, command: list[str], pin: bool) -> list[str]:
    return (["taskset", "-c", str(cpu)] if pin and shutil.which("taskset") else []) + command


def start_server(kind: str, workdir: Path, pin: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        PORT=str(port),
        HOST="127.0.0.1",
        RATELIMIT_ENABLED="false",
        SQLITE_PATH=str(workdir / "lnk.sqlite3"),
        UPLOAD_DIR=str(workdir / "uploads"),
        JWT_SECRET=SECRET,
        LNK_ENV="development",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    script = "app.py" if kind == "lnk" else "bench/bare_server.py"
    log = open(workdir / f"{kind}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(
        pinned(0, [PYTHON, script], pin), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/", timeout=1)
            return process, url
        except requests.RequestException:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{kind} server did not start: {(workdir / f'{kind}.log').read_text()}")


def run_one(name: str, scenario: Scenario, kind: str, data: dict, workdir: Path, pin: bool) -> dict:
    process, url = start_server(kind, workdir, pin)
    try:
        sockets = []
        for token, room in zip(data["tokens"], data["rooms"], strict=True):
            for _ in range(scenario.sockets_per_user):
                sockets.append({"token": token} if kind == "lnk" else {"room": room})
        senders = [dict(s) for s in data["senders"]]
        if kind == "bare":
            for sender in senders:
                sender.pop("token")
        config = {
            "base": url,
            "mode": kind,
            "sockets": sockets,
            "senders": senders,
            "rate": scenario.rate,
            "duration": scenario.duration,
            "connectConcurrency": 100 if scenario.idle else 50,
            "drainMs": 10000,
        }
        if scenario.saturate:
            config["saturate"] = {"concurrency": scenario.saturate}
        config_path = workdir / f"{name}-{kind}.json"
        config_path.write_text(json.dumps(config))
        time.sleep(1.0)
        rss_before = rss_kib(process.pid)
        node = subprocess.Popen(
            pinned(1, ["node", str(BENCH / "fanout_client.js"), str(config_path)], pin),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = json.loads(_line(node, "READY", timeout=300))
        time.sleep(2.0)  # let the connection burst settle (GC freeze, presence)
        rss_after = rss_kib(process.pid)
        cpu_start, wall_start = cpu_seconds(process.pid), time.monotonic()
        assert node.stdin is not None
        node.stdin.write("stop\n" if scenario.idle else "send\n")
        node.stdin.flush()
        result = json.loads(_line(node, "RESULT", timeout=scenario.duration + 120))
        cpu = (cpu_seconds(process.pid) - cpu_start) / max(time.monotonic() - wall_start, 1e-9)
        node.wait(10)
        result.update(ready)
        result["serverCpuPercent"] = round(cpu * 100)
        result["rssBeforeKiB"], result["rssAfterKiB"] = rss_before, rss_after
        if ready["connected"]:
            result["kibPerConnection"] = round((rss_after - rss_before) / ready["connected"], 1)
        return result
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _line(node: subprocess.Popen, prefix: str, timeout: float) -> str:
    assert node.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = node.stdout.readline()
        if not line:
            raise RuntimeError(f"the load generator exited before {prefix}")
        if line.startswith(prefix + " "):
            return line[len(prefix) + 1 :]
    node.kill()
    raise TimeoutError(f"no {prefix} from the load generator within {timeout} s")


def report(name: str, results: dict[str, dict]) -> None:
    lnk, bare = results["lnk"], results["bare"]
    print(f"\n== {name}")
    rows = [
        ("connected", "connected"),
        ("connects/s", "connectsPerSecond"),
        ("KiB per connection", "kibPerConnection"),
        ("server CPU %", "serverCpuPercent"),
    ]
    if "sent" in lnk:
        rows = [
            ("messages sent", "sent"),
            ("deliveries expected", "expected"),
            ("deliveries received", "received"),
            ("loss", "loss"),
            ("duplicates", "duplicates"),
            ("send errors", "sendErrors"),
            ("deliveries/s", "deliveriesPerSecond"),
            ("server CPU %", "serverCpuPercent"),
        ]
    print(f"{'':28}{'lnk':>12}{'bare':>12}{'lnk/bare':>10}")
    for label, key in rows:
        a, b = lnk.get(key), bare.get(key)
        ratio = (
            f"{a / b:.2f}"
            if isinstance(a, int | float) and isinstance(b, int | float) and b
            else ""
        )
        print(f"{label:28}{_fmt(a):>12}{_fmt(b):>12}{ratio:>10}")
    if "latencyMs" in lnk:
        for label, key in (("newMessage latency", "latencyMs"), ("REST send", "restMs")):
            for p in ("p50", "p95", "p99", "max"):
                a, b = lnk[key][p], bare[key][p]
                ratio = f"{a / b:.2f}" if a is not None and b else ""
                print(f"{label + ' ' + p + ' ms':28}{_fmt(a):>12}{_fmt(b):>12}{ratio:>10}")


def _fmt(value: object) -> str:
    return "-" if value is None else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="scenario",
        help=f"any of {', '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument("--quick", action="store_true", help="3 s phases, 1,000 idle sockets")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=BENCH, check=True)
    outcome: dict[str, dict] = {}
    for name in args.scenarios or list(SCENARIOS):
        scenario = SCENARIOS[name]
        if args.quick:
            scenario.duration = min(scenario.duration, 3)
            scenario.sockets_per_user = 1 if scenario.idle else scenario.sockets_per_user
        results = {}
        for kind in ("lnk", "bare"):
            with tempfile.TemporaryDirectory(prefix=f"lnk-bench-{name}-") as tmp:
                workdir = Path(tmp)
                data = seed(workdir, scenario)
                results[kind] = run_one(name, scenario, kind, data, workdir, not args.no_pin)
        outcome[name] = results
        report(name, results)
    out = BENCH / "results" / f"fanout-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(outcome, indent=2))
    print(f"\nresults: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
