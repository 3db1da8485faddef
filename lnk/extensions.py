"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from __future__ import annotations

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


socketio = SocketIO()
jwt = JWTManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
