"""Loading what the chat page and its partials show: the list, an open conversation, a page of
messages. Every read goes through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lnk.domain.models import Conversation, Message, User
from lnk.errors import NotFound
from lnk.services import blocks, conversations, last_seen, messages, responsiveness
from lnk.web.chat.viewmodels import (
    ConversationItem,
    Row,
    Thread,
    conversation_items,
    make_thread,
    rows,
)
from lnk.web.context import ctx

FIRST_PAGE = 40
OLDER_PAGE = 40
AROUND_BEFORE = 20
AROUND_AFTER = 30
UNREAD_BEFORE = 5
UNREAD_AFTER = 50
LIST_PAGE = 30
ARCHIVED_UNREAD_SCAN = 50


@dataclass
class ConversationList:
    items: list[ConversationItem]
    next_cursor: str | None
    archived: bool
    # The Chats tab's count: archived conversations with unread messages (of the newest 50), by
    # id, so that the page keeps the count live from pushes (push.js).
    archived_unread_ids: list[str] = field(default_factory=list)

    @property
    def archived_unread(self) -> int:
        return len(self.archived_unread_ids)


def load_list(
    user: User, *, archived: bool = False, cursor: str | None = None, active_id: str | None = None
) -> ConversationList:
    found, next_cursor = conversations.list_conversations(
        ctx(), user, archived=archived, limit=LIST_PAGE, cursor=cursor
    )
    unread_ids = []
    if not archived and cursor is None:  # a later page of the list shows no tabs
        stored, _ = conversations.list_conversations(
            ctx(), user, archived=True, limit=ARCHIVED_UNREAD_SCAN
        )
        unread_ids = [c.id for c in stored if _unread(c, user) > 0]
    return ConversationList(
        conversation_items(found, user, active_id), next_cursor, archived, unread_ids
    )


def _unread(conversation, user: User) -> int:
    me = conversation.participant(user.id)
    return me.unread_count if me is not None else 0


@dataclass
class MessagePage:
    """Messages oldest first, with what lies beyond each end."""

    thread: Thread
    rows: list[Row]
    older_than: str | None = None  # id of the oldest shown message, when older ones exist
    newer_than: int | None = None  # seq of the newest shown message, when newer ones exist
    target_id: str | None = None
    unread_id: str | None = None  # the first unread message, where the page opens
    unread_count: int = 0
    extra: dict = field(default_factory=dict)
    reply_hint: str | None = None  # "Usually replies within 2 h" for a provider in a direct chat
    last_seen: datetime | None = None  # the other person's, in a direct chat (as the viewer may)
    block: blocks.BlockState | None = None  # what blocks stand between the two of a direct chat

    @property
    def messages(self) -> list[Message]:
        return [r.message for r in self.rows]


def _page(
    user: User,
    conversation_id: str,
    found: list[Message],
    *,
    more_older: bool,
    more_newer: bool,
    target_id: str | None = None,
) -> MessagePage:
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    now = ctx().clock.now()
    thread = make_thread(conversation, user, found, now)
    return MessagePage(
        thread,
        rows(found, now),
        older_than=found[0].id if found and more_older else None,
        newer_than=found[-1].seq if found and more_newer else None,
        target_id=target_id,
    )


def load_latest(user: User, conversation_id: str) -> MessagePage:
    """The newest page, or, with unread messages, a window that starts a little before the
    first unread one (the page opens there, under an "N unread messages" divider)."""
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    me = conversation.participant(user.id)
    if me is not None and me.unread_count > 0:
        page = _load_unread(user, conversation_id, max(me.last_read_seq, me.cleared_seq))
        if page is not None:
            page.unread_count = me.unread_count
            return _with_header(page)
    found, cursor = messages.list_messages(ctx(), user, conversation_id, limit=FIRST_PAGE)
    return _with_header(
        _page(user, conversation_id, found[::-1], more_older=cursor is not None, more_newer=False)
    )


def _load_unread(user: User, conversation_id: str, read_seq: int) -> MessagePage | None:
    newer, newer_cursor = messages.list_messages(
        ctx(), user, conversation_id, after_seq=read_seq, limit=UNREAD_AFTER
    )
    first = next((m for m in newer if m.sender_id != user.id and m.type != "system"), None)
    if first is None:
        return None
    older, older_cursor = messages.list_messages(
        ctx(), user, conversation_id, before=newer[0].id, limit=UNREAD_BEFORE
    )
    page = _page(
        user,
        conversation_id,
        older[::-1] + newer,
        more_older=older_cursor is not None,
        more_newer=newer_cursor is not None,
    )
    page.unread_id = first.id
    return page


def _with_header(page: MessagePage) -> MessagePage:
    """What the header of a direct conversation says of the other person: when it was last
    seen, and, for a provider, the responsiveness line; and whether the composer gives way to
    a block notice."""
    thread = page.thread
    other = thread.other_id
    if other and not thread.is_group:
        seen = last_seen.in_conversation(ctx(), thread.viewer, thread.conversation, thread.users)
        page.last_seen = seen.get(other)
        page.reply_hint = responsiveness.usually_replies(responsiveness.stats(ctx(), other))
        page.block = blocks.state(ctx(), thread.viewer.id, other)
    return page


def block_state(user: User, conversation: Conversation) -> blocks.BlockState | None:
    """Between the viewer and the other person of a direct conversation (None for a group)."""
    if conversation.type != "direct":
        return None
    other = next((i for i in conversation.participant_ids if i != user.id), None)
    return blocks.state(ctx(), user.id, other) if other else None


def load_around(user: User, conversation_id: str, message_id: str) -> MessagePage:
    """A window around one message (a search result opened in context)."""
    target = messages.get_message(ctx(), user, message_id)
    if target.conversation_id != conversation_id:
        raise NotFound("message not found")
    older, older_cursor = messages.list_messages(
        ctx(), user, conversation_id, before=target.id, limit=AROUND_BEFORE
    )
    newer, newer_cursor = messages.list_messages(
        ctx(), user, conversation_id, after_seq=target.seq - 1, limit=AROUND_AFTER
    )
    return _with_header(
        _page(
            user,
            conversation_id,
            older[::-1] + newer,
            more_older=older_cursor is not None,
            more_newer=newer_cursor is not None,
            target_id=target.id,
        )
    )


def load_older(user: User, conversation_id: str, before_id: str) -> MessagePage:
    found, cursor = messages.list_messages(
        ctx(), user, conversation_id, before=before_id, limit=OLDER_PAGE
    )
    return _page(
        user, conversation_id, found[::-1], more_older=cursor is not None, more_newer=False
    )


def load_newer(user: User, conversation_id: str, after_seq: int, limit: int) -> MessagePage:
    found, cursor = messages.list_messages(
        ctx(), user, conversation_id, after_seq=after_seq, limit=limit
    )
    return _page(user, conversation_id, found, more_older=False, more_newer=cursor is not None)


def load_one(user: User, message_id: str) -> MessagePage:
    message = messages.get_message(ctx(), user, message_id)
    return _page(user, message.conversation_id, [message], more_older=False, more_newer=False)


def page_of(user: User, message: Message) -> MessagePage:
    """A just-changed message rendered for its author's screen."""
    return _page(user, message.conversation_id, [message], more_older=False, more_newer=False)
