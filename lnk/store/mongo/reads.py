"""Read receipts and exact unread counters.

Invariant: a participant's ``unreadCount`` is +1 per message that ``append`` counted for it
(filter ``clearedSeq < seq``) and -1 per message it stopped counting. A message stops counting
for a user exactly once, claimed by inserting the ``(messageId, userId)`` document in
``messageReads`` (unique index): by reading it (the document carries ``readAt``), hiding it, or
its deletion for everyone (no ``readAt``). Whoever inserts the claim decrements; a racing path
gets a duplicate key and does nothing. Decrements are conditional on ``clearedSeq < seq`` at
write time, so they never undercut the reset that clearing the conversation performs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection

from lnk.domain.models import MessageRead
from lnk.store.mongo.bulk import insert_ignoring_duplicates
from lnk.store.mongo.codec import Doc, aware, parse_oid, ref, to_bson_dt

_ATTEMPTS = 20
COUNT_FIELDS = {
    "conversationId": 1,
    "seq": 1,
    "senderId": 1,
    "type": 1,
    "deleted": 1,
    "hiddenFor": 1,
}


def countable_for(message: Doc, user: Any) -> bool:
    """Whether ``append`` counts (counted) this message as unread for ``user`` (ignoring the
    per-participant ``clearedSeq``, which callers check)."""
    return (
        message["senderId"] != user
        and message["type"] != "system"
        and not message.get("deleted", False)
        and user not in (message.get("hiddenFor") or [])
    )


class UnreadLedger:
    def __init__(
        self, participants: Collection[Doc], reads: Collection[Doc], messages: Collection[Doc]
    ) -> None:
        self._participants = participants
        self._reads = reads
        self._messages = messages

    def claim(self, messages: list[Doc], user: Any, read_at: datetime | None) -> list[Doc]:
        """Inserts the claims of ``user`` on ``messages``; returns the newly inserted ones."""
        docs = []
        for m in messages:
            doc: Doc = {
                "messageId": m["_id"],
                "userId": user,
                "conversationId": m["conversationId"],
                "seq": m["seq"],
            }
            if read_at is not None:
                doc["readAt"] = to_bson_dt(read_at)
            docs.append(doc)
        return insert_ignoring_duplicates(self._reads, docs)

    def uncount(self, participant_id: ObjectId, seqs: list[int]) -> int:
        """Decrements one participant's unread count by the claimed messages still above its
        ``clearedSeq`` (compare-and-set on ``clearedSeq``); returns the resulting count."""
        for _ in range(_ATTEMPTS):
            p = self._participants.find_one(
                {"_id": participant_id}, {"clearedSeq": 1, "unreadCount": 1}
            )
            if p is None:
                return 0
            n = sum(1 for s in seqs if s > p.get("clearedSeq", 0))
            if n == 0:
                return max(0, int(p.get("unreadCount", 0)))
            after = self._participants.find_one_and_update(
                {"_id": participant_id, "clearedSeq": p.get("clearedSeq", 0)},
                {"$inc": {"unreadCount": -n}},
                projection={"unreadCount": 1},
                return_document=ReturnDocument.AFTER,
            )
            if after is not None:
                return max(0, int(after["unreadCount"]))
        return 0

    def uncount_message_for_all(self, message: Doc) -> None:
        """A message deleted for everyone stops counting for every participant that had it
        unread (not the sender, above its ``clearedSeq``, not hidden for it, not read by it)."""
        if message["type"] == "system":
            return
        hidden = message.get("hiddenFor") or []
        candidates = [
            p["userId"]
            for p in self._participants.find(
                {
                    "conversationId": message["conversationId"],
                    "userId": {"$ne": message["senderId"]},
                    "clearedSeq": {"$lt": message["seq"]},
                },
                {"userId": 1},
            )
            if p["userId"] not in hidden
        ]
        if not candidates:
            return
        docs = [
            {
                "messageId": message["_id"],
                "userId": u,
                "conversationId": message["conversationId"],
                "seq": message["seq"],
            }
            for u in candidates
        ]
        claimed = [d["userId"] for d in insert_ignoring_duplicates(self._reads, docs)]
        if claimed:
            self._participants.update_many(
                {
                    "conversationId": message["conversationId"],
                    "userId": {"$in": claimed},
                    "clearedSeq": {"$lt": message["seq"]},
                },
                {"$inc": {"unreadCount": -1}},
            )

    def uncount_one(self, message: Doc, user: Any) -> None:
        """``user`` hid ``message``: stop counting it if it was counted and unread."""
        p = self._participants.find_one(
            {"conversationId": message["conversationId"], "userId": user}, {"clearedSeq": 1}
        )
        if p is None or p.get("clearedSeq", 0) >= message["seq"]:
            return
        if self.claim([message], user, None):
            self._participants.update_one(
                {"_id": p["_id"], "clearedSeq": {"$lt": message["seq"]}},
                {"$inc": {"unreadCount": -1}},
            )

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
        watermark = start = max(cleared, int(p.get("lastReadSeq", 0)))
        if message_ids is None:
            # Everything above the watermark, in seq order, to also advance the watermark over
            # the contiguous run found (a seq reserved but not yet inserted stops it).
            candidates = []
            contiguous = True
            cursor = self._messages.find(
                {"conversationId": conversation, "seq": {"$gt": start}}, COUNT_FIELDS
            ).sort("seq", ASCENDING)
            for m in cursor:
                if contiguous and m["seq"] == watermark + 1:
                    watermark = m["seq"]
                else:
                    contiguous = False
                if countable_for(m, user):
                    candidates.append(m)
        else:
            oids = [o for o in map(parse_oid, message_ids) if o is not None]
            candidates = (
                list(
                    self._messages.find(
                        {
                            "_id": {"$in": oids},
                            "conversationId": conversation,
                            "seq": {"$gt": cleared},
                            "senderId": {"$ne": user},
                            "type": {"$ne": "system"},
                            "deleted": False,
                            "hiddenFor": {"$ne": user},
                        },
                        COUNT_FIELDS,
                    ).sort("seq", ASCENDING)
                )
                if oids
                else []
            )
        claimed = self.claim(candidates, user, now)
        unread = self.uncount(p["_id"], [c["seq"] for c in claimed])
        if watermark > start:
            self._participants.update_one({"_id": p["_id"]}, {"$max": {"lastReadSeq": watermark}})
        return [str(c["messageId"]) for c in claimed], unread

    def reads(self, message_id: str) -> list[MessageRead]:
        oid = parse_oid(message_id)
        if oid is None:
            return []
        cursor = self._reads.find({"messageId": oid, "readAt": {"$ne": None}}).sort(
            [("readAt", ASCENDING), ("_id", ASCENDING)]
        )
        return [
            MessageRead(str(r["messageId"]), str(r["userId"]), aware(r["readAt"])) for r in cursor
        ]
