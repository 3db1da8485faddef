"""Full-text indexing in batches, off the send path.

An FTS5 insert per message costs about as much as the rest of the send together: each
transaction writes a fresh index segment. So new messages are not indexed by a trigger; a
watermark (``fts_state.indexed_upto``, a messages rowid) records how far the index goes, and
``catch_up`` indexes everything above it in one transaction. It runs before every search (so a
search always sees every message), and from ``append`` once ``BATCH`` messages are waiting.
Edits and deletes of rows already indexed are kept in step by the update/delete triggers; rows
above the watermark are indexed later with whatever content they have by then.

What is indexed is not the text but its words as the domain's one tokeniser makes them
(``lnk.domain.search_text.words``, the SQL function ``search_words``), in a contentless index
whose ``ascii`` tokeniser only splits them at the spaces between them: MongoDB stores the same
words, so both engines find the same messages.
"""

from __future__ import annotations

import sqlite3

from lnk.store.sqlite.connection import Database

BATCH = 256

MIGRATION = [
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER messages_fts_delete",
    """CREATE TABLE fts_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_upto INTEGER NOT NULL
    )""",
    # every existing row was indexed by the old insert trigger
    "INSERT INTO fts_state (id, indexed_upto) SELECT 1, coalesce(max(rowid), 0) FROM messages",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
        WHEN old.content IS NOT new.content
         AND old.rowid <= (SELECT indexed_upto FROM fts_state WHERE id = 1) BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.rowid <= (SELECT indexed_upto FROM fts_state WHERE id = 1) BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.rowid, old.content);
    END""",
]


# The index holds the domain's words (``search_words(content)``) instead of SQLite's own
# ``unicode61`` tokens, which folded accents and split words differently from MongoDB.
DOMAIN_WORDS = [
    "DROP TRIGGER messages_fts_update",
    "DROP TRIGGER messages_fts_delete",
    "DROP TABLE messages_fts",
    "CREATE VIRTUAL TABLE messages_fts USING fts5 (words, content = '', tokenize = 'ascii')",
    """INSERT INTO messages_fts (rowid, words)
        SELECT rowid, search_words(content) FROM messages
        WHERE rowid <= (SELECT indexed_upto FROM fts_state WHERE id = 1)""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
        WHEN old.content IS NOT new.content
         AND old.rowid <= (SELECT indexed_upto FROM fts_state WHERE id = 1) BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, words)
        VALUES ('delete', old.rowid, search_words(old.content));
        INSERT INTO messages_fts (rowid, words) VALUES (new.rowid, search_words(new.content));
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.rowid <= (SELECT indexed_upto FROM fts_state WHERE id = 1) BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, words)
        VALUES ('delete', old.rowid, search_words(old.content));
    END""",
]


def pending(db: Database) -> int:
    """How many messages wait to be indexed (rowids are dense enough for an estimate)."""
    row = db.one(
        "SELECT (SELECT coalesce(max(rowid), 0) FROM messages)"
        " - (SELECT indexed_upto FROM fts_state WHERE id = 1)"
    )
    return int(row[0]) if row else 0


def catch_up(db: Database) -> int:
    """Indexes every message above the watermark in one transaction; returns how many."""
    if pending(db) <= 0:
        return 0
    with db.write() as cur:
        return _index_pending(cur)


def _index_pending(cur: sqlite3.Cursor) -> int:
    upto = cur.execute("SELECT indexed_upto FROM fts_state WHERE id = 1").fetchone()[0]
    top = cur.execute("SELECT coalesce(max(rowid), 0) FROM messages").fetchone()[0]
    if top <= upto:
        return 0
    cur.execute(
        "INSERT INTO messages_fts (rowid, words)"
        " SELECT rowid, search_words(content) FROM messages WHERE rowid > ? AND rowid <= ?",
        (upto, top),
    )
    cur.execute("UPDATE fts_state SET indexed_upto = ? WHERE id = 1", (top,))
    return top - upto
