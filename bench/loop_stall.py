"""How long hostile requests stall the event loop, and camera-JPEG upload throughput.

Starts the real server (``python app.py``, gevent, ``LNK_ENV=development`` so that passwords get
the production argon2 cost) on a free loopback port, pinned to CPU 0 (this script runs on CPU 1).
A probe sends ``GET /api/users/me`` 20 times a second for the whole run, each on its own schedule
(a stalled loop delays every probe in flight, not just one). For each row below it prints the
requests' outcome, the probe's p50/p99/max latency while the row ran, and the server's peak RSS.

Rows: idle (3 s); one upload of a 2.8 KB GIF with a 2000×2000 canvas and 120 one-pixel frames;
one upload of a ~190 KB PNG of 1×39,000,000 RGBA pixels; 18 parallel logins with a wrong
password; 5 parallel searches by a user who shares no conversation with the 200,000 messages
holding the word; one upload of a .docx (ZIP) with 150,000 entries; 40 uploads of a 12 MP JPEG
with GPS EXIF, 4 at a time (uploads/s, thumbnails included).

    .venv/bin/python bench/loop_stall.py [--repo PATH] [--messages N]

``--repo`` runs the server from another checkout (for a before/after comparison).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sqlite3
import statistics
import struct
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from bson import ObjectId  # noqa: E402
from PIL import ExifTags, Image  # noqa: E402

import tests.support.live_server as live_server  # noqa: E402

PROBE_HZ = 20
PASSWORD = "correct-horse-battery-1"


# --- hostile and camera files ----------------------------------------------------------------


def gif_bomb(width: int = 2000, height: int = 2000, frames: int = 120) -> bytes:
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (
        b"\x21\xf9\x04\x04\x0a\x00\x00\x00"
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"
    )
    return head + loop + frame * frames + b"\x3b"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(height: int = 39_000_000) -> bytes:
    """1×``height`` RGBA, every row a filter byte and one transparent pixel: ~190 KB of zlib."""
    packer = zlib.compressobj(9)
    row_block = b"\x00" * 5 * 1_000_000
    idat = b"".join(packer.compress(row_block) for _ in range(height // 1_000_000))
    idat += packer.compress(b"\x00" * 5 * (height % 1_000_000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", 1, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def docx_with_entries(entries: int = 150_000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for i in range(entries):
            archive.writestr(f"word/p{i}.xml", "")
    return out.getvalue()


def camera_jpeg() -> bytes:
    """4000×3000 (12 MP), photo-like detail, EXIF with GPS and an orientation."""
    size = (4000, 3000)
    noise = Image.effect_noise(size, 24)
    red = Image.linear_gradient("L").resize(size)
    blue = red.transpose(Image.Transpose.ROTATE_90).resize(size)
    photo = Image.merge("RGB", (red, noise, blue))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenchCam"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (52.0, 31.0, 12.0)})
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


# --- measuring -------------------------------------------------------------------------------


class Probe:
    """``GET /api/users/me`` at ``PROBE_HZ``, each request launched on schedule."""

    def __init__(self, url: str, headers: dict) -> None:
        self.url, self.headers = url, headers
        self.samples: list[tuple[float, float]] = []  # (scheduled at, latency s)
        self.failures = 0
        self.scheduled: list[float] = []
        self._stop = threading.Event()
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=256)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _one(self, scheduled: float) -> None:
        """Latency counts from the scheduled send time, so time spent waiting for a free probe
        thread while the server is stalled counts too; a failed probe counts until it failed."""
        session = getattr(self._local, "session", None) or requests.Session()
        self._local.session = session
        try:
            session.get(self.url + "/api/users/me", headers=self.headers, timeout=600)
        except requests.RequestException:
            self.failures += 1
        self.samples.append((scheduled, time.perf_counter() - scheduled))

    def _run(self) -> None:
        start, k = time.perf_counter(), 0
        while not self._stop.is_set():
            at = start + k / PROBE_HZ
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.scheduled.append(at)
            self._pool.submit(self._one, at)
            k += 1

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)

    def drain(self, until: float, timeout: float = 600) -> None:
        """Waits until every probe scheduled before ``until`` has its answer, so that a backlog
        left by a stalled row is not measured in the next one."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            due = sum(1 for at in list(self.scheduled) if at <= until)
            done = sum(1 for at, _ in list(self.samples) if at <= until)
            if done >= due:
                return
            time.sleep(0.05)

    def between(self, t0: float, t1: float) -> list[float]:
        return [lat for at, lat in list(self.samples) if t0 <= at <= t1]


class Rss:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        while not self._stop.is_set():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.samples.append((time.perf_counter(), int(line.split()[1])))
            time.sleep(0.02)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mb(self, t0: float, t1: float) -> float:
        return max((kib for at, kib in self.samples if t0 <= at <= t1), default=0) / 1024


def pin(pid: int, cpu: int) -> None:
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that just ended
            os.sched_setaffinity(int(task.name), {cpu})


# --- the run ---------------------------------------------------------------------------------


