"""Collection names and the indexes the queries rely on, created at startup (idempotent)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

USERS = "users"
REVOKED_TOKENS = "revokedTokens"
LOGINS = "logins"
CONVERSATIONS = "conversations"
PARTICIPANTS = "participants"
MESSAGES = "messages"
CLIENT_IDS = "messageClientIds"
MESSAGE_READS = "messageReads"
PACKAGES = "servicePackages"
BOOKINGS = "bookings"
BOOKING_LOCKS = "bookingLocks"
FILES = "files"
FILE_LINKS = "fileLinks"
BLOB_BUCKET = "blobs"

_STRING = {"$type": "string"}
# Revocations outlive their token a little, covering clock skew and any expiry leeway the token
# check allows; purge_expired forgets them exactly at expiry.
TOKEN_TTL_GRACE_SECONDS = 300

CONVERSATION_NEWEST = "conversation_newest"

INDEXES: dict[str, list[IndexModel]] = {
    USERS: [
        IndexModel([("usernameLower", ASCENDING)], name="usernameLower_unique", unique=True),
        IndexModel(
            [("suspended", ASCENDING)],
            name="suspended",
            partialFilterExpression={"suspended": True},
        ),
    ],
    REVOKED_TOKENS: [
        IndexModel([("jti", ASCENDING)], name="jti_unique", unique=True),
        IndexModel(
            [("expiresAt", ASCENDING)],
            name="expiresAt_ttl",
            expireAfterSeconds=TOKEN_TTL_GRACE_SECONDS,
        ),
    ],
    LOGINS: [
        IndexModel([("userId", ASCENDING), ("expiresAt", ASCENDING)], name="user_expiresAt"),
        IndexModel(
            [("expiresAt", ASCENDING)],
            name="expiresAt_ttl",
            expireAfterSeconds=TOKEN_TTL_GRACE_SECONDS,
        ),
    ],
    CONVERSATIONS: [
        IndexModel(
            [("directKey", ASCENDING)],
            name="directKey_unique",
            unique=True,
            partialFilterExpression={"directKey": _STRING},
        ),
    ],
    PARTICIPANTS: [
        IndexModel(
            [("conversationId", ASCENDING), ("userId", ASCENDING)],
            name="conversation_user_unique",
            unique=True,
        ),
        IndexModel(
            [
                ("userId", ASCENDING),
                ("archived", ASCENDING),
                ("deletedAt", ASCENDING),
                ("lastActivityAt", DESCENDING),
                ("conversationId", DESCENDING),
            ],
            name="user_list",
        ),
    ],
    MESSAGES: [
        IndexModel(
            [("conversationId", ASCENDING), ("seq", ASCENDING)],
            name="conversation_seq_unique",
            unique=True,
        ),
        IndexModel(
            [("conversationId", ASCENDING), ("senderId", ASCENDING), ("clientId", ASCENDING)],
            name="conversation_sender_clientId_unique",
            unique=True,
            partialFilterExpression={"clientId": _STRING},
        ),
        IndexModel([("pendingExpiresAt", ASCENDING)], name="pendingExpiresAt", sparse=True),
        IndexModel(
            [("bookingRequest.providerId", ASCENDING), ("_id", ASCENDING)],
            name="pending_requests_by_provider",
            partialFilterExpression={"bookingRequest.status": "pending"},
        ),
        IndexModel(
            [("flagged", ASCENDING), ("_id", DESCENDING)],
            name="flagged",
            partialFilterExpression={"flagged": True},
        ),
        IndexModel([("words", ASCENDING)], name="words"),
        # search walks the caller's conversations newest first (merged across them)
        IndexModel([("conversationId", ASCENDING), ("_id", DESCENDING)], name=CONVERSATION_NEWEST),
    ],
    CLIENT_IDS: [
        IndexModel(
            [("conversationId", ASCENDING), ("senderId", ASCENDING), ("clientId", ASCENDING)],
            name="conversation_sender_clientId_unique",
            unique=True,
        ),
    ],
    MESSAGE_READS: [
        IndexModel(
            [("messageId", ASCENDING), ("userId", ASCENDING)],
            name="message_user_unique",
            unique=True,
        ),
    ],
    PACKAGES: [IndexModel([("ownerId", ASCENDING), ("_id", DESCENDING)], name="owner_newest")],
    BOOKINGS: [
        IndexModel([("providerId", ASCENDING), ("start", ASCENDING)], name="provider_start"),
        IndexModel([("providerId", ASCENDING), ("_id", DESCENDING)], name="provider_newest"),
        IndexModel([("clientId", ASCENDING), ("_id", DESCENDING)], name="client_newest"),
        IndexModel([("conversationId", ASCENDING), ("status", ASCENDING)], name="conversation"),
    ],
    FILES: [
        IndexModel([("ownerId", ASCENDING)], name="owner"),
        IndexModel(
            [("createdAt", ASCENDING)],
            name="unattached",
            partialFilterExpression={"attached": False},
        ),
    ],
    FILE_LINKS: [
        IndexModel(
            [("fileId", ASCENDING), ("messageId", ASCENDING)],
            name="file_message_unique",
            unique=True,
        ),
        IndexModel([("messageId", ASCENDING)], name="message"),
    ],
    f"{BLOB_BUCKET}.files": [IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)])],
    f"{BLOB_BUCKET}.chunks": [
        IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True),
    ],
}


# Indexes of earlier versions, dropped at startup (before the ones replacing them are created).
RETIRED: dict[str, list[str]] = {
    # clientIds were unique per sender; they are per sender per conversation.
    MESSAGES: ["sender_clientId_unique"],
    CLIENT_IDS: ["sender_clientId_unique"],
}


def ensure_indexes(db: Database[Any]) -> None:
    """Drops retired indexes and creates the missing ones. Existing ones (same name) are left
    alone, so a restart does no index work; an index whose definition changed gets a new name
    and its old name goes to ``RETIRED``. One ``create_index`` per model (startup only):
    mongomock's ``create_indexes`` drops ``partialFilterExpression``."""
    for collection_name, names in RETIRED.items():
        collection = db[collection_name]
        for name in set(names) & set(collection.index_information()):
            collection.drop_index(name)
    for collection_name, models in INDEXES.items():
        collection = db[collection_name]
        existing = set(collection.index_information())
        for model in models:
            options = dict(model.document)
            keys = options.pop("key")
            if options.get("name") not in existing:
                collection.create_index(list(keys.items()), **options)
