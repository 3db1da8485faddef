"""Provider response records: when a conversation reached a provider and when it answered."""

from __future__ import annotations

from datetime import datetime

from lnk.store.safety import MetricsRepository, ResponseTimeRepository
from lnk.store.sqlite.codec import from_ms, to_ms
from lnk.store.sqlite.connection import Database

MIGRATION = [
    """CREATE TABLE response_times (
        provider_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        answered_at INTEGER,
        PRIMARY KEY (provider_id, conversation_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX response_times_opened ON response_times (provider_id, opened_at)",
    """CREATE INDEX response_times_answered ON response_times (answered_at)
        WHERE answered_at IS NOT NULL""",
    """CREATE TABLE daily_metrics (
        day TEXT NOT NULL,
        metric TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (day, metric)
    ) WITHOUT ROWID""",
    """CREATE TABLE daily_active_users (
        day TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (day, user_id)
    ) WITHOUT ROWID""",
]


class SqliteResponseTimeRepository(ResponseTimeRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def opened(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        return (
            self.db.run(
                "INSERT OR IGNORE INTO response_times (provider_id, conversation_id, opened_at)"
                " VALUES (?, ?, ?)",
                (provider_id, conversation_id, to_ms(at)),
            )
            == 1
        )

    def answered(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        return (
            self.db.run(
                "UPDATE response_times SET answered_at = ? WHERE provider_id = ?"
                " AND conversation_id = ? AND answered_at IS NULL",
                (to_ms(at), provider_id, conversation_id),
            )
            == 1
        )

    def answered_between(self, start: datetime, end: datetime) -> list[float]:
        rows = self.db.all(
            "SELECT answered_at - opened_at FROM response_times"
            " WHERE answered_at IS NOT NULL AND answered_at >= ? AND answered_at < ?",
            (to_ms(start), to_ms(end)),
        )
        return [r[0] / 60000 for r in rows]

    def since(
        self, provider_id: str, opened_after: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        rows = self.db.all(
            "SELECT opened_at, answered_at FROM response_times"
            " WHERE provider_id = ? AND opened_at > ? ORDER BY opened_at",
            (provider_id, to_ms(opened_after)),
        )
        return [(from_ms(r[0]), from_ms(r[1])) for r in rows]  # type: ignore[misc]


class SqliteMetricsRepository(MetricsRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, day: str, metric: str, amount: int = 1) -> None:
        self.db.run(
            "INSERT INTO daily_metrics (day, metric, value) VALUES (?, ?, ?)"
            " ON CONFLICT (day, metric) DO UPDATE SET value = value + excluded.value",
            (day, metric, amount),
        )

    def mark_active(self, day: str, user_id: str) -> bool:
        return (
            self.db.run(
                "INSERT OR IGNORE INTO daily_active_users (day, user_id) VALUES (?, ?)",
                (day, user_id),
            )
            == 1
        )

    def series(self, first_day: str, last_day: str) -> dict[tuple[str, str], int]:
        rows = self.db.all(
            "SELECT day, metric, value FROM daily_metrics WHERE day >= ? AND day <= ?",
            (first_day, last_day),
        )
        return {(r[0], r[1]): int(r[2]) for r in rows}
