"""Read-path latency through the whole Flask stack (routing, JWT, validation, service, store,
JSON) on the seeded store: newest page, a page 150,000 messages deep, the conversation list,
an unread count and a two-word search. Prints p50 and p99 in milliseconds.

    .venv/bin/python bench/seed_sqlite.py instance/bench.sqlite3   # once, ~1 minute
    .venv/bin/python bench/api_reads.py instance/bench.sqlite3
"""

from __future__ import annotations

import statistics
import sys
import time

sys.path.insert(0, ".")

from flask_jwt_extended import create_access_token  # noqa: E402

from lnk import create_app  # noqa: E402
from lnk.config import Settings  # noqa: E402
from lnk.services.sessions import start_login  # noqa: E402

ROUNDS = 300


def measure(client, url: str, headers: dict) -> tuple[float, float]:
    for _ in range(20):  # warm caches
        assert client.get(url, headers=headers).status_code == 200, url
    samples = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main(path: str) -> None:
    app = create_app(
        Settings(sqlite_path=path, upload_dir=path + ".uploads", ratelimit_enabled=False)
    )
    ctx = app.extensions["lnk"]
    bench = ctx.store.users.get_by_username("bench")
    with app.app_context():
        token = create_access_token(
            identity=bench.id, additional_claims={"login": start_login(ctx, bench)}
        )
        headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    convs = ctx.store.conversations.list_for_user(bench.id, archived=False, limit=500)
    big = max(convs, key=lambda c: c.last_seq)
    other = next(c for c in convs if c.id != big.id)
    deep = ctx.store.messages.page(
        big.id, bench.id, before_seq=big.last_seq - 150_000 + 1, limit=1
    )[0]
    base = f"/api/conversations/{big.id}"
    cases = [
        ("newest page of 50", f"{base}/messages?limit=50"),
        ("before page 150,000 deep", f"{base}/messages?limit=50&before={deep.id}"),
        ("conversation list page", "/api/conversations"),
        ("unread count", f"/api/conversations/{other.id}/unread-count"),
        ("two-word search", "/api/messages/search?q=kitchen%20tomorrow"),
        ("two-word search, prefixes", "/api/messages/search?q=kitch%20tomor"),
        ("two-word search, stop words", "/api/messages/search?q=the%20and"),
    ]
    print(
        f"store: {path} ({big.last_seq:,} messages in the big conversation, "
        f"{len(convs)} conversations for the user); {ROUNDS} requests each"
    )
    print(f"{'request':28} {'p50 ms':>8} {'p99 ms':>8}")
    for name, url in cases:
        p50, p99 = measure(client, url, headers)
        print(f"{name:28} {p50:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "instance/bench.sqlite3")
