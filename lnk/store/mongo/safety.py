"""Reports, messages held pending review, and the append-only audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from lnk.domain.safety import AuditEntry, Report
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import aware, from_bson_dt, parse_oid, to_bson_dt
from lnk.store.mongo.units import SessionDatabase
from lnk.store.safety import AuditLog, BlockRepository, ReportRepository

_OPEN = {"status": "open"}


def _report(d: dict[str, Any]) -> Report:
    return Report(
        id=str(d["_id"]),
        reporter_id=d["reporterId"],
        target_type=d["targetType"],
        target_id=d["targetId"],
        subject_id=d["subjectId"],
        conversation_id=d.get("conversationId"),
        reason=d["reason"],
        note=d.get("note", ""),
        status=d["status"],
        resolution=d.get("resolution"),
        resolved_by=d.get("resolvedBy"),
        resolved_at=from_bson_dt(d.get("resolvedAt")),
        created_at=aware(d["createdAt"]),
    )


class MongoReportRepository(ReportRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._reports = db[ix.REPORTS]
        self._held = db[ix.HELD_MESSAGES]

    def create(self, report: Report) -> tuple[Report, bool]:
        key = {
            "targetType": report.target_type,
            "targetId": report.target_id,
            "reporterId": report.reporter_id,
            **_OPEN,
        }
        doc = {
            **key,
            "subjectId": report.subject_id,
            "conversationId": report.conversation_id,
            "reason": report.reason,
            "note": report.note,
            "createdAt": to_bson_dt(report.created_at),
        }
        try:
            self._reports.insert_one(doc)
        except DuplicateKeyError:
            existing = self._reports.find_one(key)
            if existing is not None:
                return _report(existing), False
            raise
        return _report(doc), True

    def get(self, report_id: str) -> Report | None:
        oid = parse_oid(report_id)
        doc = self._reports.find_one({"_id": oid}) if oid else None
        return _report(doc) if doc else None

    def count_open(self, target_type: str, target_id: str) -> int:
        return self._reports.count_documents(
            {"targetType": target_type, "targetId": target_id, **_OPEN}
        )

    def open_for_target(self, target_type: str, target_id: str) -> list[Report]:
        cursor = self._reports.find(
            {"targetType": target_type, "targetId": target_id, **_OPEN}
        ).sort("_id", ASCENDING)
        return [_report(d) for d in cursor]

    def list_open(self, limit: int, before_id: str | None = None) -> list[Report]:
        query: dict[str, Any] = dict(_OPEN)
        if before_id is not None:
            oid = parse_oid(before_id)
            if oid is None:
                return []
            query["_id"] = {"$lt": oid}
        cursor = self._reports.find(query).sort("_id", DESCENDING).limit(limit)
        return [_report(d) for d in cursor]

    def count_open_total(self) -> int:
        return self._reports.count_documents(_OPEN)

    def close_for_target(
        self, target_type: str, target_id: str, resolution: str, resolved_by: str, now: datetime
    ) -> int:
        result = self._reports.update_many(
            {"targetType": target_type, "targetId": target_id, **_OPEN},
            {
                "$set": {
                    "status": "closed",
                    "resolution": resolution,
                    "resolvedBy": resolved_by,
                    "resolvedAt": to_bson_dt(now),
                }
            },
        )
        return result.modified_count

    def hold(self, message_id: str, now: datetime) -> bool:
        try:
            self._held.insert_one({"_id": message_id, "heldAt": to_bson_dt(now)})
        except DuplicateKeyError:
            return False
        return True

    def release(self, message_id: str) -> bool:
        return self._held.delete_one({"_id": message_id}).deleted_count == 1

    def held_among(self, message_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return set()
        return {d["_id"] for d in self._held.find({"_id": {"$in": ids}}, {"_id": 1})}


def _entry(d: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=str(d["_id"]),
        actor_id=d["actorId"],
        action=d["action"],
        target_type=d["targetType"],
        target_id=d["targetId"],
        detail=dict(d.get("detail") or {}),
        at=aware(d["at"]),
    )


class MongoAuditLog(AuditLog):
    """Only ever inserts; the application's database user needs no update or delete right on
    this collection (see the README)."""

    def __init__(self, db: SessionDatabase) -> None:
        self._entries = db[ix.AUDIT_LOG]

    def append(
        self,
        actor_id: str,
        action: str,
        target_type: str,
        target_id: str,
        now: datetime,
        detail: dict | None = None,
    ) -> AuditEntry:
        doc = {
            "_id": ObjectId(),
            "actorId": actor_id,
            "action": action,
            "targetType": target_type,
            "targetId": target_id,
            "detail": dict(detail or {}),
            "at": to_bson_dt(now),
        }
        self._entries.insert_one(doc)
        return _entry(doc)

    def page(self, limit: int, before_id: str | None = None) -> list[AuditEntry]:
        query: dict[str, Any] = {}
        if before_id is not None:
            oid = parse_oid(before_id)
            if oid is None:
                return []
            query["_id"] = {"$lt": oid}
        return [_entry(d) for d in self._entries.find(query).sort("_id", DESCENDING).limit(limit)]


class MongoBlockRepository(BlockRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._blocks = db[ix.BLOCKS]

    def block(self, blocker_id: str, blocked_id: str, now: datetime) -> tuple[datetime, bool]:
        key = {"blockerId": blocker_id, "blockedId": blocked_id}
        try:
            self._blocks.insert_one({**key, "createdAt": to_bson_dt(now)})
        except DuplicateKeyError:
            existing = self._blocks.find_one(key)
            if existing is None:
                raise
            return aware(existing["createdAt"]), False
        return aware(to_bson_dt(now)), True

    def unblock(self, blocker_id: str, blocked_id: str) -> bool:
        result = self._blocks.delete_one({"blockerId": blocker_id, "blockedId": blocked_id})
        return result.deleted_count == 1

    def blocked_by(self, blocker_id: str, limit: int) -> list[tuple[str, datetime]]:
        cursor = (
            self._blocks.find({"blockerId": blocker_id})
            .sort([("createdAt", DESCENDING), ("blockedId", DESCENDING)])
            .limit(limit)
        )
        return [(d["blockedId"], aware(d["createdAt"])) for d in cursor]

    def related(self, user_id: str) -> set[str]:
        mine = self._blocks.find({"blockerId": user_id}, {"blockedId": 1})
        theirs = self._blocks.find({"blockedId": user_id}, {"blockerId": 1})
        return {d["blockedId"] for d in mine} | {d["blockerId"] for d in theirs}

    def between(self, user_id: str, other_id: str) -> tuple[bool, bool]:
        pairs = [
            {"blockerId": user_id, "blockedId": other_id},
            {"blockerId": other_id, "blockedId": user_id},
        ]
        found = self._blocks.find({"$or": pairs}, {"blockerId": 1, "_id": 0})
        blockers = {d["blockerId"] for d in found}
        return user_id in blockers, other_id in blockers
