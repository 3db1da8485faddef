"""Conversations: creation, membership and roles, and each participant's own view state."""

from __future__ import annotations

from datetime import datetime

from lnk.domain.events import ConversationUpdated, MessageSent
from lnk.domain.models import Conversation, Participant, User
from lnk.domain.names import clean_name
from lnk.domain.rules import counts_unread
from lnk.errors import Forbidden, NotFound, ValidationFailed
from lnk.services import blocks, reports
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor
from lnk.services.permissions import MANAGER_ROLES
from lnk.store.base import ConversationCursor, DuplicateError, NewMessage


def direct_key(a: str, b: str) -> str:
    return ":".join(sorted((a, b)))


def require_participant(
    ctx: ServiceContext, actor: User, conversation_id: str
) -> tuple[Conversation, Participant]:
    """The conversation and the actor's membership; 404 when the actor is not in it."""
    conversation = ctx.store.conversations.get(conversation_id)
    me = conversation.participant(actor.id) if conversation else None
    if conversation is None or me is None:
        raise NotFound("conversation not found")
    return conversation, me


def require_membership(ctx: ServiceContext, actor: User, conversation_id: str) -> Participant:
    """The actor's membership alone (one row): the cheap check for hot paths such as sending
    and reading, where every member's state is not needed; 404 when the actor is not in it."""
    me = ctx.store.conversations.get_participant(conversation_id, actor.id)
    if me is None:
        raise NotFound("conversation not found")
    return me


def audience_of(ctx: ServiceContext, conversation_id: str) -> tuple[str, ...]:
    """Every member's user id: who hears about an event in this conversation."""
    return tuple(ctx.store.conversations.participant_ids(conversation_id))


def _known_user_ids(ctx: ServiceContext, ids: list[str], field: str) -> list[str]:
    unique = list(dict.fromkeys(ids))
    found = ctx.store.users.get_many(unique)
    missing = [i for i in unique if i not in found]
    if missing:
        raise ValidationFailed.field(field, f"unknown user id(s): {', '.join(missing[:5])}")
    return unique


def create_conversation(
    ctx: ServiceContext,
    actor: User,
    type: str,
    participant_ids: list[str],
    title: str | None = None,
) -> tuple[Conversation, bool]:
    """Returns (conversation, created). A direct conversation is unique per pair of users."""
    if type == "direct":
        others = [i for i in dict.fromkeys(participant_ids) if i != actor.id]
        if len(others) != 1 or len(participant_ids) != 1:
            raise ValidationFailed.field(
                "participantIds", "a direct conversation has exactly one other participant"
            )
        other = _known_user_ids(ctx, others, "participantIds")[0]
        blocks.check_direct(ctx, actor.id, other)
        key = direct_key(actor.id, other)
        existing = ctx.store.conversations.get_direct(key)
        if existing:
            return existing, False
        try:
            conversation = ctx.run_in_unit(
                lambda: _create(ctx, "direct", None, actor, [(other, "member")], key)
            )
        except DuplicateError:  # the other side created it at the same moment
            conversation = ctx.store.conversations.get_direct(key)
            if conversation is None:
                raise
            return conversation, False
        return conversation, True
    else:
        title = _clean_title(title)
        others = [
            i for i in _known_user_ids(ctx, participant_ids, "participantIds") if i != actor.id
        ]
        if len(others) + 1 > ctx.rules.max_group_participants:
            raise ValidationFailed.field("participantIds", "too many participants")
        members = [(i, "member") for i in others]
        conversation = ctx.run_in_unit(lambda: _create(ctx, "group", title, actor, members, None))
    return conversation, True


def _create(
    ctx: ServiceContext,
    type: str,
    title: str | None,
    actor: User,
    others: list[tuple[str, str]],
    key: str | None,
) -> Conversation:
    creator = (actor.id, "owner" if type == "group" else "member")
    conversation = ctx.store.conversations.create(
        type, title, actor.id, [creator, *others], ctx.clock.now(), direct_key=key
    )
    ctx.events.publish([ConversationUpdated(conversation.id, tuple(conversation.participant_ids))])
    return conversation


def _clean_title(title: str | None) -> str:
    title = clean_name(title, "title")
    if not 1 <= len(title) <= 100:
        raise ValidationFailed.field("title", "a group needs a name of 1-100 characters")
    return title


