"""Messages API: sending, history, edits, deletes, reads, reactions and search."""

from __future__ import annotations

from flask import Blueprint, jsonify

from lnk.domain.models import User
from lnk.presenters import iso, message_json
from lnk.services import messages, reads, search
from lnk.services.messages import SendResult
from lnk.web import limits
from lnk.web.api import schemas as s
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_messages", __name__, url_prefix="/api")
TAG = "messages"
SEND_LIMIT = limits.SEND  # one bucket with the pages' send routes
REPEATED_SEND = {
    200: "The sender already used this `clientId` for the same kind of send in this "
    "conversation: the first message, and nothing new is sent."
}


def sent_response(result: SendResult):
    """201 with the new message, or 200 with the first one when a clientId repeats."""
    body = message_json(result.message)
    if result.warnings:
        body["warnings"] = result.warnings
    return jsonify(body), 201 if result.created else 200


@endpoint(
    bp,
    "/conversations/<id>/messages",
    "POST",
    summary="Send a text or media message",
    tag=TAG,
    operation_id="sendMessage",
    status=201,
    also=REPEATED_SEND,
    body=s.SendMessageBody,
    response=s.SentMessageOut,
    limit=SEND_LIMIT,
    errors=(404, 422),
)
def send(user: User, id: str, body: s.SendMessageBody):
    """Content 1-4000 characters after trimming unless attachments are given. Repeating a
    ``clientId`` returns the first message with 200 and sends nothing new."""
    return sent_response(
        messages.send_message(
            ctx(),
            user,
            id,
            content=body.content,
            attachment_ids=body.attachment_ids,
            reply_to_id=body.reply_to_id,
            client_id=body.client_id,
        )
    )


@endpoint(
    bp,
    "/conversations/<id>/messages/location",
    "POST",
    summary="Share a location",
    tag=TAG,
    operation_id="sendLocation",
    status=201,
    also=REPEATED_SEND,
    body=s.LocationBody,
    response=s.SentMessageOut,
    limit=SEND_LIMIT,
    errors=(404, 422),
)
def send_location(user: User, id: str, body: s.LocationBody):
    return sent_response(
        messages.send_location(
            ctx(),
            user,
            id,
            latitude=body.latitude,
            longitude=body.longitude,
            name=body.name,
            address=body.address,
            client_id=body.client_id,
        )
    )


@endpoint(
    bp,
    "/conversations/<id>/messages",
    "GET",
    summary="Message history",
    tag=TAG,
    operation_id="listMessages",
    query=s.MessageListQuery,
    response=s.ListOut[s.MessageOut],
    errors=(404,),
)
def history(user: User, id: str, query: s.MessageListQuery):
    """Newest first (``before`` or nothing), or oldest first after a message (``after``) or a
    sequence number (``afterSeq``), to catch up after a reconnect."""
    items, cursor = messages.list_messages(
        ctx(),
        user,
        id,
        before=query.before,
        after=query.after,
        after_seq=query.after_seq,
        limit=query.limit,
        cursor=query.cursor,
    )
    return jsonify({"items": [message_json(m) for m in items], "nextCursor": cursor})


@endpoint(
    bp,
    "/conversations/<id>/messages/bulk-mark-read",
    "POST",
    summary="Mark read",
    tag=TAG,
    operation_id="markMessagesRead",
    body=s.BulkReadBody,
    response=s.BulkReadOut,
    errors=(404,),
)
def bulk_mark_read(user: User, id: str, body: s.BulkReadBody):
    """Without ``messageIds``, everything in the conversation is marked read."""
    result = reads.mark_read(ctx(), user, id, body.message_ids)
    return jsonify(
        {
            "conversationId": id,
            "markedCount": len(result.marked_ids),
            "unreadCount": result.unread_count,
        }
    )


