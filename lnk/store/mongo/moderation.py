"""The moderators' queue on the messages collection: flagged messages, through the partial
``flagged`` index (only flagged documents are in it, so listing and counting cost what the
queue holds, not what the collection holds)."""

from __future__ import annotations

from typing import Any

from pymongo import DESCENDING
from pymongo.collection import Collection

from lnk.domain.models import Message
from lnk.store.mongo.codec import Doc, message_from_doc, parse_oid

_FLAGGED: Doc = {"flagged": True}


class FlagQueue:
    """Mixed into the message repository, which provides ``_messages``."""

    _messages: Collection[Any]

    def flagged(self, limit: int, before_id: str | None = None) -> list[Message]:
        query: Doc = dict(_FLAGGED)
        if before_id is not None:
            before = parse_oid(before_id)
            if before is None:
                return []
            query["_id"] = {"$lt": before}
        cursor = self._messages.find(query).sort("_id", DESCENDING).limit(limit)
        return [message_from_doc(d) for d in cursor]

    def set_flagged(self, message_id: str, flagged: bool) -> bool:
        oid = parse_oid(message_id)
        if oid is None:
            return False
        result = self._messages.update_one(
            {"_id": oid, "flagged": {"$ne": flagged}}, {"$set": {"flagged": flagged}}
        )
        return result.modified_count == 1

    def count_flagged(self) -> int:
        return self._messages.count_documents(_FLAGGED)