def get_conversation(ctx: ServiceContext, actor: User, conversation_id: str) -> Conversation:
    conversation = require_participant(ctx, actor, conversation_id)[0]
    return reports.previews_as_seen_by(ctx, actor.id, [conversation])[0]


def list_conversations(
    ctx: ServiceContext,
    actor: User,
    *,
    archived: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[Conversation], str | None]:
    limit = clamp_limit(limit, 20)
    after = None
    if cursor:
        data = decode_cursor(cursor, t=str, id=str)
        try:
            when = datetime.fromisoformat(data["t"])
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise ValidationFailed.field("cursor", "is not a cursor this list returned")
        after = ConversationCursor(when, data["id"])
    items = ctx.store.conversations.list_for_user(
        actor.id, archived=archived, limit=limit + 1, after=after
    )
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1].participant(actor.id)
        assert last is not None and last.last_activity_at is not None
        next_cursor = encode_cursor({"t": last.last_activity_at.isoformat(), "id": items[-1].id})
    return reports.previews_as_seen_by(ctx, actor.id, items), next_cursor


@unit_of_work
def update_conversation(
    ctx: ServiceContext,
    actor: User,
    conversation_id: str,
    *,
    title: str | None = None,
    muted: bool | None = None,
    add_ids: list[str] | None = None,
    remove_ids: list[str] | None = None,
    roles: dict[str, str] | None = None,
) -> Conversation:
    """Applies every requested change after checking all of them, so a refused request changes
    nothing. Membership changes post one system message each."""
    conversation, me = require_participant(ctx, actor, conversation_id)
    add_ids, remove_ids, roles = add_ids or [], remove_ids or [], roles or {}
    group_change = title is not None or add_ids or remove_ids or roles
    if group_change and conversation.type != "group":
        raise ValidationFailed(
            "only group conversations have a title and members to change",
            errors={"type": ["is direct"]},
        )
    manager = me.role in MANAGER_ROLES
    leaving_only = remove_ids == [actor.id] and not (title is not None or add_ids or roles)
    if group_change and not manager and not leaving_only:
        raise Forbidden("only the group's owner or admins may change it")
    if title is not None:
        title = _clean_title(title)
    current = set(conversation.participant_ids)
    to_add = [i for i in _known_user_ids(ctx, add_ids, "addParticipantIds") if i not in current]
    to_remove = [i for i in dict.fromkeys(remove_ids) if i in current]
    _check_removals(conversation, me, to_remove)
    role_changes = _role_changes(conversation, me, roles)
    if len(current) + len(to_add) - len(to_remove) > ctx.rules.max_group_participants:
        raise ValidationFailed.field("addParticipantIds", "too many participants")

    now = ctx.clock.now()
    repo = ctx.store.conversations
    if muted is not None:
        repo.set_participant_flags(conversation_id, actor.id, muted=muted)
    if title is not None and title != conversation.title:
        repo.set_title(conversation_id, title, now)
    for user_id, role in role_changes.items():  # a new owner first: never a moment with none
        repo.set_participant_role(conversation_id, user_id, role)
    if to_add:
        repo.add_participants(conversation_id, [(i, "member") for i in to_add], now)
    if to_remove:
        if role_changes:
            conversation = repo.get(conversation_id) or conversation
        _hand_over_ownership(ctx, conversation, to_remove)
        repo.remove_participants(conversation_id, to_remove, now)

    messages = _membership_messages(ctx, actor, conversation, to_add, to_remove)
    updated = ctx.store.conversations.get(conversation_id)
    assert updated is not None
    audience = tuple(dict.fromkeys(updated.participant_ids + to_remove))
    events: list = [MessageSent(m, tuple(updated.participant_ids)) for m in messages]
    events.append(ConversationUpdated(conversation_id, audience if group_change else (actor.id,)))
    ctx.events.publish(events)
    return updated if updated.participant(actor.id) else conversation


def _check_removals(conversation: Conversation, me: Participant, to_remove: list[str]) -> None:
    for user_id in to_remove:
        if user_id == me.user_id:
            continue
        target = conversation.participant(user_id)
        assert target is not None
        if me.role == "admin" and target.role in MANAGER_ROLES:
            raise Forbidden("an admin may not remove the owner or another admin")


