"""Conversions between MongoDB documents and domain dataclasses.

Documents use camelCase fields. ``_id`` is an ObjectId whose hex string is the domain id;
references to other documents are stored as ObjectIds too (``ref``). Datetimes are written as
naive UTC truncated to milliseconds (what BSON keeps) and read back as aware UTC, whether or not
the client was opened with ``tz_aware``. Money is Decimal128, never a float.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import Decimal128, ObjectId
from bson.regex import Regex

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

Doc = dict[str, Any]


# --- scalars ------------------------------------------------------------------------------


def parse_oid(value: str | None) -> ObjectId | None:
    """The ObjectId of a domain id, or None when it is not a 24-hex string."""
    if isinstance(value, str) and len(value) == 24 and ObjectId.is_valid(value):
        return ObjectId(value)
    return None


def ref(value: str) -> ObjectId | str:
    """Stored form of a reference: an ObjectId for a well-formed id, else the string itself
    (so that a foreign id that is not ours still round-trips and compares consistently)."""
    return parse_oid(value) or value


def ref_or_none(value: str | None) -> ObjectId | str | None:
    return None if value is None else ref(value)


def sid(value: Any) -> str:
    return str(value)


def sid_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def to_bson_dt(value: datetime) -> datetime:
    """Naive UTC with millisecond precision (naive datetimes are UTC for pymongo)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def dt_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else to_bson_dt(value)


