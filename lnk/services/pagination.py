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


MAX_SAFE_INT = 2**53 - 1  # the largest integer every JSON client reads exactly
MAX_CURSOR_CHARS = 512
MAX_CURSOR_TEXT = 200


def decode_cursor(cursor: str, **fields: type) -> dict[str, Any]:
    """Decodes a cursor made by ``encode_cursor`` holding ``fields`` (name: ``str`` or
    ``int``); a forged or foreign one, or one whose values have the wrong type or size, is a
    422 and reaches no query."""
    data = None
    if len(cursor) <= MAX_CURSOR_CHARS:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            data = None
    if not isinstance(data, dict) or not all(
        _fits(data.get(key), kind) for key, kind in fields.items()
    ):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return data


def _fits(value: Any, kind: type) -> bool:
    if kind is int:
        return type(value) is int and 0 <= value <= MAX_SAFE_INT
    return isinstance(value, str) and 0 < len(value) <= MAX_CURSOR_TEXT


def check_seq(value: int | None, field: str) -> int | None:
    """A sequence number from a client: 0 to 2^53 - 1, else a 422 on ``field``."""
    if value is not None and not 0 <= value <= MAX_SAFE_INT:
        raise ValidationFailed.field(field, f"must be between 0 and {MAX_SAFE_INT}")
    return value


def clamp_limit(limit: int | None, default: int, maximum: int = 100) -> int:
    if limit is None:
        return default
    return max(1, min(int(limit), maximum))
