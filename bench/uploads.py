"""Upload throughput and the server's memory while it receives a large file.

Starts the real server (``python app.py``, gevent) on a free loopback port with a fresh SQLite
store. First, on the fresh process, it uploads one 25 MB file through
``POST /api/upload/chat-files`` and prints how far the server's peak resident memory (VmHWM)
rose: with streaming, far less than the file (the body is spooled to disk past 512 KiB and copied
to the blob store in 64 KiB chunks). Then it prints the median throughput of 1 MB and 20 MB
uploads (PDF files, accepted by the allow-list).

    .venv/bin/python bench/uploads.py [rounds-of-1MB] [rounds-of-20MB]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.support.live_server import LiveServer  # noqa: E402

MB = 1000 * 1000
MAX_UPLOAD = 25 * 1024 * 1024  # the server's default per-file limit


def pdf_of(size: int) -> bytes:
    """A file the allow-list accepts (PDF signature), of exactly ``size`` bytes."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return head + os.urandom(size - len(head))


def rss_kib(pid: int, field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for {pid}")


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def sample_rss_during(pid: int, work) -> int:
    """Runs ``work`` while polling the process's VmRSS every millisecond; the highest value."""
    highest, done = 0, threading.Event()

    def poll() -> None:
        nonlocal highest
        while not done.is_set():
            highest = max(highest, rss_kib(pid, "VmRSS"))
            time.sleep(0.001)

    sampler = threading.Thread(target=poll)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return highest


def upload(session: requests.Session, url: str, headers: dict, name: str, body: bytes) -> float:
    started = time.perf_counter()
    response = session.post(
        url + "/api/upload/chat-files",
        headers=headers,
        files={"files": (name, body, "application/octet-stream")},
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:200]}")
    return elapsed


def throughput(session, url, headers, size: int, rounds: int) -> float:
    body = pdf_of(size)
    upload(session, url, headers, "warmup.pdf", body)
    times = [upload(session, url, headers, f"f{i}.pdf", body) for i in range(rounds)]
    return size / statistics.median(times) / MB


def main(rounds_small: int = 20, rounds_large: int = 5) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="lnk-bench-uploads-") as workdir,
        LiveServer(workdir, name="uploads") as server,
        requests.Session() as session,
    ):
        account = session.post(
            server.url + "/api/auth/register",
            timeout=10,
            json={"username": "bench_uploads", "password": "bench-password-1"},
        ).json()
        headers = {"Authorization": f"Bearer {account['accessToken']}"}
        print(f"server pid {server.pid} on {server.url} (gevent, SQLite, disk blobs)")
        big = pdf_of(MAX_UPLOAD - 64 * 1024)  # 25 MiB less a little: just under the limit
        upload(session, server.url, headers, "warm.pdf", pdf_of(MB))
        exact = reset_peak(server.pid)
        before = rss_kib(server.pid, "VmRSS")
        sampled = sample_rss_during(
            server.pid, lambda: upload(session, server.url, headers, "big.pdf", big)
        )
        peak = max(rss_kib(server.pid, "VmHWM"), sampled)
        grew = (peak - before) * 1024
        print(
            f"receiving one {len(big) / MB:.1f} MB file: RSS {before / 1024:.1f} MiB before, "
            f"peak {peak / 1024:.1f} MiB, grew {grew / MB:.1f} MB "
            f"({grew / len(big):.0%} of the file)"
            + ("" if exact else " [VmHWM could not be reset: peak is the lifetime peak]")
        )
        verdict = "OK" if grew < len(big) else "FAIL"
        print(
            f"{verdict}: the server held less than one copy of the file in memory"
            if verdict == "OK"
            else f"{verdict}: the server buffered the whole file"
        )
        for size, rounds in ((1 * MB, rounds_small), (20 * MB, rounds_large)):
            rate = throughput(session, server.url, headers, size, rounds)
            print(f"upload {size // MB:>2} MB x {rounds:>2}: {rate:7.1f} MB/s (median)")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
