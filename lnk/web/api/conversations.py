"""Conversations API."""

from __future__ import annotations

from flask import Blueprint, jsonify

from lnk.domain.models import Conversation, User
from lnk.presenters import conversation_json
from lnk.services import accounts, conversations, reads
from lnk.web import limits
from lnk.web.api import schemas as s
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_conversations", __name__, url_prefix="/api/conversations")
TAG = "conversations"


def conversations_json(items: list[Conversation], viewer: User) -> list[dict]:
    ids = {p.user_id for c in items for p in c.participants}
    users = accounts.users_by_id(ctx(), ids)
    return [conversation_json(c, viewer.id, users) for c in items]


def one_json(conversation: Conversation, viewer: User) -> dict:
    return conversations_json([conversation], viewer)[0]


@endpoint(
    bp,
    "",
    "POST",
    summary="Start a direct or group conversation",
    tag=TAG,
    operation_id="createConversation",
    status=201,
    also={200: "A direct conversation with this participant already exists: that one."},
    body=s.CreateConversationBody,
    response=s.ConversationOut,
    limit=limits.CREATE_CONVERSATION,
    errors=(422,),
)
def create(user: User, body: s.CreateConversationBody):
    """A direct conversation is unique per pair: asking again returns it with 200."""
    conversation, created = conversations.create_conversation(
        ctx(), user, body.type, body.participant_ids, body.title
    )
    return jsonify(one_json(conversation, user)), 201 if created else 200


@endpoint(
    bp,
    "",
    "GET",
    summary="The caller's conversations, most recent activity first",
    tag=TAG,
    operation_id="listConversations",
    query=s.ConversationListQuery,
    response=s.ListOut[s.ConversationOut],
)
def list_(user: User, query: s.ConversationListQuery):
    items, cursor = conversations.list_conversations(
        ctx(), user, archived=query.archived, limit=query.limit, cursor=query.cursor
    )
    return jsonify({"items": conversations_json(items, user), "nextCursor": cursor})


@endpoint(
    bp,
    "/<id>",
    "GET",
    summary="A conversation",
    tag=TAG,
    operation_id="getConversation",
    response=s.ConversationOut,
    errors=(404,),
)
def get(user: User, id: str):
    return jsonify(one_json(conversations.get_conversation(ctx(), user, id), user))


@endpoint(
    bp,
    "/<id>",
    "PUT",
    summary="Rename, mute, change members and roles",
    tag=TAG,
    operation_id="updateConversation",
    body=s.UpdateConversationBody,
    response=s.ConversationOut,
    errors=(403, 404, 422),
)
def update(user: User, id: str, body: s.UpdateConversationBody):
    """``muted`` is the caller's own. Title and members are for groups, by owner/admin; a member
    may remove only itself (leave). Membership changes post a system message."""
    conversation = conversations.update_conversation(
        ctx(),
        user,
        id,
        title=body.title,
        muted=body.muted,
        add_ids=body.add_participant_ids,
        remove_ids=body.remove_participant_ids,
        roles=body.participant_roles,
    )
    return jsonify(one_json(conversation, user))


@endpoint(
    bp,
    "/<id>/archive",
    "PUT",
    summary="Archive for the caller",
    tag=TAG,
    operation_id="archiveConversation",
    response=s.ConversationOut,
    errors=(404,),
)
def archive(user: User, id: str):
    return jsonify(one_json(conversations.set_archived(ctx(), user, id, True), user))


@endpoint(
    bp,
    "/<id>/unarchive",
    "PUT",
    summary="Unarchive for the caller",
    tag=TAG,
    operation_id="unarchiveConversation",
    response=s.ConversationOut,
    errors=(404,),
)
def unarchive(user: User, id: str):
    return jsonify(one_json(conversations.set_archived(ctx(), user, id, False), user))


@endpoint(
    bp,
    "/<id>",
    "DELETE",
    summary="Delete for the caller only",
    tag=TAG,
    operation_id="deleteConversation",
    status=204,
    errors=(404,),
)
def delete(user: User, id: str):
    """It leaves the caller's list and history; a later message brings it back with only the
    messages after the deletion."""
    conversations.delete_for_me(ctx(), user, id)
    return "", 204


@endpoint(
    bp,
    "/<id>/unread-count",
    "GET",
    summary="The caller's unread count",
    tag=TAG,
    operation_id="getConversationUnreadCount",
    response=s.UnreadCountOut,
    errors=(404,),
)
def unread_count(user: User, id: str):
    return jsonify(
        {"conversationId": id, "unreadCount": reads.conversation_unread(ctx(), user, id)}
    )
