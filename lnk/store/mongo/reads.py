"""Read receipts, per-user hiding and exact unread counters (run inside a unit of work).

A participant's ``unreadCount`` is the number of messages *countable* for it that it has not
read: the service marked the message as counting (``countsUnread``), someone else sent it, it is
not deleted, not hidden for the participant, and ``seq > clearedSeq``. ``append`` adds one,
reading, hiding and deleting take one off, each in the same transaction as the change itself,
so the equality holds at every commit (a concurrent unit touching the same participant or
message conflicts and is run again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument

from lnk.domain.models import MessageRead
from lnk.store.mongo.codec import Doc, aware, parse_oid, ref, to_bson_dt
from lnk.store.mongo.units import SessionCollection

_FIELDS = {"conversationId": 1, "seq": 1, "senderId": 1, "countsUnread": 1, "hiddenFor": 1}


def countable(conversation: ObjectId, user: Any, above_seq: int) -> Doc:
    """The filter of the messages of ``conversation`` that count as unread for ``user``
    (before its reads are taken into account)."""
    return {
        "conversationId": conversation,
        "seq": {"$gt": above_seq},
        "countsUnread": True,
        "senderId": {"$ne": user},
        "deleted": False,
        "hiddenFor": {"$ne": user},
    }


class ReadTracking:
    def __init__(
        self,
        conversations: SessionCollection,
        participants: SessionCollection,
        reads: SessionCollection,
        messages: SessionCollection,
    ) -> None:
        self._conversations = conversations
        self._participants = participants
        self._reads = reads
        self._messages = messages

    def _unread_among(self, messages: list[Doc], user: Any) -> list[Doc]:
        if not messages:
            return []
        read = {
            r["messageId"]
            for r in self._reads.find(
                {
                    "conversationId": messages[0]["conversationId"],
                    "messageId": {"$in": [m["_id"] for m in messages]},
                    "userId": user,
                },
                {"messageId": 1, "_id": 0},
            )
        }
        return [m for m in messages if m["_id"] not in read]

    def mark_read(
        self, conversation_id: str, user_id: str, message_ids: list[str] | None, now: datetime
    ) -> tuple[list[str], int]:
        conversation = parse_oid(conversation_id)
        if conversation is None:
            return [], 0
        user = ref(user_id)
        p = self._participants.find_one({"conversationId": conversation, "userId": user})
        if p is None:
            return [], 0
        cleared = int(p.get("clearedSeq", 0))
        if message_ids is None:
            # below the watermark everything countable already has a read
            floor = max(cleared, int(p.get("lastReadSeq", 0)))
            query = countable(conversation, user, floor)
        else:
            oids = list(dict.fromkeys(o for o in map(parse_oid, message_ids) if o is not None))
            if not oids:
                return [], max(0, int(p.get("unreadCount", 0)))
            query = {**countable(conversation, user, cleared), "_id": {"$in": oids}}
        found = list(self._messages.find(query, _FIELDS).sort("seq", ASCENDING))
        fresh = self._unread_among(found, user)
        if fresh:
            at = to_bson_dt(now)
            self._reads.insert_many(
                [
                    {
                        "messageId": m["_id"],
                        "userId": user,
                        "conversationId": conversation,
                        "seq": m["seq"],
                        "readAt": at,
                    }
                    for m in fresh
                ]
            )
        update: Doc = {"$inc": {"unreadCount": -len(fresh)}}
        if message_ids is None:
            # everything up to the last seq is read now: the count is zero, the watermark moves
            last = self._last_seq(conversation)
            update = {"$set": {"unreadCount": 0}, "$max": {"lastReadSeq": last}}
        elif not fresh:
            return [], max(0, int(p.get("unreadCount", 0)))
        after = self._participants.find_one_and_update(
            {"_id": p["_id"]},
            update,
            projection={"unreadCount": 1},
            return_document=ReturnDocument.AFTER,
        )
        unread = max(0, int(after["unreadCount"])) if after else 0
        return [str(m["_id"]) for m in fresh], unread

    def _last_seq(self, conversation: ObjectId) -> int:
        doc = self._conversations.find_one({"_id": conversation}, {"lastSeq": 1})
        return int(doc.get("lastSeq", 0)) if doc else 0

    def hide_for(self, message: ObjectId, user: Any) -> bool:
        """Hides ``message`` for ``user``; it stops counting if it was unread. False if it was
        already hidden."""
        before = self._messages.find_one_and_update(
            {"_id": message, "hiddenFor": {"$ne": user}},
            {"$addToSet": {"hiddenFor": user}},
            projection=_FIELDS | {"deleted": 1},
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return False
        if (
            before.get("countsUnread")
            and not before.get("deleted")
            and before["senderId"] != user
            and self._unread_among([before], user)
        ):
            self._participants.update_one(
                {
                    "conversationId": before["conversationId"],
                    "userId": user,
                    "clearedSeq": {"$lt": before["seq"]},
                },
                {"$inc": {"unreadCount": -1}},
            )
        return True

    def uncount_for_everyone(self, message: Doc) -> None:
        """``message`` (as it was before) was deleted for everyone: it stops counting for every
        participant that had it unread."""
        if not message.get("countsUnread"):
            return
        hidden = message.get("hiddenFor") or []
        read = {
            r["userId"]
            for r in self._reads.find({"messageId": message["_id"]}, {"userId": 1, "_id": 0})
        }
        self._participants.update_many(
            {
                "conversationId": message["conversationId"],
                "userId": {"$nin": [message["senderId"], *hidden, *read]},
                "clearedSeq": {"$lt": message["seq"]},
            },
            {"$inc": {"unreadCount": -1}},
        )

    def reads(self, message_id: str) -> list[MessageRead]:
        oid = parse_oid(message_id)
        if oid is None:
            return []
        order = [("readAt", ASCENDING), ("_id", ASCENDING)]
        cursor = self._reads.find({"messageId": oid}).sort(order)
        return [
            MessageRead(str(r["messageId"]), str(r["userId"]), aware(r["readAt"])) for r in cursor
        ]
