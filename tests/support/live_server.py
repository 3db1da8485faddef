"""``LiveServer``: the real app (``python app.py``, gevent) in a subprocess on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.support.net import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    """One server process. Typical use::

        with LiveServer(tmp_path) as server:
            requests.get(server.url + "/api/users/me")

    ``workdir`` holds the SQLite file (``lnk.sqlite3``), the uploads and the server's log unless
    ``sqlite_path`` / ``upload_dir`` point elsewhere (several processes may share one SQLite file).
    ``env`` adds or overrides environment variables (``None`` removes one). Defaults:
    ``LNK_ENV=testing``, ``RATELIMIT_ENABLED=false`` (pass ``ratelimit=True`` to test limits),
    ``REDIS_URL`` only when ``redis_url`` is given, loopback only.
    """

    def __init__(
        self,
        workdir: str | Path | None = None,
        *,
        port: int | None = None,
        sqlite_path: str | Path | None = None,
        upload_dir: str | Path | None = None,
        redis_url: str | None = None,
        ratelimit: bool = False,
        env: dict[str, str | None] | None = None,
        startup_timeout: float = 30.0,
        name: str = "server",
    ) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="lnk-live-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.name = name
        self.sqlite_path = Path(sqlite_path or self.workdir / "lnk.sqlite3")
        self.upload_dir = Path(upload_dir or self.workdir / "uploads")
        self.log_path = self.workdir / f"{name}-{self.port}.log"
        self.startup_timeout = startup_timeout
        self.env = {
            "LNK_ENV": "testing",
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "SQLITE_PATH": str(self.sqlite_path),
            "UPLOAD_DIR": str(self.upload_dir),
            "RATELIMIT_ENABLED": "true" if ratelimit else "false",
            "REDIS_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
        }
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def start(self) -> LiveServer:
        environ = dict(os.environ)
        for key, value in self.env.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=REPO_ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.logs()}"
                )
            try:
                requests.get(self.url + "/api/users/me", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(
            f"{self.name} did not answer within {self.startup_timeout} s:\n{self.logs()}"
        )

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time. Safe to call twice."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the process dies without any cleanup (a crash)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
