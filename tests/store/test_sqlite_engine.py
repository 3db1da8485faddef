"""What only the SQLite engine has: versioned migrations, one file shared by processes, query
plans that stay index range scans, and blob keys that cannot escape the upload directory."""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lnk.store.base import ConversationCursor, NewMessage
from lnk.store.sqlite import SqliteStore
from lnk.store.sqlite.schema import MIGRATIONS

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def schema_of_version(cur, version: int) -> None:
    """The schema an earlier release left: the first ``version`` steps, and its version."""
    for step in MIGRATIONS[:version]:
        for statement in step:
            cur.execute(statement)
    cur.execute(f"PRAGMA user_version = {version}")


@pytest.fixture
def sqlite_store(tmp_path: Path):
    store = SqliteStore(str(tmp_path / "lnk.sqlite3"), upload_dir=str(tmp_path / "uploads"))
    yield store
    store.close()


def test_schema_is_migrated_once_and_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = str(tmp_path / "lnk.sqlite3")
    store = SqliteStore(path, upload_dir=str(tmp_path / "up"))
    assert store.db.user_version == len(MIGRATIONS)
    store.users.create("alice", "Alice", "h", "user", NOW)
    store.close()
    reopened = SqliteStore(path, upload_dir=str(tmp_path / "up"))
    assert reopened.users.get_by_username("alice") is not None
    assert reopened.db.user_version == len(MIGRATIONS)
    assert reopened.db.one("PRAGMA journal_mode")[0] == "wal"
    assert reopened.db.one("PRAGMA foreign_keys")[0] == 1
    assert reopened.ping()
    reopened.close()


def test_a_file_of_the_previous_version_gets_client_ids_per_conversation(tmp_path: Path):
    path, uploads = str(tmp_path / "lnk.sqlite3"), str(tmp_path / "up")
    store = SqliteStore(path, upload_dir=uploads)
    alice = store.users.create("alice", "Alice", "h", "user", NOW)
    first, second = (
        store.conversations.create("group", name, alice.id, [(alice.id, "owner")], NOW)
        for name in ("one", "two")
    )
    store.messages.append(NewMessage(first.id, alice.id, "text", "a", client_id="c-1"), NOW)
    with store.db.write() as cur:  # the schema as the version before left it
        cur.execute("DROP INDEX messages_client_id")
        cur.execute(
            "CREATE UNIQUE INDEX messages_client_id ON messages (sender_id, client_id)"
            " WHERE client_id IS NOT NULL"
        )
        cur.execute("DROP TABLE logins")  # made by a later step
        cur.execute("ALTER TABLE messages DROP COLUMN counts_unread")  # and so is this
        cur.execute("ALTER TABLE users DROP COLUMN last_seen_at")  # and this
        for table in (
            "reports",
            "held_messages",
            "audit_log",
            "blocks",
            "response_times",
            "daily_metrics",
            "daily_active_users",
        ):  # and these
            cur.execute(f"DROP TABLE {table}")
        cur.execute("PRAGMA user_version = 4")  # the clientId step is the fifth
    store.close()
    store = SqliteStore(path, upload_dir=uploads)
    assert store.db.user_version == len(MIGRATIONS)
    columns = [r["name"] for r in store.db.all("PRAGMA index_info(messages_client_id)")]
    assert columns == ["conversation_id", "sender_id", "client_id"]
    again = store.messages.append(
        NewMessage(second.id, alice.id, "text", "b", client_id="c-1"), NOW
    )
    assert store.messages.get_by_client_id(second.id, alice.id, "c-1") == again
    assert store.messages.get_by_client_id(first.id, alice.id, "c-1").content == "a"
    store.close()


def _append_many(
    path: str, upload_dir: str, conversation_id: str, sender_id: str, count: int
) -> None:
    store = SqliteStore(path, upload_dir=upload_dir)
    for i in range(count):
        store.messages.append(NewMessage(conversation_id, sender_id, "text", f"m{i}"), NOW)
    store.close()


