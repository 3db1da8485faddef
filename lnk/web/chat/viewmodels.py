"""What the templates need beyond the domain objects: names, titles, receipts, permissions.

Built from service results only; no store access here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lnk.domain.models import Conversation, Message, Participant, User
from lnk.services import accounts, permissions, reads
from lnk.web.context import ctx
from lnk.web.times import day_label, local

GROUP_GAP_SECONDS = 5 * 60  # consecutive messages of one sender closer than this are grouped
EXPLICIT_RECEIPTS = 5  # own messages past every reader's watermark whose reads are looked up


def users_for(conversations: list[Conversation], messages: list[Message] = ()) -> dict[str, User]:
    ids = {p.user_id for c in conversations for p in c.participants}
    ids.update(m.sender_id for m in messages)
    return accounts.users_by_id(ctx(), ids)


def display_name(users: dict[str, User], user_id: str | None) -> str:
    user = users.get(user_id or "")
    return user.display_name if user else "Former member"


@dataclass
class ConversationItem:
    """One row of the conversation list, as the viewer sees it."""

    conversation: Conversation
    me: Participant
    title: str
    avatar_key: str
    other_id: str | None
    preview: str
    active: bool = False

    @property
    def id(self) -> str:
        return self.conversation.id

    @property
    def activity(self) -> datetime | None:
        return self.me.last_activity_at or self.conversation.last_message_at


def conversation_title(conversation: Conversation, viewer: User, users: dict[str, User]) -> str:
    if conversation.type == "group":
        return conversation.title or "Group"
    other = next((p.user_id for p in conversation.participants if p.user_id != viewer.id), None)
    return display_name(users, other) if other else "Just you"


def conversation_item(
    conversation: Conversation, viewer: User, users: dict[str, User], active_id: str | None = None
) -> ConversationItem:
    me = conversation.participant(viewer.id)
    assert me is not None
    other = None
    if conversation.type == "direct":
        other = next((p.user_id for p in conversation.participants if p.user_id != viewer.id), None)
    last = conversation.last_message
    preview = ""
    if last is not None and last.seq > me.cleared_seq:
        preview = last.preview
        if last.sender_id == viewer.id and last.type != "system":
            preview = f"You: {preview}"
        elif conversation.type == "group" and last.type != "system":
            preview = f"{display_name(users, last.sender_id).split(' ')[0]}: {preview}"
    return ConversationItem(
        conversation,
        me,
        conversation_title(conversation, viewer, users),
        other or conversation.id,
        other,
        preview,
        conversation.id == active_id,
    )


def conversation_items(
    conversations: list[Conversation], viewer: User, active_id: str | None = None
) -> list[ConversationItem]:
    users = users_for(conversations)
    return [conversation_item(c, viewer, users, active_id) for c in conversations]


@dataclass
class Thread:
    """An open conversation as the viewer sees it: who is who, what it may do, who read what."""

    conversation: Conversation
    viewer: User
    users: dict[str, User]
    now: datetime
    read_by: dict[str, int] = field(default_factory=dict)

    @property
    def me(self) -> Participant:
        me = self.conversation.participant(self.viewer.id)
        assert me is not None
        return me

    @property
    def title(self) -> str:
        return conversation_title(self.conversation, self.viewer, self.users)

    @property
    def is_group(self) -> bool:
        return self.conversation.type == "group"

    @property
    def other_id(self) -> str | None:
        if self.is_group:
            return None
        return next(
            (p.user_id for p in self.conversation.participants if p.user_id != self.viewer.id), None
        )

    @property
    def manager(self) -> bool:
        return permissions.manages(self.conversation, self.me)

    @property
    def readers(self) -> int:
        return len(self.conversation.participants) - 1

    @property
    def participant_names(self) -> dict[str, str]:
        return {p.user_id: self.name(p.user_id) for p in self.conversation.participants}

    def name(self, user_id: str | None) -> str:
        return display_name(self.users, user_id)

    def mine(self, message: Message) -> bool:
        return message.sender_id == self.viewer.id

    def can_edit(self, message: Message) -> bool:
        return permissions.can_edit(self.viewer, message, self.now, ctx().rules.edit_window)

    def can_delete(self, message: Message) -> bool:
        return permissions.can_delete(self.viewer, message, self.conversation, self.me)

    def receipt(self, message: Message) -> tuple[str, str]:
        """(state, label) of the viewer's own message: sent, read (direct) or read by N."""
        count = self.read_by.get(message.id, 0)
        if count <= 0:
            return "sent", "Sent"
        if not self.is_group:
            return "read", "Read"
        if count >= self.readers:
            return "read", "Read by everyone"
        return "partial", f"Read by {count}"

    def status(self, message: Message) -> str:
        """The offer or request status as it reads now (a lapsed pending one is expired)."""
        item = message.service_offer or message.booking_request
        if item is None:
            return ""
        if item.status == "pending" and item.expires_at <= self.now:
            return "expired"
        return item.status

    def my_reaction(self, message: Message) -> str | None:
        return message.reactions.get(self.viewer.id)


def read_counts(
    conversation: Conversation, viewer: User, messages: list[Message]
) -> dict[str, int]:
    """How many other participants read each of the viewer's own messages.

    Read watermarks (``last_read_seq``) answer for most; the newest few own messages beyond
    someone's watermark are looked up one by one (readers who marked single messages)."""
    others = [p for p in conversation.participants if p.user_id != viewer.id]
    counts: dict[str, int] = {}
    lookups = 0
    for message in sorted(messages, key=lambda m: -m.seq):
        if message.sender_id != viewer.id or message.type == "system" or message.deleted:
            continue
        eligible = [p for p in others if p.cleared_seq < message.seq]
        readers = {p.user_id for p in eligible if p.last_read_seq >= message.seq}
        if len(readers) < len(eligible) and lookups < EXPLICIT_RECEIPTS:
            lookups += 1
            readers.update(r.user_id for r in reads.message_reads(ctx(), viewer, message.id))
        counts[message.id] = len(readers)
    return counts


def make_thread(
    conversation: Conversation, viewer: User, messages: list[Message], now: datetime
) -> Thread:
    users = users_for([conversation], messages)
    return Thread(conversation, viewer, users, now, read_counts(conversation, viewer, messages))


@dataclass
class Row:
    """A message in the rendered list with its grouping: a day separator before it, and
    whether it continues the previous message's sender group."""

    message: Message
    day: str | None
    continued: bool


def rows(messages: list[Message], now: datetime, previous: Message | None = None) -> list[Row]:
    """Messages (oldest first) with day separators and sender grouping."""
    result = []
    for message in messages:
        day = local(message.created_at).date()
        new_day = previous is None or local(previous.created_at).date() != day
        continued = (
            not new_day
            and previous is not None
            and previous.sender_id == message.sender_id
            and "system" not in (previous.type, message.type)
            and (message.created_at - previous.created_at).total_seconds() < GROUP_GAP_SECONDS
        )
        result.append(
            Row(message, day_label(message.created_at, now) if new_day else None, continued)
        )
        previous = message
    return result
