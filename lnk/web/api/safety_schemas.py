"""Schemas of the trust-and-safety API: reports and blocks."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from lnk.services.reports import MAX_NOTE_CHARS
from lnk.web.api.schemas import Instant, Schema, UserOut

ReportReason = Literal["spam", "harassment", "scam", "off_platform", "other"]


class ReportBody(Schema):
    reason: ReportReason
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_CHARS)] | None = None


class ReportOut(Schema):
    id: str
    target_type: Literal["message", "user"]
    target_id: str
    reason: ReportReason
    note: str
    status: Literal["open", "closed"]
    created_at: Instant


class BlockOut(Schema):
    user: UserOut
    blocked_at: Instant


class BlockListOut(Schema):
    items: list[BlockOut]
