"""The storage contract of trust and safety and of the figures built beside it: reports and held
messages, the append-only audit log, blocks, providers' response times and daily counters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime

from lnk.domain.safety import AuditEntry, Report


class ReportRepository(ABC):
    """Reports of messages and users, and the messages held from view pending review."""

    @abstractmethod
    def create(self, report: Report) -> tuple[Report, bool]:
        """Stores an open report (its ``id`` is assigned here) and returns it with True; if the
        reporter already has an open report of the same target, returns that one with False
        (atomically: concurrent repeats store one)."""

    @abstractmethod
    def get(self, report_id: str) -> Report | None: ...

    @abstractmethod
    def count_open(self, target_type: str, target_id: str) -> int:
        """Open reports of the target (one per reporter), by index."""

    @abstractmethod
    def open_for_target(self, target_type: str, target_id: str) -> list[Report]:
        """The target's open reports, oldest first."""

    @abstractmethod
    def list_open(self, limit: int, before_id: str | None = None) -> list[Report]:
        """Open reports, newest first; ``before_id`` continues after that report."""

    @abstractmethod
    def count_open_total(self) -> int: ...

    @abstractmethod
    def close_for_target(
        self, target_type: str, target_id: str, resolution: str, resolved_by: str, now: datetime
    ) -> int:
        """Closes the target's open reports with the moderator's decision; returns how many."""

    @abstractmethod
    def hold(self, message_id: str, now: datetime) -> bool:
        """Holds a message from view pending review; True if it was not held yet."""

    @abstractmethod
    def release(self, message_id: str) -> bool:
        """Stops holding a message; True if it was held."""

    @abstractmethod
    def held_among(self, message_ids: Iterable[str]) -> set[str]:
        """The held ones among ``message_ids`` (one indexed lookup)."""


class AuditLog(ABC):
    """Admins' actions, append-only: there is no way to change or remove an entry."""

    @abstractmethod
    def append(
        self,
        actor_id: str,
        action: str,
        target_type: str,
        target_id: str,
        now: datetime,
        detail: dict | None = None,
    ) -> AuditEntry: ...

    @abstractmethod
    def page(self, limit: int, before_id: str | None = None) -> list[AuditEntry]:
        """Newest first; ``before_id`` continues after that entry."""


class BlockRepository(ABC):
    """Who blocked whom. Each pair is stored once per direction."""

    @abstractmethod
    def block(self, blocker_id: str, blocked_id: str, now: datetime) -> tuple[datetime, bool]:
        """Records the block; returns when it was made and True, or the existing block's time
        and False if it was already there (atomically)."""

    @abstractmethod
    def unblock(self, blocker_id: str, blocked_id: str) -> bool:
        """True if there was such a block."""

    @abstractmethod
    def blocked_by(self, blocker_id: str, limit: int) -> list[tuple[str, datetime]]:
        """``(blocked user id, when)`` of the blocker's blocks, newest first."""

    @abstractmethod
    def related(self, user_id: str) -> set[str]:
        """Users ``user_id`` blocked or was blocked by (two indexed lookups)."""

    @abstractmethod
    def between(self, user_id: str, other_id: str) -> tuple[bool, bool]:
        """Whether ``user_id`` blocks ``other_id``, and whether ``other_id`` blocks ``user_id``
        (two lookups by the unique pair)."""


class ResponseTimeRepository(ABC):
    """When each new direct conversation reached a provider and when it first answered: the
    running record behind response statistics (one row per provider and conversation)."""

    @abstractmethod
    def opened(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        """Records that someone else opened a conversation with the provider; the first record
        stays (True if this one was new)."""

    @abstractmethod
    def answered(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        """Records the provider's first answer (only if the conversation was recorded as opened
        and not answered yet); True if this was it."""

    @abstractmethod
    def answered_between(self, start: datetime, end: datetime) -> list[float]:
        """Minutes from open to first answer of every provider's conversations answered in
        ``[start, end)`` (an index range over those answers only)."""

    @abstractmethod
    def since(
        self, provider_id: str, opened_after: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        """``(opened_at, answered_at)`` of the provider's conversations opened after the given
        instant (an index range over those only)."""


class MetricsRepository(ABC):
    """Daily counters for the admins' analytics (a day is a UTC date, ``YYYY-MM-DD``)."""

    @abstractmethod
    def add(self, day: str, metric: str, amount: int = 1) -> None:
        """Adds to a day's counter (atomically; created at zero)."""

    @abstractmethod
    def mark_active(self, day: str, user_id: str) -> bool:
        """Records that the user was active that day; True the first time that day."""

    @abstractmethod
    def series(self, first_day: str, last_day: str) -> dict[tuple[str, str], int]:
        """Every counter of the days from ``first_day`` to ``last_day`` (inclusive), by
        ``(day, metric)``: an index range over those days only."""
