"""Provider response records: when a conversation reached a provider and when it answered."""

from __future__ import annotations

from datetime import datetime

from lnk.store.base import ResponseTimeRepository
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

    def since(
        self, provider_id: str, opened_after: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        rows = self.db.all(
            "SELECT opened_at, answered_at FROM response_times"
            " WHERE provider_id = ? AND opened_at > ? ORDER BY opened_at",
            (provider_id, to_ms(opened_after)),
        )
        return [(from_ms(r[0]), from_ms(r[1])) for r in rows]  # type: ignore[misc]
