"""Service offers and booking requests carried by messages.

The offer's or request's status is copied into the ``status`` column so that a compare-and-set is
one ``UPDATE ... WHERE status = ?``; ``pending_expires_at`` and ``pending_provider_id`` are set
only while it is pending, which keeps their partial indexes small.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from lnk.domain.models import BookingRequest, Message, ServiceOffer
from lnk.store.sqlite.codec import message_from_row, offer_to_json, request_to_json, to_ms
from lnk.store.sqlite.connection import Database


def offer_columns(
    offer: ServiceOffer | None, request: BookingRequest | None
) -> tuple[str | None, int | None, str | None]:
    """(status, pending_expires_at, pending_provider_id) of a message's offer or request."""
    item = offer or request
    if item is None:
        return None, None, None
    if item.status != "pending":
        return item.status, None, None
    provider = request.provider_id if request is not None and offer is None else None
    return item.status, to_ms(item.expires_at), provider


def refresh_preview(
    cur: sqlite3.Cursor, conversation_id: str, message_id: str, preview: str
) -> None:
    """Replaces the conversation's last-message preview if ``message_id`` is its last message."""
    cur.execute(
        "UPDATE conversations SET last_message = json_set(last_message, '$.preview', ?)"
        " WHERE id = ? AND last_message ->> '$.id' = ?",
        (preview, conversation_id, message_id),
    )


class OfferState:
    db: Database

    def update_offer(
        self, message_id: str, expected_status: str, offer: ServiceOffer, preview: str
    ) -> Message | None:
        status, expires, _ = offer_columns(offer, None)
        return self._compare_and_set(
            "service_offer",
            message_id,
            expected_status,
            offer_to_json(offer),
            (status, expires, None),
            preview,
        )

    def update_booking_request(
        self, message_id: str, expected_status: str, request: BookingRequest, preview: str
    ) -> Message | None:
        return self._compare_and_set(
            "booking_request",
            message_id,
            expected_status,
            request_to_json(request),
            offer_columns(None, request),
            preview,
        )

    def _compare_and_set(
        self,
        column: str,
        message_id: str,
        expected_status: str,
        value: str | None,
        status_columns: tuple[str | None, int | None, str | None],
        preview: str,
    ) -> Message | None:
        with self.db.write() as cur:
            row = cur.execute(
                f"UPDATE messages SET {column} = ?, status = ?, pending_expires_at = ?,"
                f" pending_provider_id = ? WHERE id = ? AND {column} IS NOT NULL"
                " AND status = ? AND deleted = 0 RETURNING *",
                (value, *status_columns, message_id, expected_status),
            ).fetchone()
            if row is None:
                return None
            refresh_preview(cur, row["conversation_id"], message_id, preview)
        return message_from_row(row)

    def pending_expired(self, now: datetime, limit: int = 100) -> list[Message]:
        rows = self.db.all(
            "SELECT * FROM messages WHERE pending_expires_at IS NOT NULL"
            " AND pending_expires_at <= ? ORDER BY pending_expires_at LIMIT ?",
            (to_ms(now), limit),
        )
        return [message_from_row(r) for r in rows]

    def pending_requests_for_provider(self, provider_id: str) -> list[Message]:
        rows = self.db.all(
            "SELECT * FROM messages WHERE pending_provider_id = ? ORDER BY rowid", (provider_id,)
        )
        return [message_from_row(r) for r in rows]
