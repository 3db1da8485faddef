"""Conversions between rows and domain objects.

Datetimes are stored as epoch milliseconds (integer arithmetic, no float rounding) and come back
as aware UTC datetimes; Decimals are stored as text; nested values as compact JSON.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from lnk.domain.models import (
    Booking,
    BookingRequest,
    Conversation,
    FileMeta,
    LastMessage,
    Location,
    Message,
    Participant,
    ReplyPreview,
    ServiceOffer,
    ServicePackage,
    User,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:  # naive datetimes are taken as UTC
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MS


def from_ms(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH + value * _MS


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- nested values -------------------------------------------------------------------------


def file_to_dict(f: FileMeta) -> dict[str, Any]:
    return {
        "id": f.id,
        "owner_id": f.owner_id,
        "name": f.name,
        "size": f.size,
        "mime_type": f.mime_type,
        "storage_key": f.storage_key,
        "width": f.width,
        "height": f.height,
        "thumbnail_key": f.thumbnail_key,
        "created_at": to_ms(f.created_at),
    }


def file_from_dict(d: dict[str, Any]) -> FileMeta:
    return FileMeta(**{**d, "created_at": from_ms(d.get("created_at"))})


def location_to_json(loc: Location | None) -> str | None:
    if loc is None:
        return None
    return dumps(
        {
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "name": loc.name,
            "address": loc.address,
        }
    )


def offer_to_json(o: ServiceOffer | None) -> str | None:
    if o is None:
        return None
    return dumps(
        {
            "service_package_id": o.service_package_id,
            "title": o.title,
            "description": o.description,
            "price": str(o.price),
            "currency": o.currency,
            "duration_minutes": o.duration_minutes,
            "note": o.note,
            "status": o.status,
            "expires_at": to_ms(o.expires_at),
            "responded_at": to_ms(o.responded_at),
            "booking_id": o.booking_id,
        }
    )


def offer_from_json(s: str) -> ServiceOffer:
    d = json.loads(s)
    d["price"] = Decimal(d["price"])
    d["expires_at"] = from_ms(d["expires_at"])
    d["responded_at"] = from_ms(d["responded_at"])
    return ServiceOffer(**d)


def request_to_json(r: BookingRequest | None) -> str | None:
    if r is None:
        return None
    return dumps(
        {
            "service_package_id": r.service_package_id,
            "provider_id": r.provider_id,
            "title": r.title,
            "requested_start": to_ms(r.requested_start),
            "duration_minutes": r.duration_minutes,
            "note": r.note,
            "status": r.status,
            "expires_at": to_ms(r.expires_at),
            "booking_id": r.booking_id,
            "responded_at": to_ms(r.responded_at),
            "price": None if r.price is None else str(r.price),
            "currency": r.currency,
            "declined_because": r.declined_because,
        }
    )


def request_from_json(s: str) -> BookingRequest:
    d = json.loads(s)
    for key in ("requested_start", "expires_at", "responded_at"):
        d[key] = from_ms(d[key])
    if d.get("price") is not None:
        d["price"] = Decimal(d["price"])
    return BookingRequest(**d)


def reply_to_json(r: ReplyPreview | None) -> str | None:
    if r is None:
        return None
    return dumps({"id": r.id, "sender_id": r.sender_id, "type": r.type, "preview": r.preview})


def last_message_from_json(s: str | None) -> LastMessage | None:
    if s is None:
        return None
    d = json.loads(s)
    d["created_at"] = from_ms(d["created_at"])
    return LastMessage(**d)


# --- rows ----------------------------------------------------------------------------------


def user_from_row(r: sqlite3.Row) -> User:
    return User(
        id=r["id"],
        username=r["username"],
        display_name=r["display_name"],
        password_hash=r["password_hash"],
        role=r["role"],
        suspended=bool(r["suspended"]),
        avatar_url=r["avatar_url"],
        created_at=from_ms(r["created_at"]),
        last_seen_at=from_ms(r["last_seen_at"]),
    )


def participant_from_row(r: sqlite3.Row) -> Participant:
    return Participant(
        conversation_id=r["conversation_id"],
        user_id=r["user_id"],
        role=r["role"],
        joined_at=from_ms(r["joined_at"]),
        unread_count=r["unread_count"],
        archived=bool(r["archived"]),
        muted=bool(r["muted"]),
        deleted_at=from_ms(r["deleted_at"]),
        cleared_seq=r["cleared_seq"],
        last_read_seq=r["last_read_seq"],
        last_activity_at=from_ms(r["last_activity_at"]),
    )


def conversation_from_row(r: sqlite3.Row, participants: list[Participant]) -> Conversation:
    return Conversation(
        id=r["id"],
        type=r["type"],
        title=r["title"],
        created_by=r["created_by"],
        created_at=from_ms(r["created_at"]),
        updated_at=from_ms(r["updated_at"]),
        last_seq=r["last_seq"],
        last_message=last_message_from_json(r["last_message"]),
        last_message_at=from_ms(r["last_message_at"]),
        participants=participants,
    )


def message_from_row(r: sqlite3.Row) -> Message:
    attachments = r["attachments"]
    location = r["location"]
    offer = r["service_offer"]
    request = r["booking_request"]
    reply = r["reply_to"]
    reactions = r["reactions"]
    return Message(
        id=r["id"],
        conversation_id=r["conversation_id"],
        sender_id=r["sender_id"],
        type=r["type"],
        seq=r["seq"],
        created_at=from_ms(r["created_at"]),
        content=r["content"],
        client_id=r["client_id"],
        attachments=[file_from_dict(d) for d in json.loads(attachments)] if attachments else [],
        location=Location(**json.loads(location)) if location else None,
        service_offer=offer_from_json(offer) if offer else None,
        booking_request=request_from_json(request) if request else None,
        reply_to=ReplyPreview(**json.loads(reply)) if reply else None,
        reactions=json.loads(reactions) if reactions else {},
        edited_at=from_ms(r["edited_at"]),
        deleted=bool(r["deleted"]),
        flagged=bool(r["flagged"]),
        counts_unread=bool(r["counts_unread"]),
    )


def package_from_row(r: sqlite3.Row) -> ServicePackage:
    return ServicePackage(
        id=r["id"],
        owner_id=r["owner_id"],
        title=r["title"],
        description=r["description"],
        price=Decimal(r["price"]),
        currency=r["currency"],
        duration_minutes=r["duration_minutes"],
        active=bool(r["active"]),
        created_at=from_ms(r["created_at"]),
        updated_at=from_ms(r["updated_at"]),
    )


def booking_from_row(r: sqlite3.Row) -> Booking:
    return Booking(
        id=r["id"],
        service_package_id=r["service_package_id"],
        provider_id=r["provider_id"],
        client_id=r["client_id"],
        conversation_id=r["conversation_id"],
        message_id=r["message_id"],
        start=from_ms(r["start"]),
        duration_minutes=r["duration_minutes"],
        price=Decimal(r["price"]),
        currency=r["currency"],
        status=r["status"],
        created_at=from_ms(r["created_at"]),
    )


def file_from_row(r: sqlite3.Row) -> FileMeta:
    return FileMeta(
        id=r["id"],
        owner_id=r["owner_id"],
        name=r["name"],
        size=r["size"],
        mime_type=r["mime_type"],
        storage_key=r["storage_key"],
        width=r["width"],
        height=r["height"],
        thumbnail_key=r["thumbnail_key"],
        created_at=from_ms(r["created_at"]),
    )
