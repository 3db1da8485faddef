"""Opaque list cursors: base64url JSON, so clients cannot depend on their content."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from lnk.errors import ValidationFailed


def encode_cursor(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *required: str) -> dict[str, Any]:
    """Decodes a cursor made by ``encode_cursor``; a forged or foreign one is a 422."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or any(key not in data for key in required):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return data


def clamp_limit(limit: int | None, default: int, maximum: int = 100) -> int:
    if limit is None:
        return default
    return max(1, min(int(limit), maximum))