@endpoint(
    bp,
    "/messages/search",
    "GET",
    summary="Search the caller's messages",
    tag=TAG,
    operation_id="searchMessages",
    query=s.SearchQuery,
    response=s.ListOut[s.SearchHitOut],
    limit=limits.SEARCH,
    errors=(404, 422, 503),
)
def search_messages(user: User, query: s.SearchQuery):
    """Every term must start a word of the text (case-insensitive); newest first."""
    hits, cursor = search.search_messages(
        ctx(),
        user,
        query.q,
        conversation_id=query.conversation_id,
        limit=query.limit,
        cursor=query.cursor,
    )
    items = [{**message_json(m), "conversationTitle": c.title} for m, c in hits]
    return jsonify({"items": items, "nextCursor": cursor})


@endpoint(
    bp,
    "/messages/<id>",
    "GET",
    summary="A message",
    tag=TAG,
    operation_id="getMessage",
    response=s.MessageOut,
    errors=(404,),
)
def get(user: User, id: str):
    return jsonify(message_json(messages.get_message(ctx(), user, id)))


@endpoint(
    bp,
    "/messages/<id>",
    "PUT",
    summary="Edit a message",
    tag=TAG,
    operation_id="editMessage",
    body=s.EditMessageBody,
    response=s.SentMessageOut,
    errors=(403, 404, 409, 422),
)
def edit(user: User, id: str, body: s.EditMessageBody):
    """Sender only, text or caption only, within 24 hours (403 ``edit_window_expired``). New
    text holding contact details before a confirmed booking carries a ``contact_info``
    warning and flags the message for moderators, as on a send."""
    edited, warnings = messages.edit_message(ctx(), user, id, body.content)
    out = message_json(edited)
    if warnings:
        out["warnings"] = warnings
    return jsonify(out)


@endpoint(
    bp,
    "/messages/<id>",
    "DELETE",
    summary="Delete for everyone",
    tag=TAG,
    operation_id="deleteMessage",
    status=204,
    errors=(403, 404),
)
def delete(user: User, id: str):
    """The sender, a group owner/admin, or a platform admin."""
    messages.delete_message(ctx(), user, id)
    return "", 204


@endpoint(
    bp,
    "/messages/<id>/for-me",
    "DELETE",
    summary="Delete for the caller only",
    tag=TAG,
    operation_id="deleteMessageForMe",
    status=204,
    errors=(404,),
)
def delete_for_me(user: User, id: str):
    messages.delete_for_me(ctx(), user, id)
    return "", 204


@endpoint(
    bp,
    "/messages/<id>/read",
    "POST",
    summary="Mark one message read",
    tag=TAG,
    operation_id="markMessageRead",
    response=s.ReadOut,
    errors=(404,),
)
def read(user: User, id: str):
    """Idempotent: the first ``readAt`` is kept. Reading your own message is a no-op."""
    message_id, read_at, unread = reads.read_message(ctx(), user, id)
    return jsonify({"messageId": message_id, "readAt": iso(read_at), "unreadCount": unread})


@endpoint(
    bp,
    "/messages/<id>/reaction",
    "POST",
    summary="React (one reaction per user)",
    tag=TAG,
    operation_id="setReaction",
    body=s.ReactionBody,
    response=s.MessageOut,
    errors=(404, 409, 422),
)
def react(user: User, id: str, body: s.ReactionBody):
    return jsonify(message_json(messages.react(ctx(), user, id, body.emoji)))


@endpoint(
    bp,
    "/messages/<id>/reaction",
    "DELETE",
    summary="Remove the caller's reaction",
    tag=TAG,
    operation_id="removeReaction",
    response=s.MessageOut,
    errors=(404,),
)
def unreact(user: User, id: str):
    return jsonify(message_json(messages.react(ctx(), user, id, None)))


@endpoint(
    bp,
    "/messages/<id>/reads",
    "GET",
    summary="Who read a message, and when",
    tag=TAG,
    operation_id="listMessageReads",
    response=s.ReadsOut,
    errors=(404,),
)
def reads_of(user: User, id: str):
    entries = reads.message_reads(ctx(), user, id)
    return jsonify(
        {
            "messageId": id,
            "reads": [{"userId": r.user_id, "readAt": iso(r.read_at)} for r in entries],
        }
    )
