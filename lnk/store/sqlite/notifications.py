"""Notification settings, push subscriptions and the outbox on SQLite.

The outbox claim runs in one ``BEGIN IMMEDIATE`` transaction: it holds the file's write lock, so a
claim is atomic across every process sharing the file, and each row's UPDATE re-checks the claimable
state (compare-and-set) before taking it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from lnk.domain.notifications import (
    STATUS_PENDING,
    STATUS_RETRY,
    STATUS_SENDING,
    NewNotification,
    NotificationSettings,
    OutboxEntry,
    OutboxItem,
    PushSubscription,
)
from lnk.store.base import Store
from lnk.store.notifications import (
    NotificationSettingsRepository,
    OutboxRepository,
    PushSubscriptionRepository,
)
from lnk.store.sqlite.codec import from_ms, to_ms
from lnk.store.sqlite.connection import Database, placeholders

# IF NOT EXISTS: a file whose version was set back to an earlier step re-runs this one harmlessly.
MIGRATION = [
    """CREATE TABLE IF NOT EXISTS notification_settings (
        user_id TEXT PRIMARY KEY,
        email TEXT,
        email_verified INTEGER NOT NULL DEFAULT 0,
        email_mode TEXT NOT NULL DEFAULT 'all',
        push INTEGER NOT NULL DEFAULT 1
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS push_subscriptions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        endpoint TEXT NOT NULL UNIQUE,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at INTEGER
    )""",
    "CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id)",
    """CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        conversation_id TEXT,
        group_key TEXT,
        entries TEXT NOT NULL DEFAULT '[]',
        payload TEXT NOT NULL DEFAULT '{}',
        due_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        claimed_by TEXT,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        sent_at INTEGER
    )""",
    # at most one pending digest per user, channel and conversation: new messages merge into it
    """CREATE UNIQUE INDEX IF NOT EXISTS outbox_pending_group ON outbox (group_key)
        WHERE status = 'pending'""",
    """CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at)
        WHERE status IN ('pending', 'retry')""",
    "CREATE INDEX IF NOT EXISTS outbox_lease ON outbox (lease_until) WHERE status = 'sending'",
    "CREATE INDEX IF NOT EXISTS outbox_user ON outbox (user_id, created_at)",
]

FINISHED_MIGRATION = [
    # the retention sweep finds ended items by when they ended
    """CREATE INDEX IF NOT EXISTS outbox_finished ON outbox (sent_at)
        WHERE status IN ('sent', 'cancelled', 'failed')""",
]

_CLAIMABLE = (
    "((status IN ('pending', 'retry') AND due_at <= :now)"
    " OR (status = 'sending' AND lease_until <= :now))"
)


def _settings(row: sqlite3.Row) -> NotificationSettings:
    return NotificationSettings(
        user_id=row["user_id"],
        email=row["email"],
        email_verified=bool(row["email_verified"]),
        email_mode=row["email_mode"],
        push=bool(row["push"]),
    )


class SqliteNotificationSettingsRepository(NotificationSettingsRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, user_id: str) -> NotificationSettings:
        row = self.db.one("SELECT * FROM notification_settings WHERE user_id = ?", (user_id,))
        return _settings(row) if row else NotificationSettings(user_id)

    def get_many(self, user_ids: Iterable[str]) -> dict[str, NotificationSettings]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        rows = self.db.all(
            f"SELECT * FROM notification_settings WHERE user_id IN ({placeholders(len(ids))})",
            ids,
        )
        return {r["user_id"]: _settings(r) for r in rows}

    def update(
        self, user_id: str, *, email_mode: str | None = None, push: bool | None = None
    ) -> NotificationSettings:
        with self.db.write() as cur:
            cur.execute(
                "INSERT INTO notification_settings (user_id) VALUES (?) ON CONFLICT DO NOTHING",
                (user_id,),
            )
            if email_mode is not None:
                cur.execute(
                    "UPDATE notification_settings SET email_mode = ? WHERE user_id = ?",
                    (email_mode, user_id),
                )
            if push is not None:
                cur.execute(
                    "UPDATE notification_settings SET push = ? WHERE user_id = ?",
                    (int(push), user_id),
                )
            row = cur.execute(
                "SELECT * FROM notification_settings WHERE user_id = ?", (user_id,)
            ).fetchone()
        return _settings(row)

    def set_email(self, user_id: str, email: str | None) -> NotificationSettings:
        with self.db.write() as cur:
            cur.execute(
                "INSERT INTO notification_settings (user_id) VALUES (?) ON CONFLICT DO NOTHING",
                (user_id,),
            )
            cur.execute(
                "UPDATE notification_settings SET email = ?, email_verified = 0"
                " WHERE user_id = ? AND email IS NOT ?",
                (email, user_id, email),
            )
            row = cur.execute(
                "SELECT * FROM notification_settings WHERE user_id = ?", (user_id,)
            ).fetchone()
        return _settings(row)

    def verify_email(self, user_id: str, email: str) -> bool:
        return (
            self.db.run(
                "UPDATE notification_settings SET email_verified = 1"
                " WHERE user_id = ? AND email = ?",
                (user_id, email),
            )
            == 1
        )


def _subscription(row: sqlite3.Row) -> PushSubscription:
    return PushSubscription(
        id=row["id"],
        user_id=row["user_id"],
        endpoint=row["endpoint"],
        p256dh=row["p256dh"],
        auth=row["auth"],
        created_at=from_ms(row["created_at"]),
    )


class SqlitePushSubscriptionRepository(PushSubscriptionRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, user_id: str, endpoint: str, p256dh: str, auth: str, now: datetime
    ) -> PushSubscription:
        with self.db.write() as cur:
            cur.execute(
                "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET"
                " user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth",
                (Store.new_id(), user_id, endpoint, p256dh, auth, to_ms(now)),
            )
            row = cur.execute(
                "SELECT * FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
            ).fetchone()
        return _subscription(row)

    def remove(self, user_id: str, endpoint: str) -> bool:
        return (
            self.db.run(
                "DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?",
                (user_id, endpoint),
            )
            == 1
        )

    def remove_endpoint(self, endpoint: str) -> bool:
        return self.db.run("DELETE FROM push_subscriptions WHERE endpoint = ?", (endpoint,)) == 1

    def for_user(self, user_id: str) -> list[PushSubscription]:
        rows = self.db.all(
            "SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id",
            (user_id,),
        )
        return [_subscription(r) for r in rows]

    def subscribed(self, user_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return set()
        rows = self.db.all(
            "SELECT DISTINCT user_id FROM push_subscriptions"
            f" WHERE user_id IN ({placeholders(len(ids))})",
            ids,
        )
        return {r["user_id"] for r in rows}


def _entries_json(entries: Iterable[OutboxEntry]) -> str:
    return json.dumps([[e.message_id, e.reason] for e in entries], separators=(",", ":"))


def _item(row: sqlite3.Row) -> OutboxItem:
    due_at = from_ms(row["due_at"])
    assert due_at is not None
    return OutboxItem(
        id=row["id"],
        kind=row["kind"],
        channel=row["channel"],
        user_id=row["user_id"],
        conversation_id=row["conversation_id"],
        entries=[OutboxEntry(m, r) for m, r in json.loads(row["entries"])],
        payload=json.loads(row["payload"]),
        due_at=due_at,
        status=row["status"],
        attempts=row["attempts"],
        claimed_by=row["claimed_by"],
        lease_until=from_ms(row["lease_until"]),
        last_error=row["last_error"],
        created_at=from_ms(row["created_at"]),
        sent_at=from_ms(row["sent_at"]),
    )


class SqliteOutboxRepository(OutboxRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def enqueue(self, items: Iterable[NewNotification], now: datetime) -> None:
        items = list(items)
        if not items:
            return
        with self.db.write() as cur:
            for item in items:
                key = item.group_key
                if key is not None:
                    row = cur.execute(
                        "SELECT id, entries, due_at FROM outbox"
                        " WHERE group_key = ? AND status = 'pending'",
                        (key,),
                    ).fetchone()
                    if row is not None:
                        merged = [tuple(e) for e in json.loads(row["entries"])]
                        for entry in item.entries:
                            if (entry.message_id, entry.reason) not in merged:
                                merged.append((entry.message_id, entry.reason))
                        cur.execute(
                            "UPDATE outbox SET entries = ?, due_at = MIN(due_at, ?) WHERE id = ?",
                            (
                                _entries_json(OutboxEntry(m, r) for m, r in merged),
                                to_ms(item.due_at),
                                row["id"],
                            ),
                        )
                        continue
                cur.execute(
                    "INSERT INTO outbox (id, kind, channel, user_id, conversation_id, group_key,"
                    " entries, payload, due_at, status, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        Store.new_id(),
                        item.kind,
                        item.channel,
                        item.user_id,
                        item.conversation_id,
                        key,
                        _entries_json(item.entries),
                        json.dumps(item.payload, separators=(",", ":")),
                        to_ms(item.due_at),
                        STATUS_PENDING,
                        to_ms(now),
                    ),
                )

    def claim_due(
        self, now: datetime, worker_id: str, lease_until: datetime, limit: int
    ) -> list[OutboxItem]:
        params = {"now": to_ms(now), "worker": worker_id, "lease": to_ms(lease_until)}
        with self.db.write() as cur:
            ids = [
                r["id"]
                for r in cur.execute(
                    f"SELECT id FROM outbox WHERE {_CLAIMABLE} ORDER BY due_at LIMIT :limit",
                    {**params, "limit": limit},
                ).fetchall()
            ]
            claimed = []
            for item_id in ids:
                changed = cur.execute(
                    f"UPDATE outbox SET status = '{STATUS_SENDING}', claimed_by = :worker,"
                    " lease_until = :lease, attempts = attempts + 1"
                    f" WHERE id = :id AND {_CLAIMABLE}",
                    {**params, "id": item_id},
                ).rowcount
                if changed == 1:
                    claimed.append(item_id)
            if not claimed:
                return []
            rows = cur.execute(
                f"SELECT * FROM outbox WHERE id IN ({placeholders(len(claimed))}) ORDER BY due_at",
                claimed,
            ).fetchall()
        return [_item(r) for r in rows]

    def finish(
        self, item_id: str, worker_id: str, status: str, now: datetime, error: str | None = None
    ) -> bool:
        return (
            self.db.run(
                "UPDATE outbox SET status = ?, sent_at = ?, last_error = COALESCE(?, last_error),"
                " lease_until = NULL WHERE id = ? AND status = ? AND claimed_by = ?",
                (status, to_ms(now), error, item_id, STATUS_SENDING, worker_id),
            )
            == 1
        )

    def retry(self, item_id: str, worker_id: str, due_at: datetime, error: str) -> bool:
        return (
            self.db.run(
                "UPDATE outbox SET status = ?, due_at = ?, last_error = ?, lease_until = NULL"
                " WHERE id = ? AND status = ? AND claimed_by = ?",
                (STATUS_RETRY, to_ms(due_at), error, item_id, STATUS_SENDING, worker_id),
            )
            == 1
        )

    def purge_finished(self, before: datetime, limit: int) -> int:
        return self.db.run(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            " WHERE status IN ('sent', 'cancelled', 'failed') AND sent_at < ? LIMIT ?)",
            (to_ms(before), limit),
        )

    def get(self, item_id: str) -> OutboxItem | None:
        row = self.db.one("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return _item(row) if row else None

    def for_user(self, user_id: str) -> list[OutboxItem]:
        rows = self.db.all(
            "SELECT * FROM outbox WHERE user_id = ? ORDER BY created_at, id", (user_id,)
        )
        return [_item(r) for r in rows]
