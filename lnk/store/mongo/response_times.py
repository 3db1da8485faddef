"""Provider response records: when a conversation reached a provider and when it answered."""

from __future__ import annotations

from datetime import datetime

from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import aware, from_bson_dt, to_bson_dt
from lnk.store.mongo.units import SessionDatabase
from lnk.store.safety import MetricsRepository, ResponseTimeRepository


class MongoResponseTimeRepository(ResponseTimeRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._records = db[ix.RESPONSE_TIMES]

    def opened(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        # an upsert, not insert-and-catch: a duplicate key would abort the enclosing transaction
        result = self._records.update_one(
            {"providerId": provider_id, "conversationId": conversation_id},
            {"$setOnInsert": {"openedAt": to_bson_dt(at), "answeredAt": None}},
            upsert=True,
        )
        return result.upserted_id is not None

    def answered(self, provider_id: str, conversation_id: str, at: datetime) -> bool:
        result = self._records.update_one(
            {"providerId": provider_id, "conversationId": conversation_id, "answeredAt": None},
            {"$set": {"answeredAt": to_bson_dt(at)}},
        )
        return result.modified_count == 1

    def answered_between(self, start: datetime, end: datetime) -> list[float]:
        cursor = self._records.find(
            {"answeredAt": {"$gte": to_bson_dt(start), "$lt": to_bson_dt(end)}},
            {"openedAt": 1, "answeredAt": 1},
        )
        return [(d["answeredAt"] - d["openedAt"]).total_seconds() / 60 for d in cursor]

    def since(
        self, provider_id: str, opened_after: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        cursor = self._records.find(
            {"providerId": provider_id, "openedAt": {"$gt": to_bson_dt(opened_after)}}
        ).sort("openedAt", 1)
        return [(aware(d["openedAt"]), from_bson_dt(d.get("answeredAt"))) for d in cursor]


class MongoMetricsRepository(MetricsRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._metrics = db[ix.DAILY_METRICS]
        self._active = db[ix.DAILY_ACTIVE_USERS]

    def add(self, day: str, metric: str, amount: int = 1) -> None:
        self._metrics.update_one(
            {"day": day, "metric": metric}, {"$inc": {"value": amount}}, upsert=True
        )

    def mark_active(self, day: str, user_id: str) -> bool:
        result = self._active.update_one(
            {"day": day, "userId": user_id}, {"$setOnInsert": {"day": day}}, upsert=True
        )
        return result.upserted_id is not None

    def series(self, first_day: str, last_day: str) -> dict[tuple[str, str], int]:
        cursor = self._metrics.find({"day": {"$gte": first_day, "$lte": last_day}})
        return {(d["day"], d["metric"]): int(d["value"]) for d in cursor}
