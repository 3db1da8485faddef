"""``PushService``: a local Web Push endpoint that acts like a browser vendor's push service.

``new_subscription()`` makes a browser-side key pair and auth secret (as a browser would) and the
subscription JSON to hand to LNK. A POST to the endpoint must carry a valid VAPID ``Authorization``
(RFC 8292: an ES256 JWT for this origin, signed by the key in ``k``) and an aes128gcm body, which
is decrypted with http_ece and the subscription's private key. ``status_for`` sets the answer
per subscription (e.g. 410 Gone).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.net import free_port, wait_until


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Delivery:
    subscription: str
    payload: dict
    vapid_claims: dict
    vapid_key: str
    headers: dict


@dataclass
class BrowserKeys:
    name: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    status: int = 201


@dataclass
class PushService:
    port: int = field(default_factory=free_port)
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    subscriptions: dict[str, BrowserKeys] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_subscription(self) -> dict:
        name = os.urandom(8).hex()
        keys = BrowserKeys(name, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.subscriptions[name] = keys
        public = keys.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{name}",
            "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(keys.auth)},
        }

    def status_for(self, subscription: dict, status: int) -> None:
        self.subscriptions[subscription["endpoint"].rsplit("/", 1)[1]].status = status

    def for_subscription(self, subscription: dict) -> list[Delivery]:
        name = subscription["endpoint"].rsplit("/", 1)[1]
        with self.lock:
            return [d for d in self.deliveries if d.subscription == name]

    def wait_for(self, subscription: dict, count: int = 1, timeout: float = 15.0) -> list[Delivery]:
        wait_until(
            lambda: len(self.for_subscription(subscription)) >= count,
            timeout,
            message=f"{count} push(es)",
        )
        return self.for_subscription(subscription)

    def receive(self, name: str, headers: dict, body: bytes) -> int:
        keys = self.subscriptions.get(name)
        if keys is None:
            return 404
        if keys.status >= 300:
            return keys.status
        scheme, _, params = headers.get("authorization", "").partition(" ")
        fields = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        if scheme.lower() != "vapid" or "t" not in fields or "k" not in fields:
            self.rejected.append("no vapid authorization")
            return 401
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
        try:
            claims = jwt.decode(fields["t"], public, algorithms=["ES256"], audience=self.origin)
        except jwt.PyJWTError as exc:
            self.rejected.append(f"bad vapid token: {exc}")
            return 403
        if claims.get("exp", 0) <= time.time() or not str(claims.get("sub", "")).startswith(
            ("mailto:", "https:")
        ):
            self.rejected.append(f"bad vapid claims: {claims}")
            return 403
        if headers.get("content-encoding") != "aes128gcm":
            self.rejected.append("not aes128gcm")
            return 400
        plain = http_ece.decrypt(
            body, private_key=keys.private_key, auth_secret=keys.auth, version="aes128gcm"
        )
        with self.lock:
            self.deliveries.append(
                Delivery(name, json.loads(plain), claims, fields["k"], dict(headers))
            )
        return 201


def _handler(service: PushService):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            name = self.path.rsplit("/", 1)[-1]
            try:
                status = service.receive(name, headers, body)
            except Exception as exc:  # a decryption failure is the sender's fault: 400
                service.rejected.append(repr(exc))
                status = 400
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    return Handler
