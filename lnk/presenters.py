"""Domain objects to the JSON shapes of the contract (camelCase, ISO-8601 UTC with ms and Z).

Used by the REST API, the Socket.IO broadcaster and the pages alike, so every client sees the
same payload for the same object.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from lnk.domain.models import (
    Booking,
    Conversation,
    FileMeta,
    Message,
    ServicePackage,
    User,
)
from lnk.domain.safety import BlockState, Report

if TYPE_CHECKING:
    from lnk.services.responsiveness import ResponseStats


def iso(dt: datetime | None) -> str | None:
    """``2026-11-24T10:15:30.123Z``; datetimes here are always aware UTC."""
    if dt is None:
        return None
    return dt.isoformat(timespec="milliseconds")[:23] + "Z"


def money(value: Decimal) -> float | int:
    """A JSON number with at most two decimals (19.9 stays 19.9, 20 stays 20)."""
    quantized = value.quantize(Decimal("0.01"))
    return int(quantized) if quantized == quantized.to_integral() else float(quantized)


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "displayName": user.display_name,
        "avatarUrl": user.avatar_url,
        "role": user.role,
        "createdAt": iso(user.created_at),
    }


def user_summary(user: User | None, user_id: str) -> dict:
    if user is None:
        return {"id": user_id, "username": None, "displayName": "Deleted user", "avatarUrl": None}
    return {
        "id": user.id,
        "username": user.username,
        "displayName": user.display_name,
        "avatarUrl": user.avatar_url,
    }


def conversation_json(conversation: Conversation, viewer_id: str, users: dict[str, User]) -> dict:
    """The conversation as ``viewer_id`` sees it (its own unread count, archive and mute)."""
    me = conversation.participant(viewer_id)
    last = conversation.last_message
    return {
        "id": conversation.id,
        "type": conversation.type,
        "title": conversation.title,
        "createdBy": conversation.created_by,
        "createdAt": iso(conversation.created_at),
        "updatedAt": iso(conversation.updated_at),
        "participants": [
            {
                "userId": p.user_id,
                "role": p.role,
                "joinedAt": iso(p.joined_at),
                "user": user_summary(users.get(p.user_id), p.user_id),
            }
            for p in conversation.participants
        ],
        "lastMessage": None
        if last is None or (me and last.seq <= me.cleared_seq)
        else {
            "id": last.id,
            "seq": last.seq,
            "senderId": last.sender_id,
            "type": last.type,
            "preview": last.preview,
            "createdAt": iso(last.created_at),
        },
        "lastMessageAt": iso(conversation.last_message_at),
        "unreadCount": me.unread_count if me else 0,
        "archived": me.archived if me else False,
        "muted": me.muted if me else False,
    }


def file_json(meta: FileMeta) -> dict:
    return {
        "id": meta.id,
        "url": f"/api/files/{meta.id}",
        "name": meta.name,
        "size": meta.size,
        "mimeType": meta.mime_type,
        "width": meta.width,
        "height": meta.height,
        "thumbnailUrl": f"/api/files/{meta.id}/thumbnail" if meta.thumbnail_key else None,
    }


def reactions_json(reactions: dict[str, str]) -> list[dict]:
    if not reactions:
        return []
    by_emoji: dict[str, list[str]] = {}
    for user_id, emoji in reactions.items():
        by_emoji.setdefault(emoji, []).append(user_id)
    ordered = sorted(by_emoji.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"emoji": e, "count": len(ids), "userIds": sorted(ids)} for e, ids in ordered]


def message_json(message: Message) -> dict:
    offer = message.service_offer
    request = message.booking_request
    return {
        "id": message.id,
        "conversationId": message.conversation_id,
        "senderId": message.sender_id,
        "type": message.type,
        "content": message.content,
        "attachments": [file_json(f) for f in message.attachments],
        "location": None
        if message.location is None
        else {
            "latitude": message.location.latitude,
            "longitude": message.location.longitude,
            "name": message.location.name,
            "address": message.location.address,
        },
        "serviceOffer": None
        if offer is None
        else {
            "servicePackageId": offer.service_package_id,
            "title": offer.title,
            "description": offer.description,
            "price": money(offer.price),
            "currency": offer.currency,
            "durationMinutes": offer.duration_minutes,
            "note": offer.note,
            "status": offer.status,
            "expiresAt": iso(offer.expires_at),
            "respondedAt": iso(offer.responded_at),
            "bookingId": offer.booking_id,
        },
        "bookingRequest": None
        if request is None
        else {
            "servicePackageId": request.service_package_id,
            "title": request.title,
            "requestedStart": iso(request.requested_start),
            "durationMinutes": request.duration_minutes,
            "note": request.note,
            "status": request.status,
            "expiresAt": iso(request.expires_at),
            "bookingId": request.booking_id,
            "respondedAt": iso(request.responded_at),
            "price": None if request.price is None else money(request.price),
            "currency": request.currency,
            "declinedBecause": request.declined_because,
        },
        "replyTo": None
        if message.reply_to is None
        else {
            "id": message.reply_to.id,
            "senderId": message.reply_to.sender_id,
            "type": message.reply_to.type,
            "preview": message.reply_to.preview,
        },
        "reactions": reactions_json(message.reactions),
        "seq": message.seq,
        "clientId": message.client_id,
        "createdAt": iso(message.created_at),
        "editedAt": iso(message.edited_at),
        "deleted": message.deleted,
        "heldForReview": message.held,
    }


def block_json(other_id: str, state: BlockState) -> dict:
    """``blockUpdated``'s payload for the user whose side ``state`` is (the socket adds
    ``online``)."""
    return {"userId": other_id, "blocking": state.blocking, "blockedBy": state.blocked_by}


def report_json(report: Report) -> dict:
    return {
        "id": report.id,
        "targetType": report.target_type,
        "targetId": report.target_id,
        "reason": report.reason,
        "note": report.note,
        "status": report.status,
        "createdAt": iso(report.created_at),
    }


def package_json(package: ServicePackage) -> dict:
    return {
        "id": package.id,
        "ownerId": package.owner_id,
        "title": package.title,
        "description": package.description,
        "price": money(package.price),
        "currency": package.currency,
        "durationMinutes": package.duration_minutes,
        "active": package.active,
        "createdAt": iso(package.created_at),
    }


def booking_json(booking: Booking) -> dict:
    return {
        "id": booking.id,
        "servicePackageId": booking.service_package_id,
        "providerId": booking.provider_id,
        "clientId": booking.client_id,
        "conversationId": booking.conversation_id,
        "messageId": booking.message_id,
        "start": iso(booking.start),
        "durationMinutes": booking.duration_minutes,
        "price": money(booking.price),
        "currency": booking.currency,
        "status": booking.status,
        "createdAt": iso(booking.created_at),
    }


def response_stats_json(stats: ResponseStats | None) -> dict | None:
    if stats is None:
        return None
    return {
        "responseRate": stats.response_rate,
        "medianFirstResponseMinutes": stats.median_first_response_minutes,
        "conversations": stats.conversations,
    }
