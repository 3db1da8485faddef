"""Reservations of ``(conversationId, senderId, clientId)`` taken before a message gets its seq.

The unique index here makes a repeated send fail before the conversation's seq counter moves,
so an idempotent retry can never leave a gap in the seqs. A reservation's ``_id`` is the id of
the message it is for."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from lnk.store.base import DuplicateError
from lnk.store.mongo.codec import Doc, aware, to_bson_dt

# A reservation whose message is still missing after this long was left by a crashed sender.
STALE_AFTER = timedelta(seconds=60)
_POLLS, _POLL_SECONDS = 40, 0.025  # wait up to 1 s for a concurrent identical send to finish


class ClientIdReservations:
    def __init__(self, reservations: Collection[Doc], messages: Collection[Doc]) -> None:
        self._reservations = reservations
        self._messages = messages

    def reserve(
        self, conversation: ObjectId, sender: Any, client_id: str, message_id: ObjectId
    ) -> None:
        """Raises DuplicateError when the clientId is taken by a stored or in-flight message."""
        key = {"conversationId": conversation, "senderId": sender, "clientId": client_id}
        for _ in range(2):
            try:
                self._reservations.insert_one(
                    {"_id": message_id, **key, "reservedAt": to_bson_dt(datetime.now(UTC))}
                )
                return
            except DuplicateKeyError:
                pass
            held = self._reservations.find_one(key)
            if held is None:
                continue  # released meanwhile: try again
            for _ in range(_POLLS):
                if self._messages.find_one({"_id": held["_id"]}, {"_id": 1}) is not None:
                    raise DuplicateError(f"clientId {client_id!r} already used")
                time.sleep(_POLL_SECONDS)
            if datetime.now(UTC) - aware(held["reservedAt"]) < STALE_AFTER:
                raise DuplicateError(f"clientId {client_id!r} is being sent")
            # Left by a sender that crashed before inserting its message: take it over (the
            # filter on _id makes only one of several racing senders remove it).
            self._reservations.delete_one({"_id": held["_id"]})
        raise DuplicateError(f"clientId {client_id!r} already used")

    def release(self, message_id: ObjectId) -> None:
        self._reservations.delete_one({"_id": message_id})
