"""What authenticating a request costs: ``GET /api/users/me`` with a Bearer token through the
whole Flask stack (signature cache, revocation check of the token and its login, user lookup),
on a fresh temporary SQLite store. Prints p50 and p99 in microseconds.

    .venv/bin/python bench/auth_check.py [requests]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time

sys.path.insert(0, ".")

from lnk import create_app  # noqa: E402
from lnk.config import Settings  # noqa: E402


def main(rounds: int) -> None:
    workdir = tempfile.mkdtemp(prefix="lnk-auth-bench-")
    app = create_app(
        Settings(
            env="testing",
            sqlite_path=workdir + "/bench.sqlite3",
            upload_dir=workdir + "/uploads",
            jwt_secret="bench-" * 8,
            ratelimit_enabled=False,
        )
    )
    client = app.test_client()
    registered = client.post(
        "/api/auth/register", json={"username": "bench", "password": "bench-password"}
    ).get_json()
    headers = {"Authorization": f"Bearer {registered['accessToken']}"}
    for _ in range(200):  # warm-up
        client.get("/api/users/me", headers=headers)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get("/api/users/me", headers=headers)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200
    samples.sort()
    p50, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
    print(f"GET /api/users/me ({rounds} requests): p50 {p50 * 1e6:.0f} us, p99 {p99 * 1e6:.0f} us")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