def _role_changes(
    conversation: Conversation, me: Participant, roles: dict[str, str]
) -> dict[str, str]:
    """The role changes to make, in the order to make them; refuses what breaks the rules.

    Only the owner changes an admin's role or hands ownership over; making someone owner hands
    it over (the old owner becomes an admin unless given another role in the same request); a
    group always has exactly one owner."""
    changes: dict[str, str] = {}
    for user_id, role in roles.items():
        target = conversation.participant(user_id)
        if target is None:
            raise ValidationFailed.field("participantRoles", f"{user_id} is not a participant")
        if role not in ("owner", "admin", "member"):
            raise ValidationFailed.field("participantRoles", "role must be owner, admin or member")
        if role == target.role:
            continue
        if me.role != "owner" and (role == "owner" or target.role in MANAGER_ROLES):
            raise Forbidden("only the owner may change an admin's role or hand over ownership")
        changes[user_id] = role
    new_owners = [user_id for user_id, role in changes.items() if role == "owner"]
    if len(new_owners) > 1:
        raise ValidationFailed.field("participantRoles", "a group has exactly one owner")
    if not new_owners:
        if me.user_id in changes:
            raise ValidationFailed.field(
                "participantRoles", "hand ownership to another participant before stepping down"
            )
        return changes
    old_owner_role = changes.pop(me.user_id, "admin")
    return {new_owners[0]: "owner", **changes, me.user_id: old_owner_role}


def _hand_over_ownership(
    ctx: ServiceContext, conversation: Conversation, leaving: list[str]
) -> None:
    """When the owner leaves, the longest-standing admin (else member) becomes owner."""
    owner = next((p for p in conversation.participants if p.role == "owner"), None)
    if owner is None or owner.user_id not in leaving:
        return
    remaining = [p for p in conversation.participants if p.user_id not in leaving]
    if not remaining:
        return
    remaining.sort(key=lambda p: (p.role != "admin", p.joined_at or ctx.clock.now()))
    ctx.store.conversations.set_participant_role(conversation.id, remaining[0].user_id, "owner")


def _membership_messages(
    ctx: ServiceContext,
    actor: User,
    conversation: Conversation,
    added: list[str],
    removed: list[str],
) -> list:
    if not added and not removed:
        return []
    users = ctx.store.users.get_many(added + removed)

    def name(user_id: str) -> str:
        user = users.get(user_id)
        return user.display_name if user else "someone"

    texts = []
    if added:
        texts.append(f"{actor.display_name} added {', '.join(name(i) for i in added)}")
    for user_id in removed:
        texts.append(
            f"{name(user_id)} left"
            if user_id == actor.id
            else f"{actor.display_name} removed {name(user_id)}"
        )
    now = ctx.clock.now()
    return [
        ctx.store.messages.append(
            NewMessage(
                conversation.id,
                actor.id,
                "system",
                content=text,
                preview=text,
                counts_unread=counts_unread("system"),
            ),
            now,
        )
        for text in texts
    ]


@unit_of_work
def set_archived(
    ctx: ServiceContext, actor: User, conversation_id: str, archived: bool
) -> Conversation:
    """Archives or unarchives for the actor alone. An archived conversation stays archived when
    new messages arrive (they count unread there; only the actor unarchives it)."""
    require_participant(ctx, actor, conversation_id)
    ctx.store.conversations.set_participant_flags(conversation_id, actor.id, archived=archived)
    ctx.events.publish([ConversationUpdated(conversation_id, (actor.id,))])
    return get_conversation(ctx, actor, conversation_id)


@unit_of_work
def delete_for_me(ctx: ServiceContext, actor: User, conversation_id: str) -> None:
    require_participant(ctx, actor, conversation_id)
    ctx.store.conversations.delete_for_user(conversation_id, actor.id, ctx.clock.now())
    ctx.events.publish([ConversationUpdated(conversation_id, (actor.id,))])


def unread_count(ctx: ServiceContext, actor: User, conversation_id: str) -> int:
    participant = ctx.store.conversations.get_participant(conversation_id, actor.id)
    if participant is None:
        raise NotFound("conversation not found")
    return participant.unread_count


def conversation_by_id(ctx: ServiceContext, conversation_id: str) -> Conversation | None:
    """A conversation with its participants, for system tasks that act for no particular user
    (e.g. the broadcaster building each participant's view)."""
    return ctx.store.conversations.get(conversation_id)


def contacts_of(ctx: ServiceContext, user_id: str) -> set[str]:
    """Users who share a conversation with ``user_id``: the audience of its presence."""
    return ctx.store.conversations.contacts_of(user_id)
