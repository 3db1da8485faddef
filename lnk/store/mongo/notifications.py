"""Notification settings, push subscriptions and the outbox on MongoDB.

Every write is a single-document atomic operation. The outbox claim is a ``find_one_and_update``
whose filter is the claimable state (compare-and-set): two workers can never both take an item.
A conversation digest merges into the pending one of its group through an upsert guarded by a
partial unique index on ``groupKey`` over pending items.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from lnk.domain.notifications import (
    FINISHED,
    STATUS_PENDING,
    STATUS_RETRY,
    STATUS_SENDING,
    NewNotification,
    NotificationSettings,
    OutboxEntry,
    OutboxItem,
    PushSubscription,
)
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import Doc, aware, from_bson_dt, parse_oid, to_bson_dt
from lnk.store.mongo.units import SessionDatabase
from lnk.store.notifications import (
    NotificationSettingsRepository,
    OutboxRepository,
    PushSubscriptionRepository,
)

_DEFAULTS: Doc = {"email": None, "emailVerified": False, "emailMode": "all", "push": True}


def _settings(user_id: str, doc: Doc | None) -> NotificationSettings:
    doc = doc or {}
    return NotificationSettings(
        user_id=user_id,
        email=doc.get("email"),
        email_verified=bool(doc.get("emailVerified", False)),
        email_mode=doc.get("emailMode", "all"),
        push=bool(doc.get("push", True)),
    )


class MongoNotificationSettingsRepository(NotificationSettingsRepository):
    """One document per user that changed anything, ``_id`` = the user id."""

    def __init__(self, db: SessionDatabase) -> None:
        self._settings = db[ix.NOTIFICATION_SETTINGS]

    def get(self, user_id: str) -> NotificationSettings:
        return _settings(user_id, self._settings.find_one({"_id": user_id}))

    def get_many(self, user_ids: Iterable[str]) -> dict[str, NotificationSettings]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        docs = self._settings.find({"_id": {"$in": ids}})
        return {d["_id"]: _settings(d["_id"], d) for d in docs}

    def _upsert(self, user_id: str, changes: Doc) -> NotificationSettings:
        defaults = {k: v for k, v in _DEFAULTS.items() if k not in changes}
        update: Doc = {"$setOnInsert": defaults}
        if changes:
            update["$set"] = changes
        doc = self._settings.find_one_and_update(
            {"_id": user_id}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        return _settings(user_id, doc)

    def update(
        self, user_id: str, *, email_mode: str | None = None, push: bool | None = None
    ) -> NotificationSettings:
        changes: Doc = {}
        if email_mode is not None:
            changes["emailMode"] = email_mode
        if push is not None:
            changes["push"] = push
        return self._upsert(user_id, changes)

    def set_email(self, user_id: str, email: str | None) -> NotificationSettings:
        current = self.get(user_id)
        if current.email == email:
            return self._upsert(user_id, {})
        return self._upsert(user_id, {"email": email, "emailVerified": False})

    def verify_email(self, user_id: str, email: str) -> bool:
        result = self._settings.update_one(
            {"_id": user_id, "email": email}, {"$set": {"emailVerified": True}}
        )
        return result.matched_count == 1


def _subscription(doc: Doc) -> PushSubscription:
    return PushSubscription(
        id=str(doc["_id"]),
        user_id=doc["userId"],
        endpoint=doc["endpoint"],
        p256dh=doc["p256dh"],
        auth=doc["auth"],
        created_at=from_bson_dt(doc.get("createdAt")),
    )


class MongoPushSubscriptionRepository(PushSubscriptionRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._subs = db[ix.PUSH_SUBSCRIPTIONS]

    def add(
        self, user_id: str, endpoint: str, p256dh: str, auth: str, now: datetime
    ) -> PushSubscription:
        update = {
            "$set": {"userId": user_id, "p256dh": p256dh, "auth": auth},
            "$setOnInsert": {"createdAt": to_bson_dt(now)},
        }
        try:
            doc = self._subs.find_one_and_update(
                {"endpoint": endpoint}, update, upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:  # a concurrent insert of the same endpoint won: update it
            doc = self._subs.find_one_and_update(
                {"endpoint": endpoint}, update, return_document=ReturnDocument.AFTER
            )
        return _subscription(doc)

    def remove(self, user_id: str, endpoint: str) -> bool:
        return self._subs.delete_one({"userId": user_id, "endpoint": endpoint}).deleted_count == 1

    def remove_endpoint(self, endpoint: str) -> bool:
        return self._subs.delete_one({"endpoint": endpoint}).deleted_count == 1

    def for_user(self, user_id: str) -> list[PushSubscription]:
        cursor = self._subs.find({"userId": user_id}).sort(
            [("createdAt", ASCENDING), ("_id", ASCENDING)]
        )
        return [_subscription(d) for d in cursor]

    def subscribed(self, user_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return set()
        return set(self._subs.distinct("userId", {"userId": {"$in": ids}}))


def _claimable(now: datetime) -> Doc:
    return {
        "$or": [
            {"status": {"$in": [STATUS_PENDING, STATUS_RETRY]}, "dueAt": {"$lte": now}},
            {"status": STATUS_SENDING, "leaseUntil": {"$lte": now}},
        ]
    }


def _item(doc: Doc) -> OutboxItem:
    return OutboxItem(
        id=str(doc["_id"]),
        kind=doc["kind"],
        channel=doc["channel"],
        user_id=doc["userId"],
        conversation_id=doc.get("conversationId"),
        entries=[OutboxEntry(e["messageId"], e["reason"]) for e in doc.get("entries", [])],
        payload=dict(doc.get("payload") or {}),
        due_at=aware(doc["dueAt"]),
        status=doc["status"],
        attempts=int(doc.get("attempts", 0)),
        claimed_by=doc.get("claimedBy"),
        lease_until=from_bson_dt(doc.get("leaseUntil")),
        last_error=doc.get("lastError"),
        created_at=from_bson_dt(doc.get("createdAt")),
        sent_at=from_bson_dt(doc.get("sentAt")),
    )


class MongoOutboxRepository(OutboxRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._outbox = db[ix.OUTBOX]

    def enqueue(self, items: Iterable[NewNotification], now: datetime) -> None:
        for item in items:
            entries = [{"messageId": e.message_id, "reason": e.reason} for e in item.entries]
            fields = {
                "kind": item.kind,
                "channel": item.channel,
                "userId": item.user_id,
                "conversationId": item.conversation_id,
                "payload": item.payload,
                "attempts": 0,
                "createdAt": to_bson_dt(now),
            }
            key = item.group_key
            if key is None:
                self._outbox.insert_one(
                    {
                        **fields,
                        "groupKey": None,
                        "entries": entries,
                        "dueAt": to_bson_dt(item.due_at),
                        "status": STATUS_PENDING,
                    }
                )
                continue
            update = {
                "$addToSet": {"entries": {"$each": entries}},
                "$min": {"dueAt": to_bson_dt(item.due_at)},
                "$setOnInsert": fields,
            }
            query = {"groupKey": key, "status": STATUS_PENDING}
            try:
                self._outbox.update_one(query, update, upsert=True)
            except DuplicateKeyError:  # a concurrent enqueue created the pending item first
                self._outbox.update_one(query, update)

    def claim_due(
        self, now: datetime, worker_id: str, lease_until: datetime, limit: int
    ) -> list[OutboxItem]:
        now = to_bson_dt(now)
        claimed = []
        for _ in range(limit):
            doc = self._outbox.find_one_and_update(
                _claimable(now),
                {
                    "$set": {
                        "status": STATUS_SENDING,
                        "claimedBy": worker_id,
                        "leaseUntil": to_bson_dt(lease_until),
                    },
                    "$inc": {"attempts": 1},
                },
                sort=[("dueAt", ASCENDING)],
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                break
            claimed.append(_item(doc))
        return claimed

    def _claimed(self, item_id: str, worker_id: str) -> Doc | None:
        oid = parse_oid(item_id)
        if oid is None:
            return None
        return {"_id": oid, "status": STATUS_SENDING, "claimedBy": worker_id}

    def finish(
        self, item_id: str, worker_id: str, status: str, now: datetime, error: str | None = None
    ) -> bool:
        query = self._claimed(item_id, worker_id)
        if query is None:
            return False
        changes: Doc = {"status": status, "sentAt": to_bson_dt(now), "leaseUntil": None}
        if error is not None:
            changes["lastError"] = error
        return self._outbox.update_one(query, {"$set": changes}).modified_count == 1

    def retry(self, item_id: str, worker_id: str, due_at: datetime, error: str) -> bool:
        query = self._claimed(item_id, worker_id)
        if query is None:
            return False
        changes = {
            "status": STATUS_RETRY,
            "dueAt": to_bson_dt(due_at),
            "lastError": error,
            "leaseUntil": None,
        }
        return self._outbox.update_one(query, {"$set": changes}).modified_count == 1

    def purge_finished(self, before: datetime, limit: int) -> int:
        query = {"sentAt": {"$lt": to_bson_dt(before)}, "status": {"$in": list(FINISHED)}}
        ids = [d["_id"] for d in self._outbox.find(query, {"_id": 1}).limit(limit)]
        if not ids:
            return 0
        return self._outbox.delete_many({**query, "_id": {"$in": ids}}).deleted_count

    def get(self, item_id: str) -> OutboxItem | None:
        oid = parse_oid(item_id)
        doc = self._outbox.find_one({"_id": oid}) if oid is not None else None
        return _item(doc) if doc else None

    def for_user(self, user_id: str) -> list[OutboxItem]:
        cursor = self._outbox.find({"userId": user_id}).sort(
            [("createdAt", ASCENDING), ("_id", ASCENDING)]
        )
        return [_item(d) for d in cursor]
