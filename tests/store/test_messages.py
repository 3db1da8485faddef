"""Appending, paging, editing, deleting, hiding and reacting to messages."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from lnk.domain.models import Location, ReplyPreview
from lnk.store.base import DuplicateError, Store
from tests.store.conftest import Builder


def test_append_allocates_consecutive_seqs_and_updates_the_conversation(store: Store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    first = make.send(direct, alice, "one", when=make.at(1))
    second = make.send(direct, bob, "two", preview="two!", when=make.at(2))
    assert (first.seq, second.seq) == (1, 2)
    assert len(second.id) == 24 and second.created_at == make.at(2)
    conversation = store.conversations.get(direct.id)
    assert conversation.last_seq == 2
    assert conversation.last_message_at == make.at(2)
    last = conversation.last_message
    assert (last.id, last.seq, last.sender_id, last.type) == (second.id, 2, bob.id, "text")
    assert last.preview == "two!" and last.created_at == make.at(2)
    for p in conversation.participants:
        assert p.last_activity_at == make.at(2)


def test_append_counts_unread_for_everyone_but_the_sender_and_never_for_system(store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob, carol)
    make.send(group, alice, "hello")
    make.send(group, bob, "hey")
    make.send(group, alice, "Alice added Dave", type="system")
    assert [make.unread(group, u) for u in (alice, bob, carol)] == [1, 1, 2]


def test_appended_message_round_trips_every_nested_value(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    photo = make.file(alice)
    quoted = make.send(direct, bob, "question?")
    sent = make.send(
        direct,
        alice,
        "look",
        type="media",
        client_id="c-1",
        attachments=(photo,),
        reply_to=ReplyPreview(quoted.id, bob.id, "text", "question?"),
        flagged=True,
    )
    place = make.send(
        direct, alice, "", type="location", location=Location(48.85, 2.35, "Paris", "Rue X")
    )
    offer = make.send(direct, alice, "", type="service_offer", service_offer=make.offer())
    request = make.send(
        direct, bob, "", type="booking_request", booking_request=make.request(alice)
    )
    for message in (sent, place, offer, request):
        assert store.messages.get(message.id) == message
    fetched = store.messages.get(sent.id)
    assert fetched.attachments == [photo] and fetched.flagged and fetched.client_id == "c-1"
    assert fetched.reply_to.preview == "question?"
    assert store.messages.get(offer.id).service_offer.price == Decimal("19.90")
    assert store.messages.get(request.id).booking_request.requested_start == make.at(24 * 60)


def test_get_of_unknown_or_malformed_message_is_none(store: Store) -> None:
    assert store.messages.get(Store.new_id()) is None
    assert store.messages.get("nope") is None


def test_repeated_client_id_of_a_sender_is_a_duplicate_and_uses_no_seq(store: Store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    first = make.send(direct, alice, "once", client_id="abc")
    with pytest.raises(DuplicateError):
        make.send(direct, alice, "twice", client_id="abc")
    assert store.messages.get_by_client_id(direct.id, alice.id, "abc").id == first.id
    assert store.messages.get_by_client_id(direct.id, bob.id, "abc") is None
    other = make.send(direct, bob, "same id, other sender", client_id="abc")
    assert other.seq == 2
    assert store.conversations.get(direct.id).last_message.id == other.id
    assert make.unread(direct, bob) == 1


def test_a_client_id_is_scoped_to_its_conversation(store: Store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    with_bob, with_carol = make.direct(alice, bob), make.direct(alice, carol)
    first = make.send(with_bob, alice, "to bob", client_id="abc")
    second = make.send(with_carol, alice, "to carol", client_id="abc")
    assert first.id != second.id and second.seq == 1
    assert store.messages.get_by_client_id(with_bob.id, alice.id, "abc").id == first.id
    assert store.messages.get_by_client_id(with_carol.id, alice.id, "abc").id == second.id
    assert store.messages.get_by_client_id("nope", alice.id, "abc") is None
    with pytest.raises(DuplicateError):
        make.send(with_carol, alice, "again", client_id="abc")


def test_concurrent_appends_get_every_seq_exactly_once(concurrent_store: Store) -> None:
    store = concurrent_store
    make = Builder(store)
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    threads, per_thread = 8, 50
    errors: list[BaseException] = []

    def send_many() -> None:
        try:
            for _ in range(per_thread):
                make.send(direct, alice, "x")
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=send_many) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    total = threads * per_thread
    seqs = [m.seq for m in store.messages.page(direct.id, bob.id, after_seq=0, limit=total + 1)]
    assert seqs == list(range(1, total + 1))
    assert store.conversations.get(direct.id).last_seq == total
    assert make.unread(direct, bob) == total


def _conversation_of_ten(store: Store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    for i in range(1, 11):
        make.send(direct, alice if i % 2 else bob, f"m{i}")
    return alice, bob, direct


def test_page_is_newest_first_and_continues_below_before_seq(store: Store, make) -> None:
    alice, _, direct = _conversation_of_ten(store, make)
    first = store.messages.page(direct.id, alice.id, limit=4)
    assert [m.seq for m in first] == [10, 9, 8, 7]
    second = store.messages.page(direct.id, alice.id, before_seq=first[-1].seq, limit=4)
    assert [m.seq for m in second] == [6, 5, 4, 3]
    last = store.messages.page(direct.id, alice.id, before_seq=3, limit=4)
    assert [m.seq for m in last] == [2, 1]


def test_page_after_seq_is_oldest_first(store: Store, make) -> None:
    alice, _, direct = _conversation_of_ten(store, make)
    assert [m.seq for m in store.messages.page(direct.id, alice.id, after_seq=7)] == [8, 9, 10]
    assert [m.seq for m in store.messages.page(direct.id, alice.id, after_seq=2, limit=3)] == [
        3,
        4,
        5,
    ]


def test_page_leaves_out_min_seq_and_below_and_messages_hidden_for_the_viewer(store, make):
    alice, bob, direct = _conversation_of_ten(store, make)
    hidden = store.messages.page(direct.id, alice.id, after_seq=5, limit=1)[0]
    assert store.messages.hide_for(hidden.id, alice.id)
    newest = store.messages.page(direct.id, alice.id, min_seq=4, limit=50)
    assert [m.seq for m in newest] == [10, 9, 8, 7, 5]
    after = store.messages.page(direct.id, alice.id, min_seq=7, after_seq=2)
    assert [m.seq for m in after] == [8, 9, 10]
    assert len(store.messages.page(direct.id, bob.id, limit=50)) == 10


def test_edit_sets_content_and_refreshes_the_preview_only_of_the_last_message(store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    older = make.send(direct, alice, "old")
    last = make.send(direct, alice, "last")
    edited = store.messages.edit(older.id, "older, edited", "older, edited", make.at(3))
    assert edited.content == "older, edited" and edited.edited_at == make.at(3)
    assert store.conversations.get(direct.id).last_message.preview == "last"
    store.messages.edit(last.id, "last, edited", "preview of last", make.at(4))
    assert store.messages.get(last.id).content == "last, edited"
    assert store.conversations.get(direct.id).last_message.preview == "preview of last"
    assert store.messages.edit(Store.new_id(), "x", "x", make.at(5)) is None


def test_delete_for_everyone_empties_the_message_and_refreshes_the_preview(store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = make.send(
        direct,
        alice,
        "secret",
        type="media",
        attachments=(make.file(alice),),
        location=Location(1.0, 2.0),
    )
    deleted = store.messages.delete_for_everyone(sent.id, "Message deleted", make.at(1))
    assert deleted.deleted and deleted.content == "" and deleted.attachments == []
    assert deleted.location is None and deleted.service_offer is None
    assert (deleted.id, deleted.sender_id, deleted.type, deleted.seq) == (
        sent.id,
        alice.id,
        "media",
        1,
    )
    assert deleted.created_at == sent.created_at
    assert store.messages.get(sent.id) == deleted
    assert store.conversations.get(direct.id).last_message.preview == "Message deleted"
    assert store.messages.delete_for_everyone(sent.id, "again", make.at(2)) is None
    assert store.messages.edit(sent.id, "resurrected?", "x", make.at(3)) is None
    assert store.messages.get(sent.id).content == ""


def test_delete_for_everyone_decrements_unread_only_where_it_was_unread(store: Store, make):
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    group = make.group(alice, bob, carol, dave)
    make.send(group, bob, "earlier")
    target = make.send(group, alice, "to delete")
    store.messages.mark_read(group.id, bob.id, [target.id], make.at(1))
    store.messages.hide_for(target.id, carol.id)
    before = [make.unread(group, u) for u in (alice, bob, carol, dave)]
    assert before == [1, 0, 1, 2]  # bob read it, carol hid it, dave has it unread
    store.messages.delete_for_everyone(target.id, "deleted", make.at(2))
    assert [make.unread(group, u) for u in (alice, bob, carol, dave)] == [1, 0, 1, 1]


def test_delete_for_everyone_of_a_system_message_changes_no_unread_count(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    note = make.send(group, alice, "Alice renamed the group", type="system")
    store.messages.delete_for_everyone(note.id, "deleted", make.at(1))
    assert make.unread(group, bob) == 0


def test_hide_for_hides_once_and_uncounts_an_unread_message(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    unread = make.send(direct, alice, "a")
    read = make.send(direct, alice, "b")
    store.messages.mark_read(direct.id, bob.id, [read.id], make.at(1))
    assert make.unread(direct, bob) == 1
    assert store.messages.hide_for(unread.id, bob.id) is True
    assert store.messages.hide_for(unread.id, bob.id) is False
    assert make.unread(direct, bob) == 0
    assert store.messages.hide_for(read.id, bob.id) is True
    assert make.unread(direct, bob) == 0
    assert store.messages.is_hidden(unread.id, bob.id)
    assert not store.messages.is_hidden(unread.id, alice.id)
    assert store.messages.page(direct.id, bob.id) == []
    assert len(store.messages.page(direct.id, alice.id)) == 2


def test_hiding_ones_own_message_keeps_the_other_sides_unread(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    mine = make.send(direct, alice, "a")
    assert store.messages.hide_for(mine.id, alice.id)
    assert (make.unread(direct, alice), make.unread(direct, bob)) == (0, 1)


def test_one_reaction_per_user_replaced_then_removed(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = make.send(direct, alice, "hi")
    assert store.messages.set_reaction(sent.id, bob.id, "👍").reactions == {bob.id: "👍"}
    store.messages.set_reaction(sent.id, alice.id, "😂")
    replaced = store.messages.set_reaction(sent.id, bob.id, "❤️")
    assert replaced.reactions == {bob.id: "❤️", alice.id: "😂"}
    assert store.messages.set_reaction(sent.id, bob.id, "❤️").reactions[bob.id] == "❤️"
    removed = store.messages.set_reaction(sent.id, bob.id, None)
    assert removed.reactions == {alice.id: "😂"}
    assert store.messages.get(sent.id).reactions == {alice.id: "😂"}
    assert store.messages.set_reaction(sent.id, bob.id, None).reactions == {alice.id: "😂"}
    assert store.messages.set_reaction(Store.new_id(), bob.id, "👍") is None


def test_get_many_returns_the_known_messages_by_id(store, make) -> None:
    alice, bob = make.users("alice", "bob")
    chat = make.direct(alice, bob)
    first, second = make.send(chat, alice, "one"), make.send(chat, bob, "two")
    found = store.messages.get_many([first.id, second.id, first.id, "junk", "0" * 24])
    assert set(found) == {first.id, second.id}
    assert found[first.id].content == "one" and found[second.id].sender_id == bob.id
    assert store.messages.get_many([]) == {}
