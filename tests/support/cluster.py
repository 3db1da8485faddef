"""Two server processes sharing one SQLite file and one Redis (``start_pair``)."""

from __future__ import annotations

from pathlib import Path

from tests.support.live_server import LiveServer
from tests.support.redis_server import RedisServer


def start_pair(
    redis: RedisServer,
    workdir: Path,
    env: dict[str, str] | None = None,
    *,
    ratelimit: bool = True,
) -> tuple[LiveServer, LiveServer]:
    """Starts servers ``a`` and ``b``; the caller stops them."""
    shared = {
        "sqlite_path": workdir / "shared.sqlite3",
        "upload_dir": workdir / "uploads",
        "redis_url": redis.url,
        "ratelimit": ratelimit,
        "env": env or {},
    }
    a = LiveServer(workdir / "a", name="a", **shared).start()
    try:
        b = LiveServer(workdir / "b", name="b", **shared).start()
    except Exception:
        a.stop()
        raise
    return a, b
