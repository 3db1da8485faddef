"""Read receipts and the unread counts they keep exact."""

from __future__ import annotations

from lnk.store.base import Store


def test_mark_read_of_given_ids_returns_the_newly_read_in_seq_order(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    m1, m2, m3 = (make.send(direct, alice, f"m{i}") for i in range(3))
    newly, unread = store.messages.mark_read(direct.id, bob.id, [m3.id, m1.id], make.at(1))
    assert newly == [m1.id, m3.id] and unread == 1
    assert make.unread(direct, bob) == 1
    assert store.messages.mark_read(direct.id, bob.id, [m1.id, m2.id], make.at(2)) == ([m2.id], 0)


def test_mark_read_is_idempotent_and_keeps_the_first_read_at(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = make.send(direct, alice, "hi")
    assert store.messages.mark_read(direct.id, bob.id, [sent.id], make.at(1)) == ([sent.id], 0)
    assert store.messages.mark_read(direct.id, bob.id, [sent.id], make.at(2)) == ([], 0)
    assert store.messages.mark_read(direct.id, bob.id, None, make.at(3)) == ([], 0)
    reads = store.messages.reads(sent.id)
    assert [(r.message_id, r.user_id, r.read_at) for r in reads] == [(sent.id, bob.id, make.at(1))]


def test_mark_read_ignores_ids_of_other_conversations_and_unknown_ids(store: Store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    direct = make.direct(alice, bob)
    elsewhere = make.group(alice, bob, carol)
    mine = make.send(direct, alice, "here")
    other = make.send(elsewhere, alice, "there")
    newly, unread = store.messages.mark_read(
        direct.id, bob.id, [other.id, mine.id, Store.new_id(), "bad"], make.at(1)
    )
    assert (newly, unread) == ([mine.id], 0)
    assert make.unread(elsewhere, bob) == 1
    assert store.messages.reads(other.id) == []


def test_own_system_deleted_and_hidden_messages_are_never_marked_read(store: Store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    own = make.send(group, bob, "mine")
    system = make.send(group, alice, "Alice added Bob", type="system")
    deleted = make.send(group, alice, "oops")
    hidden = make.send(group, alice, "hide me")
    countable = make.send(group, alice, "real")
    store.messages.delete_for_everyone(deleted.id, "deleted", make.at(1))
    store.messages.hide_for(hidden.id, bob.id)
    assert make.unread(group, bob) == 1
    ids = [own.id, system.id, deleted.id, hidden.id, countable.id]
    assert store.messages.mark_read(group.id, bob.id, ids, make.at(2)) == ([countable.id], 0)
    assert store.messages.mark_read(group.id, bob.id, None, make.at(3)) == ([], 0)
    for message in (own, system, deleted, hidden):
        assert store.messages.reads(message.id) == []


def test_mark_all_read_reads_every_countable_message_and_moves_the_watermark(store, make):
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    first = make.send(direct, alice, "1")
    make.send(direct, bob, "2")
    third = make.send(direct, alice, "3")
    store.messages.mark_read(direct.id, bob.id, [first.id], make.at(1))
    newly, unread = store.messages.mark_read(direct.id, bob.id, None, make.at(2))
    assert (newly, unread) == ([third.id], 0)
    me = store.conversations.get_participant(direct.id, bob.id)
    assert (me.unread_count, me.last_read_seq) == (0, 3)
    assert store.messages.reads(first.id)[0].read_at == make.at(1)
    assert store.messages.reads(third.id)[0].read_at == make.at(2)
    later = make.send(direct, alice, "4")
    assert make.unread(direct, bob) == 1
    assert store.messages.mark_read(direct.id, bob.id, None, make.at(3)) == ([later.id], 0)


def test_mark_all_read_skips_messages_cleared_by_a_delete_for_me(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    make.send(direct, alice, "before delete")
    store.conversations.delete_for_user(direct.id, bob.id, make.at(1))
    after = make.send(direct, alice, "after delete")
    assert make.unread(direct, bob) == 1
    assert store.messages.mark_read(direct.id, bob.id, None, make.at(2)) == ([after.id], 0)


def test_mark_read_of_given_cleared_ids_is_ignored(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    before = make.send(direct, alice, "before delete")
    store.conversations.delete_for_user(direct.id, bob.id, make.at(1))
    assert store.messages.mark_read(direct.id, bob.id, [before.id], make.at(2)) == ([], 0)


def test_mark_read_by_a_non_participant_reads_nothing(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    direct = make.direct(alice, bob)
    sent = make.send(direct, alice, "private")
    assert store.messages.mark_read(direct.id, carol.id, [sent.id], make.at(1)) == ([], 0)
    assert store.messages.mark_read(direct.id, carol.id, None, make.at(1)) == ([], 0)
    assert store.messages.reads(sent.id) == []


def test_reads_are_listed_oldest_first(store: Store, make) -> None:
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    group = make.group(alice, bob, carol, dave)
    sent = make.send(group, alice, "hi")
    store.messages.mark_read(group.id, dave.id, None, make.at(1))
    store.messages.mark_read(group.id, bob.id, [sent.id], make.at(3))
    store.messages.mark_read(group.id, carol.id, [sent.id], make.at(2))
    assert [r.user_id for r in store.messages.reads(sent.id)] == [dave.id, carol.id, bob.id]
    assert [r.read_at for r in store.messages.reads(sent.id)] == [
        make.at(1),
        make.at(2),
        make.at(3),
    ]


def test_unread_count_stays_exact_through_a_mix_of_operations(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob, carol)
    sent = [make.send(group, alice if i % 3 else carol, f"m{i}") for i in range(12)]
    store.messages.mark_read(group.id, bob.id, [sent[0].id, sent[5].id], make.at(1))
    store.messages.hide_for(sent[1].id, bob.id)
    store.messages.hide_for(sent[5].id, bob.id)  # already read: no change
    store.messages.delete_for_everyone(sent[2].id, "deleted", make.at(2))
    store.messages.delete_for_everyone(sent[0].id, "deleted", make.at(2))  # read by bob
    make.send(group, bob, "bob talks")
    make.send(group, alice, "system note", type="system")
    # 12 sent - read 2 - hidden-unread 1 - deleted-unread 1 = 8 unread for bob
    assert make.unread(group, bob) == 8
    newly, unread = store.messages.mark_read(group.id, bob.id, None, make.at(3))
    assert len(newly) == 8 and unread == 0