@pytest.mark.slow
def test_two_processes_appending_to_one_file_get_every_seq_exactly_once(tmp_path: Path):
    path, uploads = str(tmp_path / "shared.sqlite3"), str(tmp_path / "up")
    store = SqliteStore(path, upload_dir=uploads)
    alice = store.users.create("alice", "Alice", "h", "user", NOW)
    bob = store.users.create("bob", "Bob", "h", "user", NOW)
    direct = store.conversations.create(
        "direct", None, alice.id, [(alice.id, "owner"), (bob.id, "member")], NOW
    )
    spawn = multiprocessing.get_context("spawn")
    per_process = 150
    workers = [
        spawn.Process(target=_append_many, args=(path, uploads, direct.id, sender.id, per_process))
        for sender in (alice, bob)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    total = 2 * per_process
    page = store.messages.page(direct.id, alice.id, after_seq=0, limit=total + 1)
    assert [m.seq for m in page] == list(range(1, total + 1))
    assert store.conversations.get(direct.id).last_seq == total
    assert store.conversations.get_participant(direct.id, alice.id).unread_count == per_process
    assert store.conversations.get_participant(direct.id, bob.id).unread_count == per_process
    store.close()


def _plans(store: SqliteStore, call: Callable[[], object]) -> list[str]:
    """The query plan of every SELECT (or UPDATE) that ``call`` runs, one string each."""
    statements: list[str] = []
    conn = store.db._conn
    conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE")):
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            plans.append(" | ".join(r[3] for r in rows))
    return plans


def _seeded(store: SqliteStore):
    alice = store.users.create("alice", "Alice", "h", "user", NOW)
    bob = store.users.create("bob", "Bob", "h", "user", NOW)
    direct = store.conversations.create(
        "direct", None, alice.id, [(alice.id, "owner"), (bob.id, "member")], NOW
    )
    for i in range(30):
        store.messages.append(NewMessage(direct.id, alice.id, "text", f"word{i} hello"), NOW)
    return alice, bob, direct


def test_list_for_user_is_an_index_range_scan_without_sorting(sqlite_store) -> None:
    alice, _, direct = _seeded(sqlite_store)
    after = ConversationCursor(NOW, direct.id)
    plans = _plans(
        sqlite_store,
        lambda: sqlite_store.conversations.list_for_user(
            alice.id, archived=False, limit=20, after=after
        ),
    )
    assert "participants_list" in plans[0] and "TEMP B-TREE" not in plans[0]


@pytest.mark.parametrize("direction", [{"before_seq": 20}, {"after_seq": 5}, {}])
def test_message_page_is_an_index_range_scan_without_sorting(sqlite_store, direction) -> None:
    alice, _, direct = _seeded(sqlite_store)
    plans = _plans(
        sqlite_store,
        lambda: sqlite_store.messages.page(direct.id, alice.id, min_seq=2, **direction),
    )
    assert "messages_seq" in plans[0] and "TEMP B-TREE" not in plans[0]
    assert "SCAN" not in plans[0].replace("SCAN m USING INDEX", "")


def test_search_is_driven_by_the_full_text_index(sqlite_store) -> None:
    alice, _, direct = _seeded(sqlite_store)
    plans = _plans(
        sqlite_store,
        lambda: sqlite_store.messages.search(alice.id, ["hel", "word1"], conversation_id=direct.id),
    )
    search_plan = next(p for p in plans if "VIRTUAL TABLE INDEX" in p)
    assert "TEMP B-TREE" not in search_plan


def test_overlap_candidates_are_a_range_of_the_provider_start_index(sqlite_store) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from lnk.domain.models import Booking

    alice, bob, direct = _seeded(sqlite_store)

    def book(minutes: int) -> Booking:
        start = NOW + timedelta(minutes=minutes)
        return Booking(
            "",
            "0" * 24,
            alice.id,
            bob.id,
            direct.id,
            "0" * 24,
            start,
            30,
            Decimal("1"),
            "EUR",
            "confirmed",
            NOW,
        )

    for minutes in range(0, 600, 30):
        sqlite_store.bookings.create(book(minutes), refuse_overlap=True)
    plans = _plans(
        sqlite_store, lambda: sqlite_store.bookings.create(book(900), refuse_overlap=True)
    )
    candidates = next(p for p in plans if "bookings" in p)
    assert (
        "USING INDEX bookings_provider_start (provider_id=? AND start>? AND start<?)" in candidates
    )


def test_full_text_index_is_built_in_batches_and_complete_for_every_search(sqlite_store) -> None:
    from lnk.store.sqlite import fts

    alice, _, direct = _seeded(sqlite_store)
    before = fts.pending(sqlite_store.db)
    first = sqlite_store.messages.append(
        NewMessage(direct.id, alice.id, "text", content="zebra crossing"), NOW
    )
    assert fts.pending(sqlite_store.db) == before + 1  # not indexed on the send path
    sqlite_store.messages.edit(first.id, "giraffe crossing", "giraffe crossing", NOW)
    assert [m.id for m in sqlite_store.messages.search(alice.id, ["gira"])] == [first.id]
    assert sqlite_store.messages.search(alice.id, ["zebra"]) == []
    assert fts.pending(sqlite_store.db) == 0
    sqlite_store.messages.edit(first.id, "okapi crossing", "okapi crossing", NOW)  # indexed row
    assert [m.id for m in sqlite_store.messages.search(alice.id, ["okap"])] == [first.id]
    assert sqlite_store.messages.search(alice.id, ["gira"]) == []
    for i in range(fts.BATCH):
        sqlite_store.messages.append(NewMessage(direct.id, alice.id, "text", content=f"n{i}"), NOW)
    assert fts.pending(sqlite_store.db) < fts.BATCH  # a full batch was indexed by append


def test_background_scans_use_their_partial_indexes(sqlite_store) -> None:
    _seeded(sqlite_store)
    expiry = _plans(sqlite_store, lambda: sqlite_store.messages.pending_expired(NOW))
    assert "messages_pending_expiry" in expiry[0]
    provider = _plans(
        sqlite_store, lambda: sqlite_store.messages.pending_requests_for_provider("x")
    )
    assert "messages_pending_provider" in provider[0]
    flagged = _plans(sqlite_store, lambda: sqlite_store.messages.flagged(10))
    assert "messages_flagged" in flagged[0]


def test_admin_counts_use_their_partial_indexes(sqlite_store) -> None:
    _seeded(sqlite_store)
    flagged = _plans(sqlite_store, sqlite_store.messages.count_flagged)
    assert "messages_flagged" in flagged[0]
    suspended = _plans(sqlite_store, sqlite_store.users.count_suspended)
    assert "users_suspended" in suspended[0]


def test_blob_keys_cannot_leave_the_upload_directory(sqlite_store, tmp_path: Path) -> None:
    for key in ["../escape", "a/b", "", ".hidden", "x" * 300]:
        with pytest.raises(ValueError):
            sqlite_store.blobs.put(key, io.BytesIO(b"x"), "text/plain")
        with pytest.raises(FileNotFoundError):
            sqlite_store.blobs.open(key)
    assert not (tmp_path / "escape").exists()
    sqlite_store.blobs.put("abc.thumb.jpg", io.BytesIO(b"x"), "image/jpeg")
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == ["abc.thumb.jpg"]


def test_conversation_load_and_file_access_checks_are_index_lookups(sqlite_store) -> None:
    alice, _, direct = _seeded(sqlite_store)
    load = _plans(sqlite_store, lambda: sqlite_store.conversations.get(direct.id))
    assert all("SCAN" not in plan for plan in load)
    visible = _plans(sqlite_store, lambda: sqlite_store.files.visible_to("f", alice.id))
    assert visible[0].startswith("SEARCH l USING PRIMARY KEY")
    assert not any("SCAN" in plan for plan in visible)
    unattached = _plans(sqlite_store, lambda: sqlite_store.files.unattached_before(NOW, 10))
    assert "files_unattached" in unattached[0]
    used = _plans(sqlite_store, lambda: sqlite_store.files.bytes_used(alice.id))
    assert "files_owner" in used[0]


def test_files_sent_before_the_upgrade_keep_following_their_messages(tmp_path: Path) -> None:
    """A database from before per-message file links: the links are rebuilt from the messages
    not deleted, and files no message carries count as never attached."""
    from lnk.store.sqlite.connection import Database

    path = str(tmp_path / "old.sqlite3")
    alice, bob = "a" * 24, "b" * 24
    old = Database(path)
    with old.write() as cur:
        schema_of_version(cur, 3)
        cur.execute(
            "INSERT INTO conversations (id, type, created_by, created_at, updated_at, last_seq)"
            " VALUES ('c', 'direct', ?, 0, 0, 2)",
            (alice,),
        )
        for user in (alice, bob):
            cur.execute(
                "INSERT INTO participants (conversation_id, user_id, role, joined_at,"
                " last_activity_at) VALUES ('c', ?, 'member', 0, 0)",
                (user,),
            )
        for file_id in ("f1", "f2", "f3"):
            cur.execute(
                "INSERT INTO files (id, owner_id, name, size, mime_type, storage_key, created_at)"
                " VALUES (?, ?, 'x.txt', 1, 'text/plain', ?, 0)",
                (file_id, alice, file_id),
            )
        cur.execute(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, type, attachments,"
            " created_at) VALUES ('m1', 'c', 1, ?, 'media', ?, 0)",
            (alice, '[{"id": "f1"}]'),
        )
        cur.execute(  # f2 was sent in m2, since deleted for everyone
            "INSERT INTO messages (id, conversation_id, seq, sender_id, type, created_at,"
            " deleted) VALUES ('m2', 'c', 2, ?, 'media', 0, 1)",
            (alice,),
        )
        cur.executemany("INSERT INTO file_links VALUES (?, 'c')", [("f1",), ("f2",)])
    old.close()
    upgraded = SqliteStore(path, upload_dir=str(tmp_path / "up"))
    assert upgraded.db.user_version == len(MIGRATIONS)
    assert upgraded.files.visible_to("f1", bob)
    assert not upgraded.files.visible_to("f2", bob)
    assert {f.id for f in upgraded.files.unattached_before(NOW, 10)} == {"f2", "f3"}
    assert upgraded.db.one("SELECT name FROM sqlite_master WHERE name = 'file_links'") is None
    upgraded.close()


def test_a_failed_commit_rolls_back_and_the_next_transaction_commits(tmp_path: Path) -> None:
    from lnk.store.sqlite.connection import Database

    db = Database(str(tmp_path / "commit.sqlite3"))
    db.run("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    db.run("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))")
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as cur:
        cur.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT, which fails
        cur.execute("INSERT INTO child (parent_id) VALUES (42)")
    with db.write() as cur:
        cur.execute("INSERT INTO parent (id) VALUES (1)")
    other = Database(str(tmp_path / "commit.sqlite3"))  # what another process sees
    assert [tuple(r) for r in other.all("SELECT id FROM parent")] == [(1,)]
    assert other.all("SELECT * FROM child") == []
    other.close()
    db.close()