def from_bson_dt(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def aware(value: datetime | None) -> datetime:
    """``from_bson_dt`` for fields that are always set."""
    result = from_bson_dt(value)
    assert result is not None
    return result


def to_decimal128(value: Decimal | int | str) -> Decimal128:
    return Decimal128(Decimal(value) if not isinstance(value, Decimal) else value)


def from_decimal128(value: Any) -> Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return Decimal(str(value))


def prefix_pattern(prefix: str) -> Regex[str]:
    """``^prefix`` as a BSON regex with no flags (a compiled Python pattern is sent with the
    ``u`` flag, with which the server no longer turns the anchor into index bounds)."""
    return Regex("^" + re.escape(prefix))


# --- users --------------------------------------------------------------------------------


def user_from_doc(doc: Doc) -> User:
    return User(
        id=str(doc["_id"]),
        username=doc["username"],
        display_name=doc["displayName"],
        password_hash=doc["passwordHash"],
        role=doc.get("role", "user"),
        suspended=bool(doc.get("suspended", False)),
        avatar_url=doc.get("avatarUrl"),
        created_at=from_bson_dt(doc.get("createdAt")),
        last_seen_at=from_bson_dt(doc.get("lastSeenAt")),
    )


# --- conversations ------------------------------------------------------------------------


def participant_from_doc(doc: Doc) -> Participant:
    return Participant(
        conversation_id=str(doc["conversationId"]),
        user_id=str(doc["userId"]),
        role=doc.get("role", "member"),
        joined_at=from_bson_dt(doc.get("joinedAt")),
        unread_count=max(0, int(doc.get("unreadCount", 0))),  # < 0 only transiently
        archived=bool(doc.get("archived", False)),
        muted=bool(doc.get("muted", False)),
        deleted_at=from_bson_dt(doc.get("deletedAt")),
        cleared_seq=int(doc.get("clearedSeq", 0)),
        last_read_seq=int(doc.get("lastReadSeq", 0)),
        last_activity_at=from_bson_dt(doc.get("lastActivityAt")),
    )


def last_message_to_doc(
    message_id: ObjectId, seq: int, sender_id: str, type: str, preview: str, created_at: datetime
) -> Doc:
    return {
        "id": message_id,
        "seq": seq,
        "senderId": ref(sender_id),
        "type": type,
        "preview": preview,
        "createdAt": to_bson_dt(created_at),
    }


def conversation_from_doc(doc: Doc, participants: Iterable[Doc] = ()) -> Conversation:
    last = doc.get("lastMessage")
    return Conversation(
        id=str(doc["_id"]),
        type=doc["type"],
        title=doc.get("title"),
        created_by=str(doc["createdBy"]),
        created_at=aware(doc["createdAt"]),
        updated_at=aware(doc.get("updatedAt") or doc["createdAt"]),
        last_seq=int(doc.get("lastSeq", 0)),
        last_message=None
        if not last
        else LastMessage(
            id=str(last["id"]),
            seq=int(last["seq"]),
            sender_id=str(last["senderId"]),
            type=last["type"],
            preview=last.get("preview", ""),
            created_at=aware(last["createdAt"]),
        ),
        last_message_at=from_bson_dt(doc.get("lastMessageAt")),
        participants=[participant_from_doc(p) for p in participants],
    )


# --- files --------------------------------------------------------------------------------


def file_to_doc(meta: FileMeta) -> Doc:
    return {
        "_id": ref(meta.id),
        "ownerId": ref(meta.owner_id),
        "name": meta.name,
        "size": meta.size,
        "mimeType": meta.mime_type,
        "storageKey": meta.storage_key,
        "width": meta.width,
        "height": meta.height,
        "thumbnailKey": meta.thumbnail_key,
        "createdAt": dt_or_none(meta.created_at),
    }


def file_from_doc(doc: Doc) -> FileMeta:
    return FileMeta(
        id=str(doc["_id"]),
        owner_id=str(doc["ownerId"]),
        name=doc["name"],
        size=int(doc["size"]),
        mime_type=doc["mimeType"],
        storage_key=doc["storageKey"],
        width=doc.get("width"),
        height=doc.get("height"),
        thumbnail_key=doc.get("thumbnailKey"),
        created_at=from_bson_dt(doc.get("createdAt")),
    )


# --- messages -----------------------------------------------------------------------------


def offer_to_doc(offer: ServiceOffer) -> Doc:
    return {
        "servicePackageId": ref(offer.service_package_id),
        "title": offer.title,
        "description": offer.description,
        "price": to_decimal128(offer.price),
        "currency": offer.currency,
        "durationMinutes": offer.duration_minutes,
        "note": offer.note,
        "status": offer.status,
        "expiresAt": to_bson_dt(offer.expires_at),
        "respondedAt": dt_or_none(offer.responded_at),
        "bookingId": ref_or_none(offer.booking_id),
    }


def offer_from_doc(doc: Doc) -> ServiceOffer:
    return ServiceOffer(
        service_package_id=str(doc["servicePackageId"]),
        title=doc["title"],
        description=doc.get("description", ""),
        price=from_decimal128(doc["price"]),
        currency=doc["currency"],
        duration_minutes=int(doc["durationMinutes"]),
        note=doc.get("note"),
        status=doc["status"],
        expires_at=aware(doc["expiresAt"]),
        responded_at=from_bson_dt(doc.get("respondedAt")),
        booking_id=sid_or_none(doc.get("bookingId")),
    )


def request_to_doc(request: BookingRequest) -> Doc:
    return {
        "servicePackageId": ref(request.service_package_id),
        "providerId": ref(request.provider_id),
        "title": request.title,
        "requestedStart": to_bson_dt(request.requested_start),
        "durationMinutes": request.duration_minutes,
        "note": request.note,
        "status": request.status,
        "expiresAt": to_bson_dt(request.expires_at),
        "bookingId": ref_or_none(request.booking_id),
        "respondedAt": dt_or_none(request.responded_at),
        "price": None if request.price is None else to_decimal128(request.price),
        "currency": request.currency,
        "declinedBecause": request.declined_because,
    }


def request_from_doc(doc: Doc) -> BookingRequest:
    return BookingRequest(
        service_package_id=str(doc["servicePackageId"]),
        provider_id=str(doc["providerId"]),
        title=doc["title"],
        requested_start=aware(doc["requestedStart"]),
        duration_minutes=int(doc["durationMinutes"]),
        note=doc.get("note"),
        status=doc["status"],
        expires_at=aware(doc["expiresAt"]),
        booking_id=sid_or_none(doc.get("bookingId")),
        responded_at=from_bson_dt(doc.get("respondedAt")),
        price=None if doc.get("price") is None else from_decimal128(doc["price"]),
        currency=doc.get("currency"),
        declined_because=doc.get("declinedBecause"),
    )


def pending_expiry(offer: ServiceOffer | None, request: BookingRequest | None) -> datetime | None:
    """``pendingExpiresAt``: set only while an offer or request is pending (sparse index)."""
    for item in (offer, request):
        if item is not None and item.status == "pending":
            return to_bson_dt(item.expires_at)
    return None


def message_from_doc(doc: Doc) -> Message:
    location = doc.get("location")
    offer = doc.get("serviceOffer")
    request = doc.get("bookingRequest")
    reply = doc.get("replyTo")
    return Message(
        id=str(doc["_id"]),
        conversation_id=str(doc["conversationId"]),
        sender_id=str(doc["senderId"]),
        type=doc["type"],
        seq=int(doc["seq"]),
        created_at=aware(doc["createdAt"]),
        content=doc.get("content", ""),
        client_id=doc.get("clientId"),
        attachments=[file_from_doc(a) for a in doc.get("attachments") or []],
        location=Location(
            latitude=location["latitude"],
            longitude=location["longitude"],
            name=location.get("name"),
            address=location.get("address"),
        )
        if location
        else None,
        service_offer=offer_from_doc(offer) if offer else None,
        booking_request=request_from_doc(request) if request else None,
        reply_to=ReplyPreview(
            id=str(reply["id"]),
            sender_id=str(reply["senderId"]),
            type=reply["type"],
            preview=reply.get("preview", ""),
        )
        if reply
        else None,
        reactions={str(k): v for k, v in (doc.get("reactions") or {}).items()},
        edited_at=from_bson_dt(doc.get("editedAt")),
        deleted=bool(doc.get("deleted", False)),
        flagged=bool(doc.get("flagged", False)),
        counts_unread=bool(doc.get("countsUnread", doc.get("type") != "system")),
    )


# --- marketplace --------------------------------------------------------------------------


def package_from_doc(doc: Doc) -> ServicePackage:
    return ServicePackage(
        id=str(doc["_id"]),
        owner_id=str(doc["ownerId"]),
        title=doc["title"],
        description=doc.get("description", ""),
        price=from_decimal128(doc["price"]),
        currency=doc["currency"],
        duration_minutes=int(doc["durationMinutes"]),
        active=bool(doc.get("active", True)),
        created_at=from_bson_dt(doc.get("createdAt")),
        updated_at=from_bson_dt(doc.get("updatedAt")),
    )


def booking_from_doc(doc: Doc) -> Booking:
    return Booking(
        id=str(doc["_id"]),
        service_package_id=str(doc["servicePackageId"]),
        provider_id=str(doc["providerId"]),
        client_id=str(doc["clientId"]),
        conversation_id=str(doc["conversationId"]),
        message_id=str(doc["messageId"]),
        start=from_bson_dt(doc.get("start")),
        duration_minutes=int(doc["durationMinutes"]),
        price=from_decimal128(doc["price"]),
        currency=doc["currency"],
        status=doc.get("status", "confirmed"),
        created_at=from_bson_dt(doc.get("createdAt")),
    )
