"""Message search, driven from the caller's conversations.

The query is pinned (``hint``) to the index ``(conversationId, _id desc)``: the server merges the
caller's conversations newest first and checks each message's words, stopping at ``limit``
matches, so the cost is bounded by the caller's own messages. Left to itself the planner may pick
the ``words`` index, which walks every user's matches of a common word to find the caller's few.

Each message stores ``words``: the sorted unique folded runs of letters and digits of its text.
A term matches a word it starts; an anchored, case-sensitive prefix regex on already-folded words
(``^term``, sent without flags: a Python pattern would carry the ``u`` flag, which stops the server
from bounding the index scan by the prefix) becomes a tight index range. The terms are combined with
``$and`` of one regex each (equivalent to ``$all`` of regexes, which the planner also splits, but
lets it bound the scan by whichever term is most selective, and mongomock can evaluate it)."""

from __future__ import annotations

from typing import Any

from pymongo import DESCENDING

from lnk.domain import search_text
from lnk.domain.models import Message
from lnk.store.mongo.codec import (
    message_from_doc,
    parse_oid,
    prefix_pattern,
    ref,
)
from lnk.store.mongo.indexes import CONVERSATION_NEWEST
from lnk.store.mongo.units import SessionCollection


def search_messages(
    messages: SessionCollection,
    participants: SessionCollection,
    user_id: str,
    terms: list[str],
    *,
    conversation_id: str | None,
    before_id: str | None,
    limit: int,
) -> list[Message]:
    folded = search_text.terms(terms)
    if not folded or limit <= 0:
        return []
    user = ref(user_id)
    membership: dict[str, Any] = {"userId": user}
    if conversation_id is not None:
        membership["conversationId"] = parse_oid(conversation_id)
        if membership["conversationId"] is None:
            return []
    cleared = {
        p["conversationId"]: int(p.get("clearedSeq", 0))
        for p in participants.find(membership, {"conversationId": 1, "clearedSeq": 1})
    }
    if not cleared:
        return []
    query: dict[str, Any] = {
        "$and": [{"words": prefix_pattern(term)} for term in folded],
        "conversationId": {"$in": list(cleared)},
        "deleted": False,
        "hiddenFor": {"$ne": user},
    }
    if before_id is not None:
        before = parse_oid(before_id)
        if before is None:
            return []
        query["_id"] = {"$lt": before}
    # seq > clearedSeq differs per conversation: filter here, reading lazily in batches so that
    # only about ``limit`` matches are fetched when few are cleared away.
    found: list[Message] = []
    cursor = (
        messages.find(query)
        .hint(CONVERSATION_NEWEST)
        .sort("_id", DESCENDING)
        .batch_size(max(limit * 2, 20))
    )
    try:
        for doc in cursor:
            if doc["seq"] > cleared.get(doc["conversationId"], 0):
                found.append(message_from_doc(doc))
                if len(found) >= limit:
                    break
    finally:
        cursor.close()
    return found
