"""Messages: append (one unit of work), paging, edits, deletes, reactions, offers/requests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from lnk.domain import search_text
from lnk.domain.models import BookingRequest, Message, MessageRead, ServiceOffer
from lnk.store.base import DuplicateError, MessageRepository, NewMessage, StoreError
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import (
    Doc,
    file_to_doc,
    last_message_to_doc,
    message_from_doc,
    offer_to_doc,
    parse_oid,
    pending_expiry,
    ref,
    request_to_doc,
    to_bson_dt,
)
from lnk.store.mongo.moderation import FlagQueue
from lnk.store.mongo.reads import ReadTracking
from lnk.store.mongo.search import search_messages
from lnk.store.mongo.units import SessionDatabase, UnitRunner

_AFTER = ReturnDocument.AFTER


class MongoMessageRepository(FlagQueue, MessageRepository):
    def __init__(self, db: SessionDatabase, units: UnitRunner) -> None:
        self._messages = db[ix.MESSAGES]
        self._conversations = db[ix.CONVERSATIONS]
        self._participants = db[ix.PARTICIPANTS]
        self._file_links = db[ix.FILE_LINKS]
        self._files = db[ix.FILES]
        self._units = units
        self._reads = ReadTracking(
            self._conversations, self._participants, db[ix.MESSAGE_READS], self._messages
        )

    # --- append ---------------------------------------------------------------------------

    def append(self, new: NewMessage, now: datetime) -> Message:
        """One unit: the seq (``$inc lastSeq``, which also moves ``lastMessage``), the message (the
        unique ``(conversationId, senderId, clientId)`` index refuses a repeated send), the
        participants' activity, reappearance and unread counts, and the attachments' links to the
        message."""
        return self._units.run(lambda: self._append(new, now))

    def _append(self, new: NewMessage, now: datetime) -> Message:
        conversation = parse_oid(new.conversation_id)
        if conversation is None:
            raise StoreError(f"unknown conversation {new.conversation_id!r}")
        sender = ref(new.sender_id)
        oid = ObjectId()
        at = to_bson_dt(now)
        counter = self._conversations.find_one_and_update(
            {"_id": conversation},
            {"$inc": {"lastSeq": 1}, "$set": {"lastMessageAt": at, "updatedAt": at}},
            projection={"lastSeq": 1},
            return_document=_AFTER,
        )
        if counter is None:
            raise StoreError(f"unknown conversation {new.conversation_id!r}")
        seq = int(counter["lastSeq"])
        doc = self._new_doc(oid, conversation, sender, seq, new, now)
        try:
            self._messages.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateError(f"clientId {new.client_id!r} already used") from exc
        self._conversations.update_one(
            {"_id": conversation},
            {
                "$set": {
                    "lastMessage": last_message_to_doc(
                        oid, seq, new.sender_id, new.type, new.preview, now
                    )
                }
            },
        )
        activity: Doc = {"$max": {"lastActivityAt": at}, "$set": {"deletedAt": None}}
        if new.counts_unread:
            others: Doc = {"conversationId": conversation, "userId": {"$ne": sender}}
            self._participants.update_many(others, {**activity, "$inc": {"unreadCount": 1}})
            self._participants.update_one(
                {"conversationId": conversation, "userId": sender}, activity
            )
        else:
            self._participants.update_many({"conversationId": conversation}, activity)
        if new.attachments:
            file_ids = [ref(a.id) for a in new.attachments]
            self._file_links.insert_many(
                [
                    {"fileId": f, "messageId": oid, "conversationId": conversation, "seq": seq}
                    for f in file_ids
                ]
            )
            self._files.update_many(
                {"_id": {"$in": file_ids}, "attached": False}, {"$set": {"attached": True}}
            )
        return message_from_doc(doc)

    @staticmethod
    def _new_doc(
        oid: ObjectId, conversation: ObjectId, sender: Any, seq: int, new: NewMessage, now: datetime
    ) -> Doc:
        loc = new.location
        reply = new.reply_to
        doc: Doc = {
            "_id": oid,
            "conversationId": conversation,
            "senderId": sender,
            "type": new.type,
            "seq": seq,
            "createdAt": to_bson_dt(now),
            "content": new.content,
            "attachments": [file_to_doc(a) for a in new.attachments],
            "location": None
            if loc is None
            else {
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "name": loc.name,
                "address": loc.address,
            },
            "serviceOffer": offer_to_doc(new.service_offer) if new.service_offer else None,
            "bookingRequest": request_to_doc(new.booking_request) if new.booking_request else None,
            "replyTo": None
            if reply is None
            else {
                "id": ref(reply.id),
                "senderId": ref(reply.sender_id),
                "type": reply.type,
                "preview": reply.preview,
            },
            "reactions": {},
            "editedAt": None,
            "deleted": False,
            "flagged": new.flagged,
            "hiddenFor": [],
            "countsUnread": new.counts_unread,
            "words": search_text.words(new.content),
        }
        if new.client_id is not None:
            doc["clientId"] = new.client_id
        expires = pending_expiry(new.service_offer, new.booking_request)
        if expires is not None:
            doc["pendingExpiresAt"] = expires
        return doc

    # --- reads of messages ----------------------------------------------------------------

    def get(self, message_id: str) -> Message | None:
        oid = parse_oid(message_id)
        doc = self._messages.find_one({"_id": oid}) if oid else None
        return message_from_doc(doc) if doc else None

    def get_many(self, message_ids: Iterable[str]) -> dict[str, Message]:
        oids = list(dict.fromkeys(filter(None, map(parse_oid, message_ids))))
        if not oids:
            return {}
        return {
            str(d["_id"]): message_from_doc(d) for d in self._messages.find({"_id": {"$in": oids}})
        }

    def get_by_client_id(
        self, conversation_id: str, sender_id: str, client_id: str
    ) -> Message | None:
        conversation = parse_oid(conversation_id)
        if conversation is None:
            return None
        doc = self._messages.find_one(
            {"conversationId": conversation, "senderId": ref(sender_id), "clientId": client_id}
        )
        return message_from_doc(doc) if doc else None

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
        conversation = parse_oid(conversation_id)
        if conversation is None or limit <= 0:
            return []
        if after_seq is not None:
            seq: Doc = {"$gt": max(min_seq, after_seq)}
            direction = ASCENDING
        else:
            seq = {"$gt": min_seq}
            if before_seq is not None:
                seq["$lt"] = before_seq
            direction = DESCENDING
        cursor = (
            self._messages.find(
                {"conversationId": conversation, "seq": seq, "hiddenFor": {"$ne": ref(viewer_id)}}
            )
            .sort("seq", direction)
            .limit(limit)
        )
        return [message_from_doc(d) for d in cursor]

    def search(
        self,
        user_id: str,
        terms: list[str],
        *,
        conversation_id: str | None = None,
        before_id: str | None = None,
        limit: int = 20,
    ) -> list[Message]:
        return search_messages(
            self._messages,
            self._participants,
            user_id,
            terms,
            conversation_id=conversation_id,
            before_id=before_id,
            limit=limit,
        )

    def is_hidden(self, message_id: str, user_id: str) -> bool:
        oid = parse_oid(message_id)
        if oid is None:
            return False
        return (
            self._messages.find_one({"_id": oid, "hiddenFor": ref(user_id)}, {"_id": 1}) is not None
        )

    # --- changes --------------------------------------------------------------------------

    def edit(self, message_id: str, content: str, preview: str, now: datetime) -> Message | None:
        return self._units.run(lambda: self._edit(message_id, content, preview, now))

    def _edit(self, message_id: str, content: str, preview: str, now: datetime) -> Message | None:
        oid = parse_oid(message_id)
        if oid is None:
            return None
        doc = self._messages.find_one_and_update(
            {"_id": oid, "deleted": False},
            {
                "$set": {
                    "content": content,
                    "editedAt": to_bson_dt(now),
                    "words": search_text.words(content),
                }
            },
            return_document=_AFTER,
        )
        if doc is None:
            return None
        self._refresh_preview(doc, preview)
        return message_from_doc(doc)

    def delete_for_everyone(self, message_id: str, preview: str, now: datetime) -> Message | None:
        return self._units.run(lambda: self._delete_for_everyone(message_id, preview))

    def _delete_for_everyone(self, message_id: str, preview: str) -> Message | None:
        oid = parse_oid(message_id)
        if oid is None:
            return None
        doc = self._messages.find_one_and_update(
            {"_id": oid, "deleted": False},
            {
                "$set": {
                    "deleted": True,
                    "content": "",
                    "attachments": [],
                    "location": None,
                    "serviceOffer": None,
                    "bookingRequest": None,
                    "words": [],
                },
                "$unset": {"pendingExpiresAt": ""},
            },
            return_document=_AFTER,
        )
        if doc is None:
            return None
        self._reads.uncount_for_everyone(doc)
        self._refresh_preview(doc, preview)
        self._file_links.delete_many({"messageId": oid})
        return message_from_doc(doc)

    def hide_for(self, message_id: str, user_id: str) -> bool:
        oid = parse_oid(message_id)
        if oid is None:
            return False
        return self._units.run(lambda: self._reads.hide_for(oid, ref(user_id)))

    def set_reaction(self, message_id: str, user_id: str, emoji: str | None) -> Message | None:
        oid = parse_oid(message_id)
        if oid is None:
            return None
        key = f"reactions.{user_id}"
        update = {"$set": {key: emoji}} if emoji is not None else {"$unset": {key: ""}}
        doc = self._messages.find_one_and_update({"_id": oid}, update, return_document=_AFTER)
        return message_from_doc(doc) if doc else None

    def mark_read(
        self, conversation_id: str, user_id: str, message_ids: list[str] | None, now: datetime
    ) -> tuple[list[str], int]:
        return self._units.run(
            lambda: self._reads.mark_read(conversation_id, user_id, message_ids, now)
        )

    def reads(self, message_id: str) -> list[MessageRead]:
        return self._reads.reads(message_id)

    # --- offers and booking requests ------------------------------------------------------

    def update_offer(
        self, message_id: str, expected_status: str, offer: ServiceOffer, preview: str
    ) -> Message | None:
        return self._compare_and_set(
            message_id,
            "serviceOffer",
            expected_status,
            offer_to_doc(offer),
            pending_expiry(offer, None),
            preview,
        )

    def update_booking_request(
        self, message_id: str, expected_status: str, request: BookingRequest, preview: str
    ) -> Message | None:
        return self._compare_and_set(
            message_id,
            "bookingRequest",
            expected_status,
            request_to_doc(request),
            pending_expiry(None, request),
            preview,
        )

    def _compare_and_set(
        self,
        message_id: str,
        field: str,
        expected_status: str,
        value: Doc,
        expires: datetime | None,
        preview: str,
    ) -> Message | None:
        return self._units.run(
            lambda: self._set_item(message_id, field, expected_status, value, expires, preview)
        )

    def _set_item(
        self,
        message_id: str,
        field: str,
        expected_status: str,
        value: Doc,
        expires: datetime | None,
        preview: str,
    ) -> Message | None:
        oid = parse_oid(message_id)
        if oid is None:
            return None
        update: Doc = {"$set": {field: value}}
        if expires is not None:
            update["$set"]["pendingExpiresAt"] = expires
        else:
            update["$unset"] = {"pendingExpiresAt": ""}
        doc = self._messages.find_one_and_update(
            {"_id": oid, f"{field}.status": expected_status}, update, return_document=_AFTER
        )
        if doc is None:
            return None
        self._refresh_preview(doc, preview)
        return message_from_doc(doc)

    def pending_expired(self, now: datetime, limit: int = 100) -> list[Message]:
        cursor = (
            self._messages.find({"pendingExpiresAt": {"$lte": to_bson_dt(now)}})
            .sort("pendingExpiresAt", ASCENDING)
            .limit(limit)
        )
        return [message_from_doc(d) for d in cursor]

    def pending_requests_for_provider(self, provider_id: str) -> list[Message]:
        cursor = self._messages.find(
            {"bookingRequest.providerId": ref(provider_id), "bookingRequest.status": "pending"}
        ).sort("_id", ASCENDING)
        return [message_from_doc(d) for d in cursor]

    def _refresh_preview(self, doc: Doc, preview: str) -> None:
        """Rewrites the conversation's last-message preview if ``doc`` is still its last."""
        self._conversations.update_one(
            {"_id": doc["conversationId"], "lastMessage.id": doc["_id"]},
            {"$set": {"lastMessage.preview": preview}},
        )
