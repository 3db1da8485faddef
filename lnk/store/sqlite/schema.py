"""Versioned schema: ``PRAGMA user_version`` counts the migration steps already applied.

Each step is a list of single statements (``executescript`` would commit behind our back). Steps
run inside ``BEGIN IMMEDIATE`` and re-check the version there, so several processes opening the
same fresh file migrate it exactly once. Append new steps; never edit a released one.

Datetimes are epoch milliseconds (INTEGER); money is TEXT holding a Decimal; nested values are JSON.
"""

from __future__ import annotations

from lnk.store.sqlite import fts, notifications, response_times, safety
from lnk.store.sqlite.connection import Database

_V1 = [
    """CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        username_lower TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        display_name_lower TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        suspended INTEGER NOT NULL DEFAULT 0,
        avatar_url TEXT,
        created_at INTEGER
    )""",
    "CREATE INDEX users_display_name ON users (display_name_lower)",
    """CREATE TABLE revoked_tokens (
        jti TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at)",
    """CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        title TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_message TEXT,
        last_message_at INTEGER,
        direct_key TEXT UNIQUE
    )""",
    # rowid keeps participants in the order they joined
    """CREATE TABLE participants (
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        user_id TEXT NOT NULL,
        role TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        unread_count INTEGER NOT NULL DEFAULT 0,
        archived INTEGER NOT NULL DEFAULT 0,
        muted INTEGER NOT NULL DEFAULT 0,
        deleted_at INTEGER,
        cleared_seq INTEGER NOT NULL DEFAULT 0,
        last_read_seq INTEGER NOT NULL DEFAULT 0,
        last_activity_at INTEGER NOT NULL,
        UNIQUE (conversation_id, user_id)
    )""",
    # list_for_user: an index range scan of `limit` rows
    """CREATE INDEX participants_list ON participants
        (user_id, archived, last_activity_at DESC, conversation_id DESC)
        WHERE deleted_at IS NULL""",
    "CREATE INDEX participants_user ON participants (user_id, conversation_id)",
    """CREATE TABLE messages (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        seq INTEGER NOT NULL,
        sender_id TEXT NOT NULL,
        type TEXT NOT NULL,
        content TEXT NOT NULL DEFAULT '',
        client_id TEXT,
        attachments TEXT,
        location TEXT,
        service_offer TEXT,
        booking_request TEXT,
        reply_to TEXT,
        reactions TEXT,
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        deleted INTEGER NOT NULL DEFAULT 0,
        flagged INTEGER NOT NULL DEFAULT 0,
        status TEXT,
        pending_expires_at INTEGER,
        pending_provider_id TEXT
    )""",
    "CREATE UNIQUE INDEX messages_seq ON messages (conversation_id, seq)",
    """CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, client_id)
        WHERE client_id IS NOT NULL""",
    """CREATE INDEX messages_pending_expiry ON messages (pending_expires_at)
        WHERE pending_expires_at IS NOT NULL""",
    """CREATE INDEX messages_pending_provider ON messages (pending_provider_id)
        WHERE pending_provider_id IS NOT NULL""",
    "CREATE INDEX messages_flagged ON messages (flagged) WHERE flagged = 1",
    """CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content, content = 'messages', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
        WHEN old.content IS NOT new.content BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END""",
    """CREATE TABLE message_reads (
        message_id TEXT NOT NULL REFERENCES messages (id),
        user_id TEXT NOT NULL,
        read_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, user_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE hidden_messages (
        message_id TEXT NOT NULL REFERENCES messages (id),
        user_id TEXT NOT NULL,
        PRIMARY KEY (message_id, user_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE service_packages (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        price TEXT NOT NULL,
        currency TEXT NOT NULL,
        duration_minutes INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER,
        updated_at INTEGER
    )""",
    "CREATE INDEX service_packages_owner ON service_packages (owner_id, id)",
    """CREATE TABLE bookings (
        id TEXT PRIMARY KEY,
        service_package_id TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        client_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        start INTEGER,
        duration_minutes INTEGER NOT NULL,
        price TEXT NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER
    )""",
    "CREATE INDEX bookings_provider_start ON bookings (provider_id, start)",
    "CREATE INDEX bookings_provider ON bookings (provider_id, id)",
    "CREATE INDEX bookings_client ON bookings (client_id, id)",
    "CREATE INDEX bookings_conversation ON bookings (conversation_id, status)",
    """CREATE TABLE files (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        storage_key TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        thumbnail_key TEXT,
        created_at INTEGER
    )""",
    """CREATE TABLE file_links (
        file_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        PRIMARY KEY (file_id, conversation_id)
    ) WITHOUT ROWID""",
]

# The admin console counts suspended users without reading the whole table.
_V3 = ["CREATE INDEX users_suspended ON users (suspended) WHERE suspended = 1"]

# Files follow the messages that carry them: one link per (file, message) with the message's seq
# (for the join/clear point); ``attached`` marks files ever sent, so the sweep of uploads never
# attached reads only those; ``files_owner`` sums an uploader's storage for its quota.
_V4 = [
    """CREATE TABLE message_files (
        file_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (file_id, message_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX message_files_message ON message_files (message_id)",
    """INSERT OR IGNORE INTO message_files (file_id, message_id, conversation_id, seq)
        SELECT json_extract(a.value, '$.id'), m.id, m.conversation_id, m.seq
        FROM messages AS m, json_each(m.attachments) AS a
        WHERE m.deleted = 0 AND m.attachments IS NOT NULL""",
    "DROP TABLE file_links",
    "ALTER TABLE files ADD COLUMN attached INTEGER NOT NULL DEFAULT 0",
    "UPDATE files SET attached = 1 WHERE id IN (SELECT file_id FROM message_files)",
    "CREATE INDEX files_unattached ON files (created_at) WHERE attached = 0",
    "CREATE INDEX files_owner ON files (owner_id)",
]

# A clientId is unique per sender per conversation (it was per sender).
_CLIENT_ID_PER_CONVERSATION = [
    "DROP INDEX messages_client_id",
    """CREATE UNIQUE INDEX messages_client_id ON messages (conversation_id, sender_id, client_id)
        WHERE client_id IS NOT NULL""",
]

# Each login (the family of tokens it and its refreshes issue), so that a user's every token can
# be revoked at once.
_LOGINS = [
    """CREATE TABLE logins (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX logins_user ON logins (user_id, expires_at)",
]

# Whether a message counts as unread is decided by the services and stored with it.
_COUNTS_UNREAD = [
    "ALTER TABLE messages ADD COLUMN counts_unread INTEGER NOT NULL DEFAULT 1",
    "UPDATE messages SET counts_unread = 0 WHERE type = 'system'",
]

# When each user was last seen: the moment its last socket went away.
_LAST_SEEN = ["ALTER TABLE users ADD COLUMN last_seen_at INTEGER"]

MIGRATIONS: list[list[str]] = [
    _V1,
    fts.MIGRATION,
    _V3,
    _V4,
    _CLIENT_ID_PER_CONVERSATION,
    _LOGINS,
    _COUNTS_UNREAD,
    notifications.MIGRATION,
    fts.DOMAIN_WORDS,
    safety.MIGRATION,
    safety.BLOCKS_MIGRATION,
    response_times.MIGRATION,
    notifications.FINISHED_MIGRATION,
    _LAST_SEEN,
]


def migrate(db: Database) -> int:
    """Applies the missing steps; returns the resulting schema version."""
    if db.user_version >= len(MIGRATIONS):
        return db.user_version
    with db.write() as cur:
        version = int(cur.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:]:
            for statement in step:
                cur.execute(statement)
        cur.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
    return len(MIGRATIONS)
