"""Browser fan-out: what one message costs the server when every member has the chat page open.

For groups of 2, 4 and 8 members, all with the conversation open in real Chromium pages (Debian's
/usr/bin/chromium through Playwright), every member sends messages through the REST API in turn;
the run ends when every page shows the last message and the read marks have settled. Printed:

- HTTP requests per page per message, from the server's access log (the REST sends and the page
  loads before the first message are not counted), with the paths behind them;
- server CPU milliseconds per delivered page update (``/proc/<pid>/task/*/schedstat``, over the
  sending window), beside the same run with plain Socket.IO clients (python-socketio, API
  sockets with JSON payloads) that read the way the pages do: at most one ``markAsRead`` per
  second while something is unread.

    .venv/bin/python bench/browser_fanout.py                   # groups of 2, 4 and 8, 5 each
    .venv/bin/python bench/browser_fanout.py --sizes 8 --per-member 10 --interval 0.2

Loopback only; each server is a fresh ``python app.py`` on a free port with a new SQLite file,
rate limits off and the access log on (LNK_ACCESS_LOG=1), in both modes.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PASSWORD = "bench-password-1"
ACCESS = re.compile(r'"(GET|POST|PUT|DELETE|PATCH) (\S+) HTTP/[\d.]+" (\d{3})')
IDS = re.compile(r"[0-9a-f]{24}")
SETTLE_SECONDS = 1.5  # a coalesced read mark goes at most 1 s after the message it covers
WAIT_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of the process, in nanoseconds' resolution (``schedstat``;
    ``stat`` counts 10 ms ticks, too coarse for a few hundred deliveries)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError):  # a thread that just ended
            continue
    return total / 1e9


class Server:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        env = dict(
            os.environ,
            PORT=str(self.port),
            HOST="127.0.0.1",
            LNK_ENV="testing",
            RATELIMIT_ENABLED="false",
            SQLITE_PATH=str(workdir / "lnk.sqlite3"),
            UPLOAD_DIR=str(workdir / "uploads"),
            LNK_ACCESS_LOG="1",
            PYTHONUNBUFFERED="1",
        )
        env.pop("REDIS_URL", None)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/login", timeout=1)
                return
            except requests.RequestException:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the server did not start:\n" + self.log.read_text())

    def log_size(self) -> int:
        return self.log.stat().st_size

    def requests_since(self, offset: int) -> list[tuple[str, str]]:
        with open(self.log, "rb") as f:
            f.seek(offset)
            text = f.read().decode(errors="replace")
        return [(m.group(1), m.group(2)) for m in ACCESS.finditer(text)]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def setup_group(url: str, size: int, tag: str) -> tuple[list[dict], str]:
    users = []
    for i in range(size):
        name = f"{tag}{i}"
        r = requests.post(
            url + "/api/auth/register",
            json={"username": name, "password": PASSWORD, "displayName": f"Member {i}"},
            timeout=10,
        )
        r.raise_for_status()
        body = r.json()
        users.append({"id": body["user"]["id"], "name": name, "token": body["accessToken"]})
    r = requests.post(
        url + "/api/conversations",
        headers={"Authorization": "Bearer " + users[0]["token"]},
        json={"type": "group", "title": "Bench", "participantIds": [u["id"] for u in users[1:]]},
        timeout=10,
    )
    r.raise_for_status()
    return users, r.json()["id"]


def send_all(url: str, users: list[dict], cid: str, per_member: int, interval: float) -> list[str]:
    """Members take turns; returns the message ids in order."""
    sent = []
    with requests.Session() as http:
        for n in range(per_member):
            for user in users:
                r = http.post(
                    f"{url}/api/conversations/{cid}/messages",
                    headers={"Authorization": "Bearer " + user["token"]},
                    json={"content": f"message {n} from {user['name']}"},
                    timeout=10,
                )
                r.raise_for_status()
                sent.append(r.json()["id"])
                time.sleep(interval)
    return sent


class PlainClient:
    """An API socket that reads like a page: one markAsRead per second at most, while unread."""

    def __init__(self, url: str, user: dict, cid: str) -> None:
        self.user, self.cid = user, cid
        self.seen: set[str] = set()
        self.unread = False
        self.last_read = 0.0
        self.lock = threading.Lock()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("newMessage", self._message, namespace="/messaging")
        self.sio.connect(
            url,
            namespaces=["/messaging"],
            auth={"token": user["token"]},
            transports=["websocket"],
            wait_timeout=10,
        )

    def _message(self, data: dict) -> None:
        with self.lock:
            self.seen.add(data["message"]["id"])
            if data["message"]["senderId"] != self.user["id"]:
                self.unread = True

    def tick(self) -> None:
        with self.lock:
            due = self.unread and time.monotonic() - self.last_read >= 1.0
            if due:
                self.unread = False
                self.last_read = time.monotonic()
        if due:
            self.sio.call("markAsRead", {"conversationId": self.cid}, namespace="/messaging")

    def close(self) -> None:
        self.sio.disconnect()


def run_plain(size: int, per_member: int, interval: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="lnk-bench-") as tmp:
        server = Server(Path(tmp))
        try:
            users, cid = setup_group(server.url, size, f"plain{size}x")
            clients = [PlainClient(server.url, u, cid) for u in users]
            stop = threading.Event()

            def reader() -> None:
                while not stop.is_set():
                    for c in clients:
                        c.tick()
                    time.sleep(0.05)

            thread = threading.Thread(target=reader, daemon=True)
            thread.start()
            cpu0 = cpu_seconds(server.process.pid)
            sent = send_all(server.url, users, cid, per_member, interval)
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and not all(sent[-1] in c.seen for c in clients):
                time.sleep(0.02)
            time.sleep(SETTLE_SECONDS)
            cpu = cpu_seconds(server.process.pid) - cpu0
            stop.set()
            thread.join(5)
            for c in clients:
                c.close()
            return {"messages": len(sent), "cpu_ms_per_update": cpu * 1000 / (len(sent) * size)}
        finally:
            server.stop()


def run_pages(size: int, per_member: int, interval: float, playwright) -> dict:
    with tempfile.TemporaryDirectory(prefix="lnk-bench-") as tmp:
        server = Server(Path(tmp))
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            users, cid = setup_group(server.url, size, f"page{size}x")
            pages = []
            for user in users:
                page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                page.set_default_timeout(WAIT_SECONDS * 1000)
                page.goto(server.url + "/login")
                page.fill("#username", user["name"])
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(re.compile(r".*/chat$"))
                page.goto(f"{server.url}/chat/{cid}")
                page.wait_for_function("() => window.lnk.chat.connected()")
                pages.append(page)
            time.sleep(SETTLE_SECONDS)  # the pages' own start-up requests are done
            offset = server.log_size()
            cpu0 = cpu_seconds(server.process.pid)
            sent = send_all(server.url, users, cid, per_member, interval)
            for page in pages:
                page.wait_for_selector(f"#message-{sent[-1]}", state="attached")
            time.sleep(SETTLE_SECONDS)
            cpu = cpu_seconds(server.process.pid) - cpu0
            logged = server.requests_since(offset)
            sends = sum(1 for m, p in logged if m == "POST" and p.startswith("/api/"))
            if sends != len(sent):  # the access log must show what was sent, or it is not read
                raise RuntimeError(f"{sends} sends in the access log, {len(sent)} made")
            seen = [(m, p) for m, p in logged if not p.startswith("/api/")]
            updates = len(sent) * size
            paths = Counter(f"{m} {IDS.sub(':id', p.split('?')[0])}" for m, p in seen)
            return {
                "messages": len(sent),
                "requests": len(seen),
                "per_page_per_message": len(seen) / updates,
                "cpu_ms_per_update": cpu * 1000 / updates,
                "paths": paths.most_common(6),
            }
        finally:
            browser.close()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 4, 8])
    parser.add_argument("--per-member", type=int, default=5, help="messages each member sends")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between sends")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        for size in args.sizes:
            per_member = max(1, min(args.per_member, 100))
            pages = run_pages(size, per_member, args.interval, playwright)
            plain = run_plain(size, per_member, args.interval)
            rows.append((size, pages, plain))
            print(f"group of {size}: page requests by path: {pages['paths'] or 'none'}", flush=True)
    print()
    print(
        "| members with the page open | messages | HTTP requests per page per message "
        "| server CPU ms per page update | same, plain Socket.IO clients | ratio |"
    )
    print("|---|---|---|---|---|---|")
    for size, pages, plain in rows:
        ratio = pages["cpu_ms_per_update"] / plain["cpu_ms_per_update"]
        print(
            f"| {size} | {pages['messages']} | {pages['per_page_per_message']:.2f} "
            f"| {pages['cpu_ms_per_update']:.2f} | {plain['cpu_ms_per_update']:.2f} "
            f"| {ratio:.1f}x |"
        )


if __name__ == "__main__":
    main()
