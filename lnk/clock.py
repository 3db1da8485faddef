"""Time source for the services; tests (and only tests) move it with ``Clock.advance``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """Aware UTC now, truncated to milliseconds (the precision the API shows and stores)."""
        t = datetime.now(UTC) + self._offset
        return t.replace(microsecond=t.microsecond // 1000 * 1000)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def reset(self) -> None:
        self._offset = timedelta(0)
