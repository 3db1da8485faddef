"""Reports, messages held pending review, and the append-only audit log."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from lnk.domain.safety import AuditEntry, Report
from lnk.store.base import Store
from lnk.store.safety import AuditLog, BlockRepository, ReportRepository
from lnk.store.sqlite.codec import dumps, from_ms, to_ms
from lnk.store.sqlite.connection import Database, placeholders

# Reports, held messages and the audit log (triggers refuse changing or removing an entry).
MIGRATION = [
    """CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        reporter_id TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        conversation_id TEXT,
        reason TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        resolution TEXT,
        resolved_by TEXT,
        resolved_at INTEGER,
        created_at INTEGER NOT NULL
    )""",
    """CREATE UNIQUE INDEX reports_open_per_reporter ON reports
        (target_type, target_id, reporter_id) WHERE status = 'open'""",
    "CREATE INDEX reports_open ON reports (id) WHERE status = 'open'",
    """CREATE TABLE held_messages (
        message_id TEXT PRIMARY KEY,
        held_at INTEGER NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT NOT NULL,
        detail TEXT NOT NULL,
        at INTEGER NOT NULL
    )""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END""",
]

# Blocks, one row per direction; the primary key serves the blocker's list, the index the other
# side (who blocked me).
BLOCKS_MIGRATION = [
    """CREATE TABLE blocks (
        blocker_id TEXT NOT NULL,
        blocked_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id)",
]


def _report(r: sqlite3.Row) -> Report:
    return Report(
        id=r["id"],
        reporter_id=r["reporter_id"],
        target_type=r["target_type"],
        target_id=r["target_id"],
        subject_id=r["subject_id"],
        conversation_id=r["conversation_id"],
        reason=r["reason"],
        note=r["note"],
        status=r["status"],
        resolution=r["resolution"],
        resolved_by=r["resolved_by"],
        resolved_at=from_ms(r["resolved_at"]),
        created_at=from_ms(r["created_at"]),  # type: ignore[arg-type]
    )


