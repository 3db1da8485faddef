"""Conversations and their participants."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from lnk.domain.models import Conversation, Participant
from lnk.store.base import ConversationCursor, ConversationRepository, DuplicateError, Store
from lnk.store.sqlite.codec import conversation_from_row, participant_from_row, to_ms
from lnk.store.sqlite.connection import Database, placeholders


class SqliteConversationRepository(ConversationRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        type: str,
        title: str | None,
        created_by: str,
        members: list[tuple[str, str]],
        now: datetime,
        direct_key: str | None = None,
    ) -> Conversation:
        conversation_id = Store.new_id()
        ms = to_ms(now)
        try:
            with self.db.write() as cur:
                cur.execute(
                    "INSERT INTO conversations (id, type, title, created_by, created_at,"
                    " updated_at, direct_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, type, title, created_by, ms, ms, direct_key),
                )
                self._insert_members(cur, conversation_id, members, ms, last_seq=0)
        except sqlite3.IntegrityError as exc:
            raise DuplicateError(f"direct conversation {direct_key!r} exists") from exc
        conversation = self.get(conversation_id)
        assert conversation is not None
        return conversation

    @staticmethod
    def _insert_members(
        cur: sqlite3.Cursor,
        conversation_id: str,
        members: Sequence[tuple[str, str]],
        ms: int,
        last_seq: int,
    ) -> None:
        cur.executemany(
            "INSERT INTO participants (conversation_id, user_id, role, joined_at,"
            " last_activity_at, cleared_seq, last_read_seq) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (conversation_id, user_id) DO NOTHING",
            [(conversation_id, uid, role, ms, ms, last_seq, last_seq) for uid, role in members],
        )

    def get(self, conversation_id: str) -> Conversation | None:
        found = self._load([conversation_id])
        return found[0] if found else None

    def get_direct(self, direct_key: str) -> Conversation | None:
        row = self.db.one("SELECT id FROM conversations WHERE direct_key = ?", (direct_key,))
        return self.get(row["id"]) if row else None

    def _load(self, ids: list[str]) -> list[Conversation]:
        """Conversations with all their participants, in the order of ``ids``."""
        if not ids:
            return []
        marks = placeholders(len(ids))
        with self.db.read() as cur:
            rows = cur.execute(f"SELECT * FROM conversations WHERE id IN ({marks})", ids)
            rows = rows.fetchall()
            members = cur.execute(
                f"SELECT rowid AS position, * FROM participants WHERE conversation_id IN ({marks})",
                ids,
            ).fetchall()
        by_conversation: dict[str, list[Participant]] = {}
        for m in sorted(members, key=lambda m: m["position"]):  # join order
            by_conversation.setdefault(m["conversation_id"], []).append(participant_from_row(m))
        by_id = {r["id"]: conversation_from_row(r, by_conversation.get(r["id"], [])) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def participant_ids(self, conversation_id: str) -> list[str]:
        rows = self.db.all(
            "SELECT user_id FROM participants WHERE conversation_id = ? ORDER BY rowid",
            (conversation_id,),
        )
        return [r[0] for r in rows]

    def get_participant(self, conversation_id: str, user_id: str) -> Participant | None:
        row = self.db.one(
            "SELECT * FROM participants WHERE conversation_id = ? AND user_id = ?",
            (conversation_id, user_id),
        )
        return participant_from_row(row) if row else None

    def list_for_user(
        self, user_id: str, *, archived: bool, limit: int, after: ConversationCursor | None = None
    ) -> list[Conversation]:
        sql = (
            "SELECT conversation_id FROM participants INDEXED BY participants_list"
            " WHERE user_id = ? AND archived = ? AND deleted_at IS NULL"
        )
        params: list[object] = [user_id, int(archived)]
        if after is not None:
            sql += " AND (last_activity_at, conversation_id) < (?, ?)"
            params += [to_ms(after.last_activity_at), after.conversation_id]
        sql += " ORDER BY last_activity_at DESC, conversation_id DESC LIMIT ?"
        ids = [r[0] for r in self.db.all(sql, [*params, limit])]
        return self._load(ids)

    def conversation_ids_for_user(self, user_id: str) -> list[str]:
        rows = self.db.all("SELECT conversation_id FROM participants WHERE user_id = ?", (user_id,))
        return [r[0] for r in rows]

    def contacts_of(self, user_id: str) -> set[str]:
        rows = self.db.all(
            "SELECT DISTINCT other.user_id FROM participants AS me"
            " JOIN participants AS other ON other.conversation_id = me.conversation_id"
            " WHERE me.user_id = ? AND other.user_id != me.user_id",
            (user_id,),
        )
        return {r[0] for r in rows}

    def set_title(self, conversation_id: str, title: str, now: datetime) -> None:
        self.db.run(
            "UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?",
            (title, to_ms(now), conversation_id),
        )

    def add_participants(
        self, conversation_id: str, members: list[tuple[str, str]], now: datetime
    ) -> None:
        ms = to_ms(now)
        with self.db.write() as cur:
            row = cur.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ? RETURNING last_seq",
                (ms, conversation_id),
            ).fetchone()
            if row is not None:
                self._insert_members(cur, conversation_id, members, ms, last_seq=row[0])

    def remove_participants(self, conversation_id: str, user_ids: list[str], now: datetime) -> None:
        if not user_ids:
            return
        with self.db.write() as cur:
            cur.execute(
                f"DELETE FROM participants WHERE conversation_id = ?"
                f" AND user_id IN ({placeholders(len(user_ids))})",
                [conversation_id, *user_ids],
            )
            cur.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (to_ms(now), conversation_id),
            )

    def set_participant_role(self, conversation_id: str, user_id: str, role: str) -> None:
        self.db.run(
            "UPDATE participants SET role = ? WHERE conversation_id = ? AND user_id = ?",
            (role, conversation_id, user_id),
        )

    def set_participant_flags(
        self,
        conversation_id: str,
        user_id: str,
        *,
        archived: bool | None = None,
        muted: bool | None = None,
    ) -> None:
        sets: dict[str, int] = {}
        if archived is not None:
            sets["archived"] = int(archived)
        if muted is not None:
            sets["muted"] = int(muted)
        if not sets:
            return
        assignments = ", ".join(f"{column} = ?" for column in sets)
        self.db.run(
            f"UPDATE participants SET {assignments} WHERE conversation_id = ? AND user_id = ?",
            [*sets.values(), conversation_id, user_id],
        )

    def delete_for_user(self, conversation_id: str, user_id: str, now: datetime) -> None:
        self.db.run(
            "UPDATE participants SET deleted_at = ?, unread_count = 0,"
            " cleared_seq = (SELECT last_seq FROM conversations WHERE id = ?),"
            " last_read_seq = (SELECT last_seq FROM conversations WHERE id = ?)"
            " WHERE conversation_id = ? AND user_id = ?",
            (to_ms(now), conversation_id, conversation_id, conversation_id, user_id),
        )
