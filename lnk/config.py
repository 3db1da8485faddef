"""Settings, read only from the environment (with safe development defaults)."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

DEFAULT_SECRET_FILE = "instance/secret_key"
MIN_SECRET_CHARS = 32


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


def _origins(raw: str) -> tuple[str, ...]:
    """``https://a.example, https://b.example`` -> the origins, without trailing slashes."""
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


@dataclass
class Settings:
    env: str = "development"  # LNK_ENV: development | production | testing
    port: int = 3001
    sqlite_path: str = "instance/lnk.sqlite3"
    mongodb_uri: str | None = None
    upload_dir: str = "instance/uploads"
    # JWT_SECRET; without it, a random key generated once and kept in ``secret_file``.
    jwt_secret: str | None = None
    secret_file: str = DEFAULT_SECRET_FILE
    # LNK_TRANSCRIPT_KEY signs conversation transcripts; without it, a key derived from the
    # signing secret above.
    transcript_key: str | None = None
    host: str = "127.0.0.1"  # HOST: the address ``python app.py`` listens on
    trusted_proxies: int = 0  # LNK_TRUSTED_PROXIES: proxies in front whose X-Forwarded-* count
    redis_url: str | None = None
    async_mode: str = "gevent"  # LNK_ASYNC_MODE: gevent | eventlet | threading
    ratelimit_enabled: bool = True
    max_upload_bytes: int = 25 * 1024 * 1024
    upload_quota_bytes: int = 1 << 30
    # A message reported by this many different users is hidden from everyone but its sender
    # until a moderator decides (LNK_REPORT_HIDE_THRESHOLD).
    report_hide_threshold: int = 3
    max_json_bytes: int = 64 * 1024
    access_token_ttl: timedelta = timedelta(minutes=15)
    refresh_token_ttl: timedelta = timedelta(days=30)
    cookie_secure: bool = False
    # Realtime: presence heartbeat TTL across processes (LNK_PRESENCE_TTL, seconds), the grace
    # before userOffline (LNK_OFFLINE_GRACE) and how long an unrenewed typing state lasts.
    presence_ttl: float = 6.0
    offline_grace: float = 3.0
    typing_ttl: float = 6.0
    # The worker pool for CPU-heavy and long blocking work (hashing, images, archives, long
    # queries): threads running at once (LNK_WORKER_THREADS) and tasks that may wait for one
    # (LNK_WORKER_QUEUE); beyond that a request gets 503 ``overloaded``.
    worker_threads: int = 2
    worker_queue: int = 32
    # Other origins whose pages may call /api and open the socket (LNK_CORS_ORIGINS, commas).
    cors_origins: tuple[str, ...] = ()
    # Notifications: SMTP_URL turns email on; the delays before a chat digest and a deal notice;
    # the outbox worker (LNK_NOTIFY_WORKER, on for servers) and its poll interval; VAPID for Web
    # Push (a key is generated under instance/ when unset); PUBLIC_URL for links in mail.
    smtp_url: str | None = None
    mail_from: str = "LNK <no-reply@localhost>"
    notify_delay_s: float = 300.0
    notify_deal_delay_s: float = 60.0
    notify_worker: bool = False
    notify_poll_s: float = 2.0
    vapid_private_key: str | None = None
    vapid_subject: str = "mailto:admin@localhost"
    public_url: str | None = None
    push_hosts: tuple[str, ...] = ()  # LNK_PUSH_HOSTS: push service hosts beyond the browsers'
    # Message queue outbox bounds per process (LNK_OUTBOX_MAX_EVENTS, LNK_OUTBOX_MAX_AGE seconds)
    # and when a socket that stopped reading is cut off (LNK_STALL_BACKLOG unsent packets,
    # LNK_STALL_SECONDS with a non-empty send queue).
    outbox_max_events: int = 10_000
    outbox_max_age: float = 300.0
    stall_backlog: int = 1000
    stall_seconds: float = 30.0
    # How long a newMessage that arrived ahead of a gap waits for the missing one (LNK_ORDER_HOLD).
    order_hold: float = 1.0
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
            jwt_secret=secret or None,
            secret_file=os.environ.get("LNK_SECRET_FILE") or DEFAULT_SECRET_FILE,
            transcript_key=os.environ.get("LNK_TRANSCRIPT_KEY") or None,
            host=os.environ.get("HOST") or "127.0.0.1",
            trusted_proxies=_int("LNK_TRUSTED_PROXIES", 0),
            redis_url=os.environ.get("REDIS_URL") or None,
            async_mode=os.environ.get("LNK_ASYNC_MODE", "gevent"),
            ratelimit_enabled=_bool("RATELIMIT_ENABLED", True),
            max_upload_bytes=_int("MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
            upload_quota_bytes=_int("LNK_UPLOAD_QUOTA_BYTES", 1 << 30),
            cors_origins=_origins(os.environ.get("LNK_CORS_ORIGINS", "")),
            report_hide_threshold=max(1, _int("LNK_REPORT_HIDE_THRESHOLD", 3)),
            cookie_secure=_bool("COOKIE_SECURE", env == "production"),
            presence_ttl=_float("LNK_PRESENCE_TTL", 6.0),
            offline_grace=min(_float("LNK_OFFLINE_GRACE", 3.0), 5.0),
            typing_ttl=_float("LNK_TYPING_TTL", 6.0),
            worker_threads=max(1, _int("LNK_WORKER_THREADS", 2)),
            worker_queue=max(0, _int("LNK_WORKER_QUEUE", 32)),
            smtp_url=os.environ.get("SMTP_URL") or None,
            mail_from=os.environ.get("MAIL_FROM") or "LNK <no-reply@localhost>",
            notify_delay_s=_float("LNK_NOTIFY_DELAY_S", 300.0),
            notify_deal_delay_s=_float("LNK_NOTIFY_DEAL_DELAY_S", 60.0),
            notify_worker=_bool("LNK_NOTIFY_WORKER", True),
            notify_poll_s=_float("LNK_NOTIFY_POLL_S", 2.0),
            vapid_private_key=os.environ.get("VAPID_PRIVATE_KEY") or None,
            vapid_subject=os.environ.get("VAPID_SUBJECT") or "mailto:admin@localhost",
            public_url=(os.environ.get("PUBLIC_URL") or "").rstrip("/") or None,
            push_hosts=tuple(
                h.strip() for h in os.environ.get("LNK_PUSH_HOSTS", "").split(",") if h.strip()
            ),
            outbox_max_events=_int("LNK_OUTBOX_MAX_EVENTS", 10_000),
            outbox_max_age=_float("LNK_OUTBOX_MAX_AGE", 300.0),
            order_hold=_float("LNK_ORDER_HOLD", 1.0),
            stall_backlog=_int("LNK_STALL_BACKLOG", 1000),
            stall_seconds=_float("LNK_STALL_SECONDS", 30.0),
        )

    def signing_key(self) -> str:
        """``JWT_SECRET``, else the key kept in ``secret_file`` (created on first use)."""
        if self.jwt_secret is None:
            self.jwt_secret = load_or_create_secret(self.secret_file)
        return self.jwt_secret


def load_or_create_secret(path: str) -> str:
    """The random key stored at ``path``, created (mode 0600) if missing.

    Race-safe for several processes starting at once: the key is written to a private temporary
    file that is then hard-linked into place, which fails if another process got there first;
    everyone then reads the one file that won, never a half-written one."""
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    temporary = os.path.join(directory, f".secret-{os.getpid()}-{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_secret(path)


def _read_secret(path: str) -> str:
    with open(path) as handle:
        key = handle.read().strip()
    if len(key) < MIN_SECRET_CHARS:
        raise RuntimeError(f"the key in {path} is too short; delete it or set JWT_SECRET")
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
    return key
