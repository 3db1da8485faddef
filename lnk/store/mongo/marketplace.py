"""Service packages and bookings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

from lnk.domain.models import Booking, ServicePackage
from lnk.domain.rules import any_overlap, overlap_window
from lnk.store.base import BookingRepository, OverlapError, PackageRepository
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import (
    Doc,
    aware,
    booking_from_doc,
    dt_or_none,
    package_from_doc,
    parse_oid,
    ref,
    to_bson_dt,
    to_decimal128,
)
from lnk.store.mongo.units import SessionDatabase, UnitRunner

_PACKAGE_FIELDS = {
    "title": "title",
    "description": "description",
    "price": "price",
    "currency": "currency",
    "duration_minutes": "durationMinutes",
    "active": "active",
}


class MongoPackageRepository(PackageRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._packages = db[ix.PACKAGES]

    def create(
        self,
        owner_id: str,
        title: str,
        description: str,
        price: Decimal,
        currency: str,
        duration_minutes: int,
        now: datetime,
    ) -> ServicePackage:
        doc = {
            "ownerId": ref(owner_id),
            "title": title,
            "description": description,
            "price": to_decimal128(price),
            "currency": currency,
            "durationMinutes": duration_minutes,
            "active": True,
            "createdAt": to_bson_dt(now),
            "updatedAt": to_bson_dt(now),
        }
        self._packages.insert_one(doc)
        return package_from_doc(doc)

    def get(self, package_id: str) -> ServicePackage | None:
        oid = parse_oid(package_id)
        doc = self._packages.find_one({"_id": oid}) if oid else None
        return package_from_doc(doc) if doc else None

    def list_by_owner(
        self, owner_id: str, *, include_inactive: bool, limit: int, before_id: str | None = None
    ) -> list[ServicePackage]:
        query: Doc = {"ownerId": ref(owner_id)}
        if not include_inactive:
            query["active"] = True
        if before_id is not None:
            before = parse_oid(before_id)
            if before is None:
                return []
            query["_id"] = {"$lt": before}
        cursor = self._packages.find(query).sort("_id", DESCENDING).limit(max(limit, 1))
        return [package_from_doc(d) for d in cursor]

    def update(self, package_id: str, now: datetime, **fields: object) -> ServicePackage | None:
        unknown = set(fields) - set(_PACKAGE_FIELDS)
        if unknown:
            raise TypeError(f"unknown package fields: {sorted(unknown)}")
        oid = parse_oid(package_id)
        if oid is None:
            return None
        changes: Doc = {"updatedAt": to_bson_dt(now)}
        for name, value in fields.items():
            if name == "price":
                value = to_decimal128(value)  # type: ignore[arg-type]
            changes[_PACKAGE_FIELDS[name]] = value
        doc = self._packages.find_one_and_update(
            {"_id": oid}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
        return package_from_doc(doc) if doc else None


class MongoBookingRepository(BookingRepository):
    def __init__(self, db: SessionDatabase, units: UnitRunner) -> None:
        self._bookings = db[ix.BOOKINGS]
        self._schedules = db[ix.PROVIDER_SCHEDULES]
        self._units = units

    def create(self, booking: Booking, *, refuse_overlap: bool) -> Booking:
        """With ``refuse_overlap`` and a start, the check and the insert are one unit that also
        writes the provider's ``providerSchedules`` document: two units booking the same
        provider at once conflict there, and the one run again sees the other's booking."""
        oid = ObjectId()
        created = replace(booking, id=str(oid))
        doc = self._to_doc(oid, created)
        if not (refuse_overlap and booking.start is not None):
            self._bookings.insert_one(doc)
            return created

        def book() -> None:
            self._schedules.update_one(
                {"_id": doc["providerId"]}, {"$inc": {"bookings": 1}}, upsert=True
            )
            if self._overlapping(booking):
                raise OverlapError("the provider has an overlapping confirmed booking")
            self._bookings.insert_one(doc)

        self._units.run(book)
        return created

    @staticmethod
    def _to_doc(oid: ObjectId, booking: Booking) -> Doc:
        return {
            "_id": oid,
            "servicePackageId": ref(booking.service_package_id),
            "providerId": ref(booking.provider_id),
            "clientId": ref(booking.client_id),
            "conversationId": ref(booking.conversation_id),
            "messageId": ref(booking.message_id),
            "start": dt_or_none(booking.start),
            "durationMinutes": booking.duration_minutes,
            "price": to_decimal128(booking.price),
            "currency": booking.currency,
            "status": booking.status,
            "createdAt": dt_or_none(booking.created_at),
        }

    def _overlapping(self, booking: Booking) -> bool:
        assert booking.start is not None
        after, before = overlap_window(booking.start, booking.duration_minutes)
        query: Doc = {  # a range of the index (providerId, start)
            "providerId": ref(booking.provider_id),
            "start": {"$gt": to_bson_dt(after), "$lt": to_bson_dt(before)},
            "status": "confirmed",
        }
        booked = [
            (aware(d["start"]), int(d["durationMinutes"]))
            for d in self._bookings.find(query, {"start": 1, "durationMinutes": 1})
        ]
        return any_overlap(booking.start, booking.duration_minutes, booked)

    def get(self, booking_id: str) -> Booking | None:
        oid = parse_oid(booking_id)
        doc = self._bookings.find_one({"_id": oid}) if oid else None
        return booking_from_doc(doc) if doc else None

    def list_for_user(
        self, user_id: str, role: str | None, limit: int, before_id: str | None = None
    ) -> list[Booking]:
        user = ref(user_id)
        if role == "client":
            query: Doc = {"clientId": user}
        elif role == "provider":
            query = {"providerId": user}
        else:
            query = {"$or": [{"clientId": user}, {"providerId": user}]}
        if before_id is not None:
            before = parse_oid(before_id)
            if before is None:
                return []
            query["_id"] = {"$lt": before}
        cursor = self._bookings.find(query).sort("_id", DESCENDING).limit(max(limit, 1))
        return [booking_from_doc(d) for d in cursor]

    def set_status(self, booking_id: str, status: str) -> Booking | None:
        oid = parse_oid(booking_id)
        if oid is None:
            return None
        doc = self._bookings.find_one_and_update(
            {"_id": oid}, {"$set": {"status": status}}, return_document=ReturnDocument.AFTER
        )
        return booking_from_doc(doc) if doc else None

    def has_confirmed_in_conversation(self, conversation_id: str) -> bool:
        query = {"conversationId": ref(conversation_id), "status": "confirmed"}
        return self._bookings.find_one(query, {"_id": 1}) is not None
