"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from __future__ import annotations

import time
from typing import Any

from flask import g, request
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect


def rate_limit_key() -> str:
    """Per user once authenticated, per client address before."""
    user = getattr(g, "lnk_user", None)
    if user is not None:
        return f"user:{user.id}"
    return f"addr:{request.remote_addr or 'unknown'}"


class CachingJWTManager(JWTManager):
    """Remembers verified claims per token until the token expires.

    PyJWT parses a token four times per verification (~0.5 ms here, a fifth of a page request),
    and a client presents the same token on every request. Revocation and suspension are still
    checked on every request by the blocklist and user loaders; only signature and expiry checks
    are reused. The cache is bounded and cleared whole when full."""

    MAX_ENTRIES = 10_000

    def __init__(self) -> None:
        super().__init__()
        self._verified: dict[tuple[str, str | None], dict[str, Any]] = {}

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False
    ) -> dict:
        if allow_expired:
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        key = (encoded_token, csrf_value)
        claims = self._verified.get(key)
        if claims is not None and claims.get("exp", 0) > time.time():
            return claims
        claims = super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        if len(self._verified) >= self.MAX_ENTRIES:
            self._verified.clear()
        self._verified[key] = claims
        return claims

    def verified_claims(self, encoded_token: str) -> dict[str, Any]:
        """Claims of a validly signed, unexpired token (PyJWT errors propagate)."""
        return self._decode_jwt_from_config(encoded_token, None, False)


socketio = SocketIO()
jwt = CachingJWTManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
