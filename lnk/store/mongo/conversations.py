"""Conversations and their participants (one ``participants`` document per user and
conversation, holding that user's view: role, unread count, flags, cleared/read watermarks)."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from lnk.domain.models import Conversation, Participant
from lnk.store.base import ConversationCursor, ConversationRepository, DuplicateError
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import (
    Doc,
    conversation_from_doc,
    parse_oid,
    participant_from_doc,
    ref,
    sid,
    to_bson_dt,
)
from lnk.store.mongo.units import SessionCollection, SessionDatabase, UnitRunner


def _participant_doc(
    conversation_oid: ObjectId, user_id: str, role: str, now: datetime, cleared_seq: int
) -> Doc:
    return {
        "conversationId": conversation_oid,
        "userId": ref(user_id),
        "role": role,
        "joinedAt": to_bson_dt(now),
        "unreadCount": 0,
        "archived": False,
        "muted": False,
        "deletedAt": None,
        "clearedSeq": cleared_seq,
        "lastReadSeq": cleared_seq,
        "lastActivityAt": to_bson_dt(now),
    }


def _last_seq(conversations: SessionCollection, conversation_oid: ObjectId) -> int:
    doc = conversations.find_one({"_id": conversation_oid}, {"lastSeq": 1})
    return int(doc.get("lastSeq", 0)) if doc else 0


class MongoConversationRepository(ConversationRepository):
    def __init__(self, db: SessionDatabase, units: UnitRunner) -> None:
        self._conversations = db[ix.CONVERSATIONS]
        self._participants = db[ix.PARTICIPANTS]
        self._units = units

    def create(
        self,
        type: str,
        title: str | None,
        created_by: str,
        members: list[tuple[str, str]],
        now: datetime,
        direct_key: str | None = None,
    ) -> Conversation:
        """The conversation and its participants in one unit (never one without the other)."""
        return self._units.run(
            lambda: self._create(type, title, created_by, members, now, direct_key)
        )

    def _create(
        self,
        type: str,
        title: str | None,
        created_by: str,
        members: list[tuple[str, str]],
        now: datetime,
        direct_key: str | None,
    ) -> Conversation:
        oid = ObjectId()
        doc: Doc = {
            "_id": oid,
            "type": type,
            "title": title,
            "createdBy": ref(created_by),
            "createdAt": to_bson_dt(now),
            "updatedAt": to_bson_dt(now),
            "lastSeq": 0,
            "lastMessage": None,
            "lastMessageAt": None,
        }
        if direct_key is not None:
            doc["directKey"] = direct_key
        try:
            self._conversations.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateError(f"direct conversation {direct_key!r} exists") from exc
        seen: dict[str, str] = {}
        for user_id, role in members:
            seen.setdefault(user_id, role)
        docs = [_participant_doc(oid, u, r, now, 0) for u, r in seen.items()]
        if docs:
            self._participants.insert_many(docs)
        return conversation_from_doc(doc, docs)

    def get(self, conversation_id: str) -> Conversation | None:
        oid = parse_oid(conversation_id)
        doc = self._conversations.find_one({"_id": oid}) if oid else None
        if doc is None:
            return None
        return conversation_from_doc(doc, self._participants.find({"conversationId": oid}))

    def get_direct(self, direct_key: str) -> Conversation | None:
        doc = self._conversations.find_one({"directKey": direct_key})
        if doc is None:
            return None
        return conversation_from_doc(doc, self._participants.find({"conversationId": doc["_id"]}))

    def participant_ids(self, conversation_id: str) -> list[str]:
        oid = parse_oid(conversation_id)
        if oid is None:
            return []
        cursor = self._participants.find({"conversationId": oid}, {"userId": 1}).sort("_id", 1)
        return [sid(p["userId"]) for p in cursor]

    def get_participant(self, conversation_id: str, user_id: str) -> Participant | None:
        oid = parse_oid(conversation_id)
        if oid is None:
            return None
        doc = self._participants.find_one({"conversationId": oid, "userId": ref(user_id)})
        return participant_from_doc(doc) if doc else None

    def list_for_user(
        self, user_id: str, *, archived: bool, limit: int, after: ConversationCursor | None = None
    ) -> list[Conversation]:
        query: Doc = {"userId": ref(user_id), "archived": archived, "deletedAt": None}
        if after is not None:
            at = to_bson_dt(after.last_activity_at)
            cid = parse_oid(after.conversation_id) or ObjectId("0" * 24)
            query["$or"] = [
                {"lastActivityAt": {"$lt": at}},
                {"lastActivityAt": at, "conversationId": {"$lt": cid}},
            ]
        page = list(
            self._participants.find(query, {"conversationId": 1})
            .sort([("lastActivityAt", DESCENDING), ("conversationId", DESCENDING)])
            .limit(limit)
        )
        ids = [p["conversationId"] for p in page]
        if not ids:
            return []
        docs = {d["_id"]: d for d in self._conversations.find({"_id": {"$in": ids}})}
        members: dict[ObjectId, list[Doc]] = {i: [] for i in ids}
        for p in self._participants.find({"conversationId": {"$in": ids}}):
            members[p["conversationId"]].append(p)
        return [conversation_from_doc(docs[i], members[i]) for i in ids if i in docs]

    def conversation_ids_for_user(self, user_id: str) -> list[str]:
        cursor = self._participants.find({"userId": ref(user_id)}, {"conversationId": 1, "_id": 0})
        return [str(p["conversationId"]) for p in cursor]

    def contacts_of(self, user_id: str) -> set[str]:
        me = ref(user_id)
        ids = [
            p["conversationId"]
            for p in self._participants.find({"userId": me}, {"conversationId": 1, "_id": 0})
        ]
        if not ids:
            return set()
        cursor = self._participants.find(
            {"conversationId": {"$in": ids}, "userId": {"$ne": me}}, {"userId": 1, "_id": 0}
        )
        return {str(p["userId"]) for p in cursor}

    def set_title(self, conversation_id: str, title: str, now: datetime) -> None:
        oid = parse_oid(conversation_id)
        if oid is not None:
            self._conversations.update_one(
                {"_id": oid}, {"$set": {"title": title, "updatedAt": to_bson_dt(now)}}
            )

    def add_participants(
        self, conversation_id: str, members: list[tuple[str, str]], now: datetime
    ) -> None:
        oid = parse_oid(conversation_id)
        if oid is None or not members:
            return
        self._units.run(lambda: self._add_participants(oid, members, now))

    def _add_participants(
        self, oid: ObjectId, members: list[tuple[str, str]], now: datetime
    ) -> None:
        # Writing the conversation first makes a concurrent append (which moves lastSeq)
        # conflict with this unit, so a new member's clearedSeq is exactly the last seq.
        conversation = self._conversations.find_one_and_update(
            {"_id": oid}, {"$set": {"updatedAt": to_bson_dt(now)}}, projection={"lastSeq": 1}
        )
        if conversation is None:
            return
        seq = int(conversation.get("lastSeq", 0))
        present = {
            p["userId"]
            for p in self._participants.find({"conversationId": oid}, {"userId": 1, "_id": 0})
        }
        seen: dict[str, str] = {}
        for user_id, role in members:
            if ref(user_id) not in present:
                seen.setdefault(user_id, role)
        docs = [_participant_doc(oid, u, r, now, seq) for u, r in seen.items()]
        if docs:
            self._participants.insert_many(docs)

    def remove_participants(self, conversation_id: str, user_ids: list[str], now: datetime) -> None:
        oid = parse_oid(conversation_id)
        if oid is None or not user_ids:
            return

        def remove() -> None:
            self._participants.delete_many(
                {"conversationId": oid, "userId": {"$in": [ref(u) for u in user_ids]}}
            )
            self._conversations.update_one({"_id": oid}, {"$set": {"updatedAt": to_bson_dt(now)}})

        self._units.run(remove)

    def set_participant_role(self, conversation_id: str, user_id: str, role: str) -> None:
        oid = parse_oid(conversation_id)
        if oid is not None:
            self._participants.update_one(
                {"conversationId": oid, "userId": ref(user_id)}, {"$set": {"role": role}}
            )

    def set_participant_flags(
        self,
        conversation_id: str,
        user_id: str,
        *,
        archived: bool | None = None,
        muted: bool | None = None,
    ) -> None:
        oid = parse_oid(conversation_id)
        changes: Doc = {}
        if archived is not None:
            changes["archived"] = archived
        if muted is not None:
            changes["muted"] = muted
        if oid is not None and changes:
            self._participants.update_one(
                {"conversationId": oid, "userId": ref(user_id)}, {"$set": changes}
            )

    def delete_for_user(self, conversation_id: str, user_id: str, now: datetime) -> None:
        oid = parse_oid(conversation_id)
        if oid is None:
            return

        def delete() -> None:
            # A concurrent append updates this participant too: one of the two units runs again.
            seq = _last_seq(self._conversations, oid)
            self._participants.update_one(
                {"conversationId": oid, "userId": ref(user_id)},
                {
                    "$set": {
                        "clearedSeq": seq,
                        "lastReadSeq": seq,
                        "unreadCount": 0,
                        "deletedAt": to_bson_dt(now),
                    }
                },
            )

        self._units.run(delete)
