"""Trust and safety records: reports of messages and users, the admins' audit log, and what
blocks stand between two people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

REPORT_REASONS = ("spam", "harassment", "scam", "off_platform", "other")
REPORT_TARGETS = ("message", "user")


@dataclass
class Report:
    """One user's report of a message or of another user. ``subject_id`` is the user the report
    is about (the message's sender, or the reported user); ``conversation_id`` is set for
    messages. Open until a moderator decides; a decision closes every open report of the target."""

    id: str
    reporter_id: str
    target_type: str  # message | user
    target_id: str
    subject_id: str
    reason: str
    created_at: datetime
    note: str = ""
    conversation_id: str | None = None
    status: str = "open"  # open | closed
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


@dataclass
class AuditEntry:
    """An admin's action, recorded once and never changed: who did what to which target."""

    id: str
    actor_id: str
    action: str
    target_type: str
    target_id: str
    at: datetime
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BlockState:
    """Between a user and another, from the user's side."""

    blocking: bool  # the user blocks the other
    blocked_by: bool  # the other blocks the user

    @property
    def any(self) -> bool:
        """Nothing may be sent between them in their direct conversation."""
        return self.blocking or self.blocked_by

    @property
    def other_side(self) -> BlockState:
        return BlockState(blocking=self.blocked_by, blocked_by=self.blocking)
