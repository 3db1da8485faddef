"""The server's VAPID identity (RFC 8292) for Web Push.

``VAPID_PRIVATE_KEY`` (a PEM, or the base64url raw/DER key py_vapid reads) wins; otherwise a key is
generated once and kept in ``instance/vapid_private.pem`` (created atomically, so several processes
starting together agree on one key).
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"


def load_vapid(private_key: str | None, instance_dir: str) -> Vapid02:
    if private_key:
        text = private_key.strip()
        if "-----BEGIN" in text:
            return Vapid02.from_pem(text.encode())
        return Vapid02.from_string(text)
    os.makedirs(instance_dir, exist_ok=True)
    path = os.path.join(instance_dir, KEY_FILE)
    if not os.path.exists(path):
        fresh = Vapid02()
        fresh.generate_keys()
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(fresh.private_pem())
        try:  # link() fails if the name exists: the first process's key wins, whole
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    with open(path, "rb") as f:
        return Vapid02.from_pem(f.read())


def application_server_key(vapid: Vapid02) -> str:
    """The public key as browsers want it for ``pushManager.subscribe`` (base64url, no padding,
    uncompressed P-256 point)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
