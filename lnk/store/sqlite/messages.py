"""Messages: append with its side effects, paging, search, edit, delete and reactions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from lnk.domain import search_text
from lnk.domain.models import Message
from lnk.store.base import DuplicateError, MessageRepository, NewMessage, Store, StoreError
from lnk.store.sqlite import fts
from lnk.store.sqlite.codec import (
    dumps,
    file_to_dict,
    location_to_json,
    message_from_row,
    offer_to_json,
    reply_to_json,
    request_to_json,
    to_ms,
)
from lnk.store.sqlite.connection import Database, placeholders
from lnk.store.sqlite.message_offers import OfferState, offer_columns, refresh_preview
from lnk.store.sqlite.message_reads import ReadTracking
from lnk.store.sqlite.search import search_rows

_NOT_HIDDEN = (
    "NOT EXISTS (SELECT 1 FROM hidden_messages AS h WHERE h.message_id = m.id AND h.user_id = ?)"
)


def fts_query(terms: list[str]) -> str:
    """Every term (folded by the domain's tokeniser, as the index's words are) as a quoted
    prefix phrase, ANDed: ``"hel"* "wor"*``."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in search_text.terms(terms))


class SqliteMessageRepository(ReadTracking, OfferState, MessageRepository):
    def __init__(self, db: Database) -> None:
        self.db = db
        self._appended = 0  # appends by this process; every fts.BATCH of them, index them

    def append(self, new: NewMessage, now: datetime) -> Message:
        message_id = Store.new_id()
        ms = to_ms(now)
        status, pending_expires_at, pending_provider_id = offer_columns(
            new.service_offer, new.booking_request
        )
        attachments = [file_to_dict(f) for f in new.attachments]
        with self.db.write() as cur:
            row = cur.execute(
                "UPDATE conversations SET last_seq = last_seq + 1, updated_at = ?,"
                " last_message_at = ?, last_message = json_object('id', ?, 'seq', last_seq + 1,"
                " 'sender_id', ?, 'type', ?, 'preview', ?, 'created_at', ?)"
                " WHERE id = ? RETURNING last_seq",
                (ms, ms, message_id, new.sender_id, new.type, new.preview, ms, new.conversation_id),
            ).fetchone()
            if row is None:
                raise StoreError(f"unknown conversation {new.conversation_id!r}")
            seq = row[0]
            try:
                cur.execute(
                    "INSERT INTO messages (id, conversation_id, seq, sender_id, type, content,"
                    " client_id, attachments, location, service_offer, booking_request, reply_to,"
                    " created_at, flagged, status, pending_expires_at, pending_provider_id,"
                    " counts_unread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        new.conversation_id,
                        seq,
                        new.sender_id,
                        new.type,
                        new.content,
                        new.client_id,
                        dumps(attachments) if attachments else None,
                        location_to_json(new.location),
                        offer_to_json(new.service_offer),
                        request_to_json(new.booking_request),
                        reply_to_json(new.reply_to),
                        ms,
                        int(new.flagged),
                        status,
                        pending_expires_at,
                        pending_provider_id,
                        int(new.counts_unread),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise DuplicateError(f"client id {new.client_id!r} already used") from exc
            cur.execute(
                "UPDATE participants SET last_activity_at = ?, deleted_at = NULL,"
                " unread_count = unread_count + (user_id != ? AND ?) WHERE conversation_id = ?",
                (ms, new.sender_id, int(new.counts_unread), new.conversation_id),
            )
            cur.executemany(
                "INSERT OR IGNORE INTO message_files (file_id, message_id, conversation_id, seq)"
                " VALUES (?, ?, ?, ?)",
                [(f.id, message_id, new.conversation_id, seq) for f in new.attachments],
            )
            cur.executemany(
                "UPDATE files SET attached = 1 WHERE id = ? AND attached = 0",
                [(f.id,) for f in new.attachments],
            )
        self._appended += 1
        if self._appended % fts.BATCH == 0:
            fts.catch_up(self.db)
        return Message(
            id=message_id,
            conversation_id=new.conversation_id,
            sender_id=new.sender_id,
            type=new.type,
            seq=seq,
            created_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
            content=new.content,
            client_id=new.client_id,
            attachments=list(new.attachments),
            location=new.location,
            service_offer=new.service_offer,
            booking_request=new.booking_request,
            reply_to=new.reply_to,
            flagged=new.flagged,
            counts_unread=new.counts_unread,
        )

    def get(self, message_id: str) -> Message | None:
        row = self.db.one("SELECT * FROM messages WHERE id = ?", (message_id,))
        return message_from_row(row) if row else None

    def get_many(self, message_ids: Iterable[str]) -> dict[str, Message]:
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return {}
        rows = self.db.all(f"SELECT * FROM messages WHERE id IN ({placeholders(len(ids))})", ids)
        return {row["id"]: message_from_row(row) for row in rows}

    def get_by_client_id(
        self, conversation_id: str, sender_id: str, client_id: str
    ) -> Message | None:
        row = self.db.one(
            "SELECT * FROM messages WHERE conversation_id = ? AND sender_id = ? AND client_id = ?",
            (conversation_id, sender_id, client_id),
        )
        return message_from_row(row) if row else None

    def page(
        self,
        conversation_id: str,
        viewer_id: str,
        *,
        min_seq: int = 0,
        before_seq: int | None = None,
        after_seq: int | None = None,
        limit: int = 50,
    ) -> list[Message]:
        sql = "SELECT * FROM messages AS m WHERE m.conversation_id = ? AND m.seq > ?"
        params: list[object] = [conversation_id]
        if after_seq is not None:
            params.append(max(min_seq, after_seq))
            order = "ASC"
        else:
            params.append(min_seq)
            order = "DESC"
            if before_seq is not None:
                sql += " AND m.seq < ?"
                params.append(before_seq)
        sql += f" AND {_NOT_HIDDEN} ORDER BY m.seq {order} LIMIT ?"
        rows = self.db.all(sql, [*params, viewer_id, limit])
        return [message_from_row(r) for r in rows]

    def search(
        self,
        user_id: str,
        terms: list[str],
        *,
        conversation_id: str | None = None,
        before_id: str | None = None,
        limit: int = 20,
    ) -> list[Message]:
        match = fts_query(terms)
        if not match:
            return []
        fts.catch_up(self.db)  # a write: on the shared connection, before the read

        def query(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            return search_rows(
                conn,
                user_id,
                match,
                conversation_id=conversation_id,
                before_id=before_id,
                limit=limit,
            )

        return [message_from_row(r) for r in self.db.read_in_worker(query)]

    def edit(self, message_id: str, content: str, preview: str, now: datetime) -> Message | None:
        """None also when the message was deleted for everyone (its content stays empty)."""
        with self.db.write() as cur:
            row = cur.execute(
                "UPDATE messages SET content = ?, edited_at = ? WHERE id = ? AND deleted = 0"
                " RETURNING *",
                (content, to_ms(now), message_id),
            ).fetchone()
            if row is None:
                return None
            refresh_preview(cur, row["conversation_id"], message_id, preview)
        return message_from_row(row)

    def delete_for_everyone(self, message_id: str, preview: str, now: datetime) -> Message | None:
        with self.db.write() as cur:
            row = cur.execute(
                "UPDATE messages SET deleted = 1, content = '', attachments = NULL,"
                " location = NULL, service_offer = NULL, booking_request = NULL, status = NULL,"
                " pending_expires_at = NULL, pending_provider_id = NULL"
                " WHERE id = ? AND deleted = 0 RETURNING *",
                (message_id,),
            ).fetchone()
            if row is None:
                return None
            if row["counts_unread"]:
                self._uncount_for_everyone(
                    cur, message_id, row["conversation_id"], row["sender_id"], row["seq"]
                )
            refresh_preview(cur, row["conversation_id"], message_id, preview)
            cur.execute("DELETE FROM message_files WHERE message_id = ?", (message_id,))
        return message_from_row(row)

    def set_reaction(self, message_id: str, user_id: str, emoji: str | None) -> Message | None:
        with self.db.write() as cur:
            row = cur.execute("SELECT reactions FROM messages WHERE id = ?", (message_id,))
            row = row.fetchone()
            if row is None:
                return None
            reactions: dict[str, str] = json.loads(row[0]) if row[0] else {}
            if emoji is None:
                reactions.pop(user_id, None)
            else:
                reactions[user_id] = emoji
            row = cur.execute(
                "UPDATE messages SET reactions = ? WHERE id = ? RETURNING *",
                (dumps(reactions) if reactions else None, message_id),
            ).fetchone()
        return message_from_row(row)

    def flagged(self, limit: int, before_id: str | None = None) -> list[Message]:
        sql = "SELECT * FROM messages INDEXED BY messages_flagged WHERE flagged = 1"
        params: list[object] = []
        if before_id is not None:
            sql += " AND rowid < (SELECT rowid FROM messages WHERE id = ?)"
            params.append(before_id)
        rows = self.db.all(sql + " ORDER BY rowid DESC LIMIT ?", [*params, limit])
        return [message_from_row(r) for r in rows]

    def set_flagged(self, message_id: str, flagged: bool) -> bool:
        sql = "UPDATE messages SET flagged = ? WHERE id = ? AND flagged = ?"
        return self.db.run(sql, (int(flagged), message_id, int(not flagged))) == 1

    def count_flagged(self) -> int:
        sql = "SELECT count(*) FROM messages INDEXED BY messages_flagged WHERE flagged = 1"
        return int(self.db.one(sql)[0])
