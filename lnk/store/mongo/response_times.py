"""Provider response records: when a conversation reached a provider and when it answered."""

from __future__ import annotations

from datetime import datetime

from lnk.store.base import ResponseTimeRepository
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import aware, from_bson_dt, to_bson_dt
from lnk.store.mongo.units import SessionDatabase


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

    def since(
        self, provider_id: str, opened_after: datetime
    ) -> list[tuple[datetime, datetime | None]]:
        cursor = self._records.find(
            {"providerId": provider_id, "openedAt": {"$gt": to_bson_dt(opened_after)}}
        ).sort("openedAt", 1)
        return [(aware(d["openedAt"]), from_bson_dt(d.get("answeredAt"))) for d in cursor]
