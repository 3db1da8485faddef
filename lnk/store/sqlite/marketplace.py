"""Service packages and bookings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from lnk.domain.models import Booking, ServicePackage
from lnk.domain.rules import any_overlap, overlap_window
from lnk.store.base import BookingRepository, OverlapError, PackageRepository, Store
from lnk.store.sqlite.codec import booking_from_row, from_ms, package_from_row, to_ms
from lnk.store.sqlite.connection import Database

_PACKAGE_FIELDS = {"title", "description", "price", "currency", "duration_minutes", "active"}


class SqlitePackageRepository(PackageRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

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
        package_id = Store.new_id()
        row = self.db.one(
            "INSERT INTO service_packages (id, owner_id, title, description, price, currency,"
            " duration_minutes, active, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING *",
            (
                package_id,
                owner_id,
                title,
                description,
                str(price),
                currency,
                duration_minutes,
                to_ms(now),
                to_ms(now),
            ),
        )
        return package_from_row(row)

    def get(self, package_id: str) -> ServicePackage | None:
        row = self.db.one("SELECT * FROM service_packages WHERE id = ?", (package_id,))
        return package_from_row(row) if row else None

    def list_by_owner(
        self, owner_id: str, *, include_inactive: bool, limit: int, before_id: str | None = None
    ) -> list[ServicePackage]:
        sql = "SELECT * FROM service_packages WHERE owner_id = ?"
        params: list[object] = [owner_id]
        if not include_inactive:
            sql += " AND active = 1"
        if before_id is not None:
            sql += " AND id < ?"
            params.append(before_id)
        rows = self.db.all(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        return [package_from_row(r) for r in rows]

    def update(self, package_id: str, now: datetime, **fields: object) -> ServicePackage | None:
        unknown = set(fields) - _PACKAGE_FIELDS
        if unknown:
            raise TypeError(f"unknown package fields: {sorted(unknown)}")
        values: dict[str, object] = {"updated_at": to_ms(now)}
        for name, value in fields.items():
            if name == "price":
                value = str(value)
            elif name == "active":
                value = int(bool(value))
            values[name] = value
        assignments = ", ".join(f"{column} = ?" for column in values)
        row = self.db.one(
            f"UPDATE service_packages SET {assignments} WHERE id = ? RETURNING *",
            [*values.values(), package_id],
        )
        return package_from_row(row) if row else None


class SqliteBookingRepository(BookingRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, booking: Booking, *, refuse_overlap: bool) -> Booking:
        booking = replace(booking, id=Store.new_id())
        start = to_ms(booking.start)
        with self.db.write() as cur:
            if refuse_overlap and booking.start is not None:
                after, before = overlap_window(booking.start, booking.duration_minutes)
                candidates = cur.execute(  # a range of the index (provider_id, start)
                    "SELECT start, duration_minutes FROM bookings WHERE provider_id = ?"
                    " AND start > ? AND start < ? AND status = 'confirmed'",
                    (booking.provider_id, to_ms(after), to_ms(before)),
                ).fetchall()
                booked = [(at, r[1]) for r in candidates if (at := from_ms(r[0])) is not None]
                if any_overlap(booking.start, booking.duration_minutes, booked):
                    raise OverlapError("the provider has a confirmed booking at that time")
            cur.execute(
                "INSERT INTO bookings (id, service_package_id, provider_id, client_id,"
                " conversation_id, message_id, start, duration_minutes, price, currency, status,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    booking.id,
                    booking.service_package_id,
                    booking.provider_id,
                    booking.client_id,
                    booking.conversation_id,
                    booking.message_id,
                    start,
                    booking.duration_minutes,
                    str(booking.price),
                    booking.currency,
                    booking.status,
                    to_ms(booking.created_at),
                ),
            )
        return booking

    def get(self, booking_id: str) -> Booking | None:
        row = self.db.one("SELECT * FROM bookings WHERE id = ?", (booking_id,))
        return booking_from_row(row) if row else None

    def list_for_user(
        self, user_id: str, role: str | None, limit: int, before_id: str | None = None
    ) -> list[Booking]:
        if role == "client":
            sql, params = "SELECT * FROM bookings WHERE client_id = ?", [user_id]
        elif role == "provider":
            sql, params = "SELECT * FROM bookings WHERE provider_id = ?", [user_id]
        elif role is None:
            sql = "SELECT * FROM bookings WHERE (client_id = ? OR provider_id = ?)"
            params = [user_id, user_id]
        else:
            raise ValueError(f"unknown booking role {role!r}")
        if before_id is not None:
            sql += " AND id < ?"
            params.append(before_id)
        rows = self.db.all(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        return [booking_from_row(r) for r in rows]

    def set_status(self, booking_id: str, status: str) -> Booking | None:
        row = self.db.one(
            "UPDATE bookings SET status = ? WHERE id = ? RETURNING *", (status, booking_id)
        )
        return booking_from_row(row) if row else None

    def has_confirmed_in_conversation(self, conversation_id: str) -> bool:
        row = self.db.one(
            "SELECT 1 FROM bookings WHERE conversation_id = ? AND status = 'confirmed' LIMIT 1",
            (conversation_id,),
        )
        return row is not None
