"""What a chat page's socket receives: the change already rendered, once per distinct view.

A page socket (one that connected with ``auth: {fragments: true}``) gets ``newMessage`` and
``messageUpdated`` with the message's ``_message.html`` item in ``html``, the conversation list's
preview line in ``preview`` and ``archived`` (whether the viewer keeps the conversation archived),
instead of the message JSON that API sockets get. What a message looks like depends on the
viewer only through whether it sent the message (its own bubble, receipts, offer and booking
buttons) and which reaction it gave (the pressed chip), so the audience is split by that key and
each distinct view is rendered once, for one user of the group, and emitted to the page rooms of
all of them in one emit (one more for those of them who keep the conversation archived).

Times are rendered in UTC and en-US inside ``<time datetime=... data-format=...>`` and the page
shows them in the reader's own zone and locale, in the same text as a page the server renders for
that reader (``lnk.times.localize`` in times.js, the styles of ``lnk.web.times``). Rendering happens
in a request context of its own, so nothing of the request that caused the change (cookies,
Accept-Language, ``g``) leaks into it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Flask, g, render_template

from lnk.domain.models import Conversation, Message, User
from lnk.presenters import iso
from lnk.services import accounts, conversations
from lnk.web.chat.threads import MessagePage
from lnk.web.chat.viewmodels import Thread, conversation_item, read_counts
from lnk.web.locales import DEFAULT_LOCALE

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class PageVariant:
    """One rendering of a change and the users whose pages show exactly it."""

    user_ids: tuple[str, ...]
    payload: dict


def message_summary(message: Message) -> dict:
    """What the page script needs besides the HTML to place and announce a message."""
    return {
        "id": message.id,
        "seq": message.seq,
        "senderId": message.sender_id,
        "type": message.type,
        "clientId": message.client_id,
        "deleted": message.deleted,
        "createdAt": iso(message.created_at),
    }


class PageFragments:
    """Renders pushes for page sockets (one per app; called by the realtime broadcaster)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def message_variants(
        self, message: Message, audience: Iterable[str], action: str | None = None
    ) -> list[PageVariant]:
        """The distinct views of ``message`` among ``audience``: ``newMessage`` payloads when
        ``action`` is None, ``messageUpdated`` payloads otherwise."""
        groups: dict[tuple[bool, str | None], list[str]] = {}
        for user_id in dict.fromkeys(audience):
            key = (user_id == message.sender_id, message.reactions.get(user_id))
            groups.setdefault(key, []).append(user_id)
        if not groups:
            return []
        ctx = self.app.extensions["lnk"]
        conversation = conversations.conversation_by_id(ctx, message.conversation_id)
        if conversation is None:
            return []
        members = set(conversation.participant_ids)
        users = accounts.users_by_id(ctx, members | {message.sender_id})
        variants = []
        with self.app.test_request_context("/"):
            g.lnk_tz, g.lnk_locale = UTC, DEFAULT_LOCALE
            now = ctx.clock.now()
            for (is_sender, _reaction), user_ids in groups.items():
                viewer = next((users[u] for u in user_ids if u in users and u in members), None)
                if viewer is None:
                    continue
                payload = self._render(conversation, viewer, users, message, now, is_sender)
                payload["conversationId"] = message.conversation_id
                if action is not None:
                    payload["action"] = action
                for archived, some in _by_archive(conversation, user_ids):
                    variants.append(PageVariant(some, {**payload, "archived": archived}))
        return variants

    def _render(
        self,
        conversation: Conversation,
        viewer: User,
        users: dict[str, User],
        message: Message,
        now,
        is_sender: bool,
    ) -> dict:
        receipts = read_counts(conversation, viewer, [message]) if is_sender else {}
        thread = Thread(conversation, viewer, users, now, receipts)
        page = MessagePage(thread, [])
        html = render_template("_message.html", page=page, m=message, continued=False)
        item = conversation_item(conversation, viewer, users)
        last = conversation.last_message
        return {
            "message": message_summary(message),
            "html": html,
            "preview": item.preview,
            "lastMessageId": last.id if last else None,
        }


def _by_archive(conversation: Conversation, user_ids: list[str]) -> list[tuple[bool, tuple]]:
    """The viewers who keep the conversation archived apart from the others (one more emit, no
    more rendering): an archived conversation stays archived when a message arrives, so their
    pages count it on the Archived tab instead of placing it in the list."""
    split: dict[bool, list[str]] = {False: [], True: []}
    for user_id in user_ids:
        me = conversation.participant(user_id)
        split[bool(me and me.archived)].append(user_id)
    return [(archived, tuple(ids)) for archived, ids in split.items() if ids]
