"""Signed, expiring tokens in notification links: address verification and one-click unsubscribe.

itsdangerous (Flask's own signer) with a purpose-specific salt, so a token of one kind never
passes for the other.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

VERIFY_MAX_AGE_S = 3 * 24 * 3600
UNSUBSCRIBE_MAX_AGE_S = 365 * 24 * 3600


class LinkTokens:
    def __init__(self, secret: str) -> None:
        self._verify = URLSafeTimedSerializer(secret, salt="lnk-verify-email")
        self._unsubscribe = URLSafeTimedSerializer(secret, salt="lnk-unsubscribe")

    def verify_token(self, user_id: str, email: str) -> str:
        return self._verify.dumps({"u": user_id, "e": email})

    def read_verify_token(self, token: str) -> tuple[str, str] | None:
        """(user id, address), or None for a bad or expired token."""
        data = _loads(self._verify, token, VERIFY_MAX_AGE_S)
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        if not isinstance(data.get("e"), str):
            return None
        return data["u"], data["e"]

    def unsubscribe_token(self, user_id: str) -> str:
        return self._unsubscribe.dumps({"u": user_id})

    def read_unsubscribe_token(self, token: str) -> str | None:
        data = _loads(self._unsubscribe, token, UNSUBSCRIBE_MAX_AGE_S)
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return data["u"]


def _loads(serializer: URLSafeTimedSerializer, token: str, max_age: int) -> object:
    if not token or len(token) > 1024:
        return None
    try:
        return serializer.loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
