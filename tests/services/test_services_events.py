"""Unit tests of the service layer: each action's rules and the domain events it publishes."""

from __future__ import annotations

import pytest

from lnk.domain import search_text
from lnk.domain.events import (
    ConversationUpdated,
    MessageResent,
    MessageSent,
    MessagesRead,
    MessageUpdated,
)
from lnk.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lnk.services import accounts, conversations, messages, reads
from lnk.services.moderation import has_contact_info

pytestmark = pytest.mark.both_engines


@pytest.fixture
def people(ctx):
    return [accounts.register(ctx, name, "long-password") for name in ("ann", "ben", "cat")]


@pytest.fixture
def direct(ctx, people):
    ann, ben, _ = people
    conversation, created = conversations.create_conversation(ctx, ann, "direct", [ben.id])
    assert created
    return conversation


def test_send_publishes_message_sent_to_every_participant(ctx, events, people, direct):
    ann, ben, _ = people
    events.clear()
    result = messages.send_message(ctx, ann, direct.id, content="hi")
    assert result.created and result.message.seq == 1
    (event,) = events.events
    assert isinstance(event, MessageSent) and event.message.id == result.message.id
    assert set(event.audience) == {ann.id, ben.id}


def test_repeated_client_id_stores_nothing_and_announces_the_first_message_again(
    ctx, events, people, direct
):
    ann, ben, _ = people
    first = messages.send_message(ctx, ann, direct.id, content="x", client_id="k")
    events.clear()
    again = messages.send_message(ctx, ann, direct.id, content="x", client_id="k")
    assert not again.created and again.message.id == first.message.id
    (event,) = events.events
    assert isinstance(event, MessageResent) and event.message.id == first.message.id
    assert set(event.audience) == {ann.id, ben.id}


def test_edit_delete_react_publish_message_updated(ctx, events, people, direct):
    ann, ben, _ = people
    message = messages.send_message(ctx, ann, direct.id, content="x").message
    events.clear()
    messages.edit_message(ctx, ann, message.id, "y")
    messages.react(ctx, ben, message.id, "🎉")
    messages.delete_message(ctx, ann, message.id)
    actions = [e.action for e in events.events if isinstance(e, MessageUpdated)]
    assert actions == ["edited", "reaction", "deleted"]
    assert isinstance(events.events[-1], ConversationUpdated)


def test_mark_read_tells_others_and_updates_reader(ctx, events, people, direct):
    ann, ben, _ = people
    message = messages.send_message(ctx, ann, direct.id, content="x").message
    events.clear()
    result = reads.mark_read(ctx, ben, direct.id)
    assert result.marked_ids == [message.id] and result.unread_count == 0
    read_event, updated = events.events
    assert isinstance(read_event, MessagesRead) and read_event.audience == (ann.id,)
    assert isinstance(updated, ConversationUpdated) and updated.audience == (ben.id,)
    events.clear()
    assert reads.mark_read(ctx, ben, direct.id).marked_ids == []
    assert events.events == []  # nothing new read, nothing to tell


def test_group_changes_publish_system_messages_and_updates(ctx, events, people):
    ann, ben, cat = people
    group, _ = conversations.create_conversation(ctx, ann, "group", [ben.id], "G")
    assert isinstance(events.events[-1], ConversationUpdated)
    events.clear()
    conversations.update_conversation(ctx, ann, group.id, add_ids=[cat.id])
    sent = [e for e in events.events if isinstance(e, MessageSent)]
    assert len(sent) == 1 and sent[0].message.type == "system"
    assert set(sent[0].audience) == {ann.id, ben.id, cat.id}


def test_rules_are_enforced_in_the_service_layer(ctx, people, direct):
    ann, ben, cat = people
    with pytest.raises(NotFound):
        messages.send_message(ctx, cat, direct.id, content="intruder")
    message = messages.send_message(ctx, ann, direct.id, content="x").message
    with pytest.raises(Forbidden):
        messages.edit_message(ctx, ben, message.id, "not mine")
    with pytest.raises(NotFound):
        messages.get_message(ctx, cat, message.id)
    with pytest.raises(ValidationFailed):
        conversations.update_conversation(ctx, ann, direct.id, title="direct has none")
    with pytest.raises(Conflict):
        accounts.register(ctx, "ANN", "long-password")


def test_preview_of_each_message_type(ctx, people, direct):
    ann, _, _ = people
    text = messages.send_message(ctx, ann, direct.id, content="line one\nline two").message
    assert messages.preview_of(text) == "line one line two"
    where = messages.send_location(ctx, ann, direct.id, latitude=1, longitude=2, name="Park")
    assert messages.preview_of(where.message) == "📍 Park"


@pytest.mark.parametrize(
    "q, terms",
    [
        ("Hello  World", ["hello", "world"]),
        ("café-bar", ["cafe", "bar"]),
        ("!!! ...", []),
        ("a a a", ["a"]),
    ],
)
def test_search_terms(q, terms):
    assert search_text.query_terms(q) == terms


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail me at jo.doe@example.com", True),
        ("call +1 (555) 123-4567 tonight", True),
        ("my number is 0612345678", True),
        ("see you at 10:30 on 2026-12-01", False),
        ("the price is 120 EUR for 3 hours", False),
        ("no contact here", False),
    ],
)
def test_contact_info_detection(text, expected):
    assert has_contact_info(text) is expected