def test_a_file_of_the_previous_version_gets_its_search_index_rebuilt_from_the_domain_words(
    tmp_path: Path,
) -> None:
    """A database whose full-text index held SQLite's own tokens: after the upgrade it holds the
    domain's words, for the messages indexed before and for those indexed after."""
    from lnk.store.sqlite import fts
    from lnk.store.sqlite.connection import Database

    path = str(tmp_path / "old.sqlite3")
    alice, bob = "a" * 24, "b" * 24
    old = Database(path)
    before = MIGRATIONS.index(fts.DOMAIN_WORDS)
    with old.write() as cur:
        schema_of_version(cur, before)
        cur.execute(
            "INSERT INTO conversations (id, type, created_by, created_at, updated_at, last_seq)"
            " VALUES ('c', 'direct', ?, 0, 0, 3)",
            (alice,),
        )
        for user in (alice, bob):
            cur.execute(
                "INSERT INTO participants (conversation_id, user_id, role, joined_at,"
                " last_activity_at) VALUES ('c', ?, 'member', 0, 0)",
                (user,),
            )
        for seq, text in enumerate(["Quarterly \ufb01nance", "Hauptstraße", "later \ufb01le"], 1):
            cur.execute(
                "INSERT INTO messages (id, conversation_id, seq, sender_id, type, content,"
                " created_at) VALUES (?, 'c', ?, ?, 'text', ?, 0)",
                (f"m{seq}", seq, alice, text),
            )
            if seq == 2:  # the first two were indexed by the old index, the last was waiting
                cur.execute(
                    "INSERT INTO messages_fts (rowid, content) SELECT rowid, content FROM messages"
                )
                cur.execute("UPDATE fts_state SET indexed_upto = 2")
    old.close()
    upgraded = SqliteStore(path, upload_dir=str(tmp_path / "up"))
    assert upgraded.db.user_version == len(MIGRATIONS)

    def found(term: str) -> list[str]:
        return [m.id for m in upgraded.messages.search(bob, [term])]

    assert found("finance") == ["m1"]
    assert found("strasse") == [] and found("hauptstrasse") == ["m2"]
    assert found("file") == ["m3"]
    upgraded.messages.edit("m1", "Café budget", "Café budget", NOW)  # the trigger keeps step
    assert found("finance") == [] and found("CAFE") == ["m1"]
    upgraded.close()


