"""Collection names and the indexes the queries rely on, created at startup (idempotent)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from lnk.store.base import StoreError

USERS = "users"
REVOKED_TOKENS = "revokedTokens"
LOGINS = "logins"
CONVERSATIONS = "conversations"
PARTICIPANTS = "participants"
MESSAGES = "messages"
MESSAGE_READS = "messageReads"
PACKAGES = "servicePackages"
BOOKINGS = "bookings"
PROVIDER_SCHEDULES = "providerSchedules"
FILES = "files"
FILE_LINKS = "fileLinks"
BLOB_BUCKET = "blobs"
NOTIFICATION_SETTINGS = "notificationSettings"
PUSH_SUBSCRIPTIONS = "pushSubscriptions"
OUTBOX = "outbox"
REPORTS = "reports"
HELD_MESSAGES = "heldMessages"
AUDIT_LOG = "auditLog"
BLOCKS = "blocks"
RESPONSE_TIMES = "responseTimes"
DAILY_METRICS = "dailyMetrics"
DAILY_ACTIVE_USERS = "dailyActiveUsers"

# Partial filters use ``$exists: true``: an equality query on the field implies it, so the
# planner can use the index for ``{directKey: k}`` (a ``$type`` filter is not implied).
_PRESENT = {"$exists": True}
# Revocations outlive their token a little, covering clock skew and any expiry leeway the token
# check allows; purge_expired forgets them exactly at expiry.
TOKEN_TTL_GRACE_SECONDS = 300

CONVERSATION_NEWEST = "conversation_newest"

INDEXES: dict[str, list[IndexModel]] = {
    RESPONSE_TIMES: [
        IndexModel(
            [("providerId", ASCENDING), ("conversationId", ASCENDING)],
            name="provider_conversation_unique",
            unique=True,
        ),
        IndexModel([("providerId", ASCENDING), ("openedAt", ASCENDING)], name="provider_opened"),
        IndexModel(
            [("answeredAt", ASCENDING)],
            name="answered",
            partialFilterExpression={"answeredAt": {"$type": "date"}},
        ),
    ],
    DAILY_METRICS: [
        IndexModel(
            [("day", ASCENDING), ("metric", ASCENDING)], name="day_metric_unique", unique=True
        ),
    ],
    DAILY_ACTIVE_USERS: [
        IndexModel(
            [("day", ASCENDING), ("userId", ASCENDING)], name="day_user_unique", unique=True
        ),
    ],
    BLOCKS: [
        IndexModel(
            [("blockerId", ASCENDING), ("blockedId", ASCENDING)],
            name="blocker_blocked_unique",
            unique=True,
        ),
        IndexModel([("blockerId", ASCENDING), ("createdAt", DESCENDING)], name="blocker_newest"),
        IndexModel([("blockedId", ASCENDING)], name="blocked"),
    ],
    REPORTS: [
        # one open report per reporter and target; counting a target's open reports
        IndexModel(
            [("targetType", ASCENDING), ("targetId", ASCENDING), ("reporterId", ASCENDING)],
            name="open_target_reporter_unique",
            unique=True,
            partialFilterExpression={"status": "open"},
        ),
        # the moderators' queue, newest first
        IndexModel(
            [("status", ASCENDING), ("_id", DESCENDING)],
            name="status_newest",
        ),
    ],
    USERS: [
        IndexModel([("usernameLower", ASCENDING)], name="usernameLower_unique", unique=True),
        IndexModel([("displayNameLower", ASCENDING)], name="displayNameLower"),
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
            partialFilterExpression={"directKey": _PRESENT},
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
            partialFilterExpression={"clientId": _PRESENT},
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
        # search walks the caller's conversations newest first (merged across them)
        IndexModel([("conversationId", ASCENDING), ("_id", DESCENDING)], name=CONVERSATION_NEWEST),
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
    PUSH_SUBSCRIPTIONS: [
        IndexModel([("endpoint", ASCENDING)], name="endpoint_unique", unique=True),
        IndexModel([("userId", ASCENDING)], name="user"),
    ],
    OUTBOX: [
        # one pending digest per user, channel and conversation: new messages merge into it
        IndexModel(
            [("groupKey", ASCENDING)],
            name="pending_group_unique",
            unique=True,
            partialFilterExpression={"status": "pending", "groupKey": {"$type": "string"}},
        ),
        IndexModel([("status", ASCENDING), ("dueAt", ASCENDING)], name="status_due"),
        IndexModel([("status", ASCENDING), ("leaseUntil", ASCENDING)], name="status_lease"),
        IndexModel([("userId", ASCENDING), ("createdAt", ASCENDING)], name="user_created"),
        # the retention sweep: ended items by when they ended (pending ones have no sentAt)
        IndexModel([("sentAt", ASCENDING)], name="sent_at"),
    ],
    f"{BLOB_BUCKET}.files": [
        IndexModel(
            [("filename", ASCENDING), ("uploadDate", ASCENDING)], name="filename_1_uploadDate_1"
        )
    ],
    f"{BLOB_BUCKET}.chunks": [
        IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], name="files_id_1_n_1", unique=True),
    ],
}


# Indexes and collections of earlier versions, dropped at startup (before the ones replacing
# them are created).
RETIRED: dict[str, list[str]] = {
    # clientIds were unique per sender; they are per sender per conversation.
    MESSAGES: [
        "sender_clientId_unique",
        # search is pinned to conversation_newest and reads ``words`` from the documents only
        "words",
    ],
}
# Stand-ins for transactions that units of work replaced (clientId reservations, booking locks).
RETIRED_COLLECTIONS = ("messageClientIds", "bookingLocks")


class IndexMismatch(StoreError):
    """An existing index has the name of one of ours but another definition."""


_COMPARED = (
    "key",
    "unique",
    "sparse",
    "partialFilterExpression",
    "expireAfterSeconds",
    "collation",
)


def _definition(spec: dict[str, Any]) -> dict[str, Any]:
    """The parts of an index that change what it holds or enforces, comparable across
    ``IndexModel.document`` and ``index_information()`` (key order kept, numbers as ints)."""
    out: dict[str, Any] = {}
    for name in _COMPARED:
        value = spec.get(name)
        if name == "key":
            items = value.items() if isinstance(value, dict) else value
            value = [(k, int(v) if isinstance(v, (int, float)) else v) for k, v in items]
        elif name in ("unique", "sparse"):
            value = bool(value)
        if value not in (None, False):
            out[name] = value
    return out


def ensure_indexes(db: Database[Any]) -> None:
    """Drops what is retired, creates the missing indexes and checks the existing ones: an index
    with one of our names but another definition (keys, uniqueness, partial filter, TTL) is an error
    naming it, since the queries would silently stop being served or enforced as intended; a changed
    index takes a new name and its old one goes to ``RETIRED``. One ``create_index`` per model
    (startup only): mongomock's ``create_indexes`` drops ``partialFilterExpression``."""
    existing_collections = set(db.list_collection_names())
    for name in RETIRED_COLLECTIONS:
        if name in existing_collections:
            db.drop_collection(name)
    for collection_name, names in RETIRED.items():
        collection = db[collection_name]
        for name in set(names) & set(collection.index_information()):
            collection.drop_index(name)
    for collection_name, models in INDEXES.items():
        collection = db[collection_name]
        existing = collection.index_information()
        for model in models:
            options = dict(model.document)
            name = options["name"]
            if name in existing:
                have, want = _definition(existing[name]), _definition(options)
                if have != want:
                    raise IndexMismatch(
                        f"index {collection_name}.{name} exists with another definition: "
                        f"{have} (expected {want}); drop it to let LNK create it again"
                    )
                continue
            keys = options.pop("key")
            collection.create_index(list(keys.items()), **options)
