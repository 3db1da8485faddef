"""Settings, read only from the environment (with safe development defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

DEV_JWT_SECRET = "lnk-development-secret-change-me-please-0123456789"


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass
class Settings:
    env: str = "development"  # LNK_ENV: development | production | testing
    port: int = 3001
    sqlite_path: str = "instance/lnk.sqlite3"
    mongodb_uri: str | None = None
    upload_dir: str = "instance/uploads"
    jwt_secret: str = DEV_JWT_SECRET
    redis_url: str | None = None
    async_mode: str = "gevent"  # LNK_ASYNC_MODE: gevent | eventlet | threading
    ratelimit_enabled: bool = True
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_quota_bytes: int = 1 << 30
    max_json_bytes: int = 64 * 1024
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    cookie_secure: bool = False
    # Realtime: presence heartbeat TTL across processes (LNK_PRESENCE_TTL, seconds), the grace
    # before userOffline (LNK_OFFLINE_GRACE) and how long an unrenewed typing state lasts.
    presence_ttl: float = 30.0
    offline_grace: float = 3.0
    typing_ttl: float = 6.0
    # The worker pool for CPU-heavy and long blocking work (hashing, images, archives, long
    # queries): threads running at once (LNK_WORKER_THREADS) and tasks that may wait for one
    # (LNK_WORKER_QUEUE); beyond that a request gets 503 ``overloaded``.
    worker_threads: int = 2
    worker_queue: int = 32
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get("LNK_ENV", "development")
        secret = os.environ.get("JWT_SECRET")
        if env == "production" and not secret:
            raise RuntimeError("JWT_SECRET must be set when LNK_ENV=production")
        return cls(
            env=env,
            port=_int("PORT", 3001),
            sqlite_path=os.environ.get("SQLITE_PATH", "instance/lnk.sqlite3"),
            mongodb_uri=os.environ.get("MONGODB_URI") or None,
            upload_dir=os.environ.get("UPLOAD_DIR", "instance/uploads"),
            jwt_secret=secret or DEV_JWT_SECRET,
            redis_url=os.environ.get("REDIS_URL") or None,
            async_mode=os.environ.get("LNK_ASYNC_MODE", "gevent"),
            ratelimit_enabled=_bool("RATELIMIT_ENABLED", True),
            max_upload_bytes=_int("MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
            upload_quota_bytes=_int("LNK_UPLOAD_QUOTA_BYTES", 1 << 30),
            cookie_secure=_bool("COOKIE_SECURE", env == "production"),
            presence_ttl=_float("LNK_PRESENCE_TTL", 30.0),
            offline_grace=min(_float("LNK_OFFLINE_GRACE", 3.0), 5.0),
            typing_ttl=_float("LNK_TYPING_TTL", 6.0),
            worker_threads=max(1, _int("LNK_WORKER_THREADS", 2)),
            worker_queue=max(0, _int("LNK_WORKER_QUEUE", 32)),
        )