class SqliteReportRepository(ReportRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, report: Report) -> tuple[Report, bool]:
        new_id = Store.new_id()
        with self.db.write() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO reports (id, reporter_id, target_type, target_id,"
                " subject_id, conversation_id, reason, note, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                (
                    new_id,
                    report.reporter_id,
                    report.target_type,
                    report.target_id,
                    report.subject_id,
                    report.conversation_id,
                    report.reason,
                    report.note,
                    to_ms(report.created_at),
                ),
            )
            created = cur.rowcount == 1
            row = cur.execute(
                "SELECT * FROM reports WHERE target_type = ? AND target_id = ?"
                " AND reporter_id = ? AND status = 'open'",
                (report.target_type, report.target_id, report.reporter_id),
            ).fetchone()
        return _report(row), created

    def get(self, report_id: str) -> Report | None:
        row = self.db.one("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _report(row) if row else None

    def count_open(self, target_type: str, target_id: str) -> int:
        row = self.db.one(
            "SELECT count(*) FROM reports WHERE target_type = ? AND target_id = ?"
            " AND status = 'open'",
            (target_type, target_id),
        )
        return int(row[0]) if row else 0

    def open_for_target(self, target_type: str, target_id: str) -> list[Report]:
        rows = self.db.all(
            "SELECT * FROM reports WHERE target_type = ? AND target_id = ? AND status = 'open'"
            " ORDER BY id",
            (target_type, target_id),
        )
        return [_report(r) for r in rows]

    def list_open(self, limit: int, before_id: str | None = None) -> list[Report]:
        where, params = "status = 'open'", []
        if before_id is not None:
            where += " AND id < ?"
            params.append(before_id)
        rows = self.db.all(
            f"SELECT * FROM reports WHERE {where} ORDER BY id DESC LIMIT ?", (*params, limit)
        )
        return [_report(r) for r in rows]

    def count_open_total(self) -> int:
        row = self.db.one("SELECT count(*) FROM reports WHERE status = 'open'")
        return int(row[0]) if row else 0

    def close_for_target(
        self, target_type: str, target_id: str, resolution: str, resolved_by: str, now: datetime
    ) -> int:
        return self.db.run(
            "UPDATE reports SET status = 'closed', resolution = ?, resolved_by = ?,"
            " resolved_at = ? WHERE target_type = ? AND target_id = ? AND status = 'open'",
            (resolution, resolved_by, to_ms(now), target_type, target_id),
        )

    def hold(self, message_id: str, now: datetime) -> bool:
        return (
            self.db.run(
                "INSERT OR IGNORE INTO held_messages (message_id, held_at) VALUES (?, ?)",
                (message_id, to_ms(now)),
            )
            == 1
        )

    def release(self, message_id: str) -> bool:
        return self.db.run("DELETE FROM held_messages WHERE message_id = ?", (message_id,)) == 1

    def held_among(self, message_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return set()
        rows = self.db.all(
            f"SELECT message_id FROM held_messages WHERE message_id IN ({placeholders(len(ids))})",
            ids,
        )
        return {r[0] for r in rows}


def _entry(r: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        actor_id=r["actor_id"],
        action=r["action"],
        target_type=r["target_type"],
        target_id=r["target_id"],
        detail=json.loads(r["detail"]),
        at=from_ms(r["at"]),  # type: ignore[arg-type]
    )


class SqliteAuditLog(AuditLog):
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(
        self,
        actor_id: str,
        action: str,
        target_type: str,
        target_id: str,
        now: datetime,
        detail: dict | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            id=Store.new_id(),
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            at=now,
            detail=dict(detail or {}),
        )
        self.db.run(
            "INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (entry.id, actor_id, action, target_type, target_id, dumps(entry.detail), to_ms(now)),
        )
        return entry

    def page(self, limit: int, before_id: str | None = None) -> list[AuditEntry]:
        if before_id is None:
            rows = self.db.all("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.db.all(
                "SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?", (before_id, limit)
            )
        return [_entry(r) for r in rows]


class SqliteBlockRepository(BlockRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def block(self, blocker_id: str, blocked_id: str, now: datetime) -> tuple[datetime, bool]:
        with self.db.write() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at)"
                " VALUES (?, ?, ?)",
                (blocker_id, blocked_id, to_ms(now)),
            )
            created = cur.rowcount == 1
            row = cur.execute(
                "SELECT created_at FROM blocks WHERE blocker_id = ? AND blocked_id = ?",
                (blocker_id, blocked_id),
            ).fetchone()
        return from_ms(row[0]), created  # type: ignore[return-value]

    def unblock(self, blocker_id: str, blocked_id: str) -> bool:
        return (
            self.db.run(
                "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?",
                (blocker_id, blocked_id),
            )
            == 1
        )

    def blocked_by(self, blocker_id: str, limit: int) -> list[tuple[str, datetime]]:
        rows = self.db.all(
            "SELECT blocked_id, created_at FROM blocks WHERE blocker_id = ?"
            " ORDER BY created_at DESC, blocked_id DESC LIMIT ?",
            (blocker_id, limit),
        )
        return [(r[0], from_ms(r[1])) for r in rows]  # type: ignore[misc]

    def related(self, user_id: str) -> set[str]:
        rows = self.db.all(
            "SELECT blocked_id FROM blocks WHERE blocker_id = ?"
            " UNION SELECT blocker_id FROM blocks WHERE blocked_id = ?",
            (user_id, user_id),
        )
        return {r[0] for r in rows}

    def between(self, user_id: str, other_id: str) -> tuple[bool, bool]:
        rows = self.db.all(
            "SELECT blocker_id FROM blocks WHERE blocker_id = ? AND blocked_id = ?"
            " UNION ALL SELECT blocker_id FROM blocks WHERE blocker_id = ? AND blocked_id = ?",
            (user_id, other_id, other_id, user_id),
        )
        blockers = {r[0] for r in rows}
        return user_id in blockers, other_id in blockers
