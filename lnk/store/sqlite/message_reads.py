"""Read tracking and per-user hiding: the paths that keep unread counts exact.

A participant's ``unread_count`` is the number of messages that are *countable* for it (marked
``counts_unread`` by the services, from someone else, not deleted, not hidden for it, ``seq >
cleared_seq``) and have no ``message_reads`` row for it. Every write below keeps that equality
inside one transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from lnk.domain.models import MessageRead
from lnk.store.sqlite.codec import from_ms, to_ms
from lnk.store.sqlite.connection import Database, placeholders

_UNREAD_FOR_USER = (
    "m.conversation_id = ? AND m.sender_id != ? AND m.counts_unread = 1 AND m.deleted = 0"
    " AND m.seq > ?"
    " AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.message_id = m.id AND h.user_id = ?)"
    " AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.user_id = ?)"
)


class ReadTracking:
    db: Database

    def mark_read(
        self, conversation_id: str, user_id: str, message_ids: list[str] | None, now: datetime
    ) -> tuple[list[str], int]:
        with self.db.write() as cur:
            p = cur.execute(
                "SELECT unread_count, cleared_seq, last_read_seq FROM participants"
                " WHERE conversation_id = ? AND user_id = ?",
                (conversation_id, user_id),
            ).fetchone()
            if p is None:
                return [], 0
            sql = f"SELECT m.id FROM messages AS m WHERE {_UNREAD_FOR_USER}"
            if message_ids is None:
                # below the watermark everything countable already has a read row
                floor = max(p["cleared_seq"], p["last_read_seq"])
                params: list[object] = [conversation_id, user_id, floor, user_id, user_id]
            else:
                ids = list(dict.fromkeys(message_ids))
                if not ids:
                    return [], p["unread_count"]
                sql += f" AND m.id IN ({placeholders(len(ids))})"
                params = [conversation_id, user_id, p["cleared_seq"], user_id, user_id, *ids]
            new_ids = [r[0] for r in cur.execute(sql + " ORDER BY m.seq", params).fetchall()]
            read_at = to_ms(now)
            cur.executemany(
                "INSERT OR IGNORE INTO message_reads (message_id, user_id, read_at)"
                " VALUES (?, ?, ?)",
                [(message_id, user_id, read_at) for message_id in new_ids],
            )
            if message_ids is None:
                cur.execute(
                    "UPDATE participants SET unread_count = 0,"
                    " last_read_seq = (SELECT last_seq FROM conversations WHERE id = ?)"
                    " WHERE conversation_id = ? AND user_id = ?",
                    (conversation_id, conversation_id, user_id),
                )
                return new_ids, 0
            if not new_ids:
                return [], p["unread_count"]
            row = cur.execute(
                "UPDATE participants SET unread_count = max(unread_count - ?, 0)"
                " WHERE conversation_id = ? AND user_id = ? RETURNING unread_count",
                (len(new_ids), conversation_id, user_id),
            ).fetchone()
            return new_ids, row[0]

    def reads(self, message_id: str) -> list[MessageRead]:
        rows = self.db.all(
            "SELECT user_id, read_at FROM message_reads WHERE message_id = ?"
            " ORDER BY read_at, user_id",
            (message_id,),
        )
        return [MessageRead(message_id, r["user_id"], from_ms(r["read_at"])) for r in rows]

    def hide_for(self, message_id: str, user_id: str) -> bool:
        with self.db.write() as cur:
            m = cur.execute(
                "SELECT conversation_id, seq, sender_id, counts_unread, deleted FROM messages"
                " WHERE id = ?",
                (message_id,),
            ).fetchone()
            if m is None:
                return False
            hidden = cur.execute(
                "INSERT OR IGNORE INTO hidden_messages (message_id, user_id) VALUES (?, ?)",
                (message_id, user_id),
            )
            if hidden.rowcount == 0:
                return False
            if m["sender_id"] != user_id and m["counts_unread"] and not m["deleted"]:
                cur.execute(
                    "UPDATE participants SET unread_count = max(unread_count - 1, 0)"
                    " WHERE conversation_id = ? AND user_id = ? AND cleared_seq < ?"
                    " AND NOT EXISTS (SELECT 1 FROM message_reads"
                    "   WHERE message_id = ? AND user_id = participants.user_id)",
                    (m["conversation_id"], user_id, m["seq"], message_id),
                )
            return True

    def is_hidden(self, message_id: str, user_id: str) -> bool:
        row = self.db.one(
            "SELECT 1 FROM hidden_messages WHERE message_id = ? AND user_id = ?",
            (message_id, user_id),
        )
        return row is not None

    @staticmethod
    def _uncount_for_everyone(
        cur: sqlite3.Cursor, message_id: str, conversation_id: str, sender_id: str, seq: int
    ) -> None:
        """Decrements ``unread_count`` of each participant for whom the message was unread."""
        cur.execute(
            "UPDATE participants SET unread_count = max(unread_count - 1, 0)"
            " WHERE conversation_id = ? AND user_id != ? AND cleared_seq < ?"
            " AND NOT EXISTS (SELECT 1 FROM message_reads"
            "   WHERE message_id = ? AND user_id = participants.user_id)"
            " AND NOT EXISTS (SELECT 1 FROM hidden_messages"
            "   WHERE message_id = ? AND user_id = participants.user_id)",
            (conversation_id, sender_id, seq, message_id, message_id),
        )