def register(url: str, name: str) -> dict:
    response = requests.post(
        url + "/api/auth/register", json={"username": name, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    body = response.json()
    return {"id": body["user"]["id"], "headers": {"Authorization": f"Bearer {body['accessToken']}"}}


def direct(url: str, a: dict, b: dict) -> str:
    response = requests.post(
        url + "/api/conversations",
        json={"type": "direct", "participantIds": [b["id"]]},
        headers=a["headers"],
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["id"]


def seed_messages(sqlite_path: Path, conversation_id: str, sender: str, count: int) -> None:
    """``count`` messages holding the word ``hello``, written straight into the shared SQLite
    file (as a second process may) and indexed for search before the rows run."""
    db = sqlite3.connect(sqlite_path, isolation_level=None, timeout=30)
    t0 = int(time.time() * 1000) - count * 1000
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, type, content, created_at)"
        " VALUES (?, ?, ?, ?, 'text', ?, ?)",
        (
            (str(ObjectId()), conversation_id, seq, sender, f"hello there number {seq}", t0 + seq)
            for seq in range(1, count + 1)
        ),
    )
    db.execute("UPDATE conversations SET last_seq = ? WHERE id = ?", (count, conversation_id))
    db.execute("COMMIT")
    db.close()
    sys.path.insert(0, str(ROOT))
    from lnk.store.sqlite.connection import Database
    from lnk.store.sqlite.fts import catch_up

    index = Database(str(sqlite_path))
    catch_up(index)
    index.close()


def upload(session: requests.Session, url: str, user: dict, name: str, body: bytes) -> int:
    response = session.post(
        url + "/api/upload/chat-files",
        files={"files": (name, body)},
        headers=user["headers"],
        timeout=300,
    )
    return response.status_code


def parallel(count: int, work) -> list:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: work(), range(count)))


def idle(seconds: float) -> list[int]:
    time.sleep(seconds)
    return []


def summary(codes: list[int]) -> str:
    return ", ".join(f"{codes.count(c)}× {c}" for c in sorted(set(codes)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="checkout to run the server from")
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--camera", type=int, default=40, help="camera JPEG uploads")
    args = parser.parse_args()

    print("building files ...", flush=True)
    files = {
        "gif": gif_bomb(),
        "png": png_bomb(),
        "docx": docx_with_entries(),
        "camera": camera_jpeg(),
    }
    for name, body in files.items():
        print(f"  {name}: {len(body):,} bytes", flush=True)

    live_server.REPO_ROOT = args.repo.resolve()
    workdir = Path(tempfile.mkdtemp(prefix="lnk-stall-"))
    env = {"LNK_ENV": "development", "RATELIMIT_ENABLED": "false"}
    with live_server.LiveServer(workdir, env=env) as server:
        url = server.url
        os.sched_setaffinity(0, {1})
        alice, carol, dave, eve = (register(url, n) for n in ("alice", "carol", "dave", "eve"))
        busy = direct(url, carol, dave)
        quiet = direct(url, eve, alice)
        requests.post(
            f"{url}/api/conversations/{quiet}/messages",
            json={"content": "nothing to find here"},
            headers=eve["headers"],
            timeout=30,
        ).raise_for_status()
        print(f"seeding {args.messages:,} messages ...", flush=True)
        seed_messages(server.sqlite_path, busy, carol["id"], args.messages)
        pin(server.pid, 0)

        probe, rss = Probe(url, alice["headers"]), Rss(server.pid)
        probe.start()
        rss.start()
        time.sleep(1)  # warm up
        session = requests.Session()

        def wrong_login() -> int:
            return requests.post(
                url + "/api/auth/login",
                json={"username": "carol", "password": "wrong-password-123"},
                timeout=300,
            ).status_code

        def search() -> int:
            return requests.get(
                url + "/api/messages/search",
                params={"q": "hello"},
                headers=eve["headers"],
                timeout=300,
            ).status_code

        camera_rate = []

        def camera_burst() -> list[int]:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=4) as pool:
                codes = list(
                    pool.map(
                        lambda i: upload(
                            requests.Session(), url, alice, f"IMG_{i}.jpg", files["camera"]
                        ),
                        range(args.camera),
                    )
                )
            camera_rate.append(args.camera / (time.perf_counter() - started))
            return codes

        rows = [
            ("idle (3 s)", lambda: idle(3)),
            (
                "GIF 2000×2000, 120 frames",
                lambda: [upload(session, url, alice, "a.gif", files["gif"])],
            ),
            ("PNG 1×39,000,000", lambda: [upload(session, url, alice, "a.png", files["png"])]),
            ("18 wrong-password logins", lambda: parallel(18, wrong_login)),
            (f"5 searches, {args.messages:,} others' matches", lambda: parallel(5, search)),
            (
                ".docx with 150,000 entries",
                lambda: [upload(session, url, alice, "a.docx", files["docx"])],
            ),
            (f"{args.camera} × 12 MP JPEG, 4 at a time", camera_burst),
        ]
        results = []
        for name, work in rows:
            t0 = time.perf_counter()
            codes = work()
            t1 = time.perf_counter()
            probe.drain(t1)
            latencies = sorted(probe.between(t0, t1))
            p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
            p99 = (
                latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
                if latencies
                else float("nan")
            )
            top = latencies[-1] * 1000 if latencies else float("nan")
            results.append(
                (name, summary(codes) or "-", t1 - t0, p50, p99, top, rss.peak_mb(t0, t1 + 0.3))
            )
            print(f"  {name}: done in {t1 - t0:.2f} s", flush=True)
        probe.stop()
        rss.stop()

    print()
    print(
        "| hostile input | answers | took | probe p50 | probe p99 | probe max | server RSS peak |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, codes, took, p50, p99, top, peak in results:
        print(
            f"| {name} | {codes} | {took:.2f} s | {p50:.1f} ms | {p99:.1f} ms | {top:.1f} ms"
            f" | {peak:.0f} MB |"
        )
    if camera_rate:
        print(
            f"\ncamera JPEGs accepted with thumbnails: {camera_rate[0]:.1f}/s (server on one core)"
        )


if __name__ == "__main__":
    main()