def test_the_audit_log_refuses_changes_in_the_database_itself(tmp_path) -> None:
    import sqlite3

    store = SqliteStore(str(tmp_path / "audit.sqlite3"), upload_dir=str(tmp_path / "up"))
    try:
        entry = store.audit.append("a" * 24, "user.suspend", "user", "b" * 24, NOW)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.run("UPDATE audit_log SET action = 'nothing' WHERE id = ?", (entry.id,))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.db.run("DELETE FROM audit_log WHERE id = ?", (entry.id,))
        assert store.audit.page(5)[0].action == "user.suspend"
    finally:
        store.close()


def test_users_of_the_previous_version_have_not_been_seen_yet(tmp_path: Path) -> None:
    """The last-seen step adds an empty column: every existing user reads as never seen, and
    recording works at once."""
    from lnk.store.sqlite.connection import Database

    path = str(tmp_path / "old.sqlite3")
    old = Database(path)
    before = len(MIGRATIONS) - 1
    with old.write() as cur:
        schema_of_version(cur, before)
        cur.execute(
            "INSERT INTO users (id, username, username_lower, display_name, display_name_lower,"
            " password_hash, role, created_at) VALUES (?, 'al', 'al', 'Al', 'al', 'h', 'user', 0)",
            ("a" * 24,),
        )
    old.close()
    upgraded = SqliteStore(path, upload_dir=str(tmp_path / "up"))
    assert upgraded.db.user_version == len(MIGRATIONS)
    assert upgraded.users.get("a" * 24).last_seen_at is None
    upgraded.users.record_last_seen({"a" * 24: NOW})
    assert upgraded.users.get("a" * 24).last_seen_at == NOW
    upgraded.close()
