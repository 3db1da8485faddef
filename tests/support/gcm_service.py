"""``GcmService``: a loopback stand-in for the registration service Chromium's push messaging talks
to (device check-in and registration), so that ``pushManager.subscribe`` works without the
internet. Chromium is pointed at it with ``--gcm-checkin-url`` and ``--gcm-registration-url``; the
subscription it returns has an ``https://fcm.googleapis.com/fcm/send/<token>`` endpoint, as usual.
"""

from __future__ import annotations

import os
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.net import free_port


def _checkin_response() -> bytes:
    """AndroidCheckinResponse (protobuf): stats_ok = 1, android_id = 7, security_token = 8."""
    android_id, security_token = struct.unpack("<QQ", os.urandom(16))
    return (
        b"\x08\x01"
        + b"\x39"
        + struct.pack("<Q", android_id | 1)
        + b"\x41"
        + struct.pack("<Q", security_token | 1)
    )


class GcmService:
    def __init__(self) -> None:
        self.port = free_port()
        self.checkins = 0
        self.registrations: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def chromium_args(self) -> list[str]:
        base = f"http://127.0.0.1:{self.port}"
        return [
            f"--gcm-checkin-url={base}/checkin",
            f"--gcm-registration-url={base}/register",
            f"--gcm-mcs-endpoint=https://127.0.0.1:{self.port}",
        ]

    def __enter__(self) -> GcmService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(service: GcmService):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/checkin"):
                service.checkins += 1
                body, kind = _checkin_response(), "application/x-protobuf"
            elif self.path.startswith("/register"):
                token = os.urandom(20).hex()
                service.registrations.append(token)
                body, kind = f"token={token}".encode(), "text/plain"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    return Handler
