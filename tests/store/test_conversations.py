"""Conversations, participants and the per-user conversation list."""

from __future__ import annotations

import pytest

from lnk.store.base import ConversationCursor, DuplicateError, Store


def test_created_group_holds_members_with_roles_in_join_order(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    created = make.group(alice, bob, carol, title="Trip", when=make.at(1))
    fetched = store.conversations.get(created.id)
    assert fetched == created
    assert fetched.type == "group" and fetched.title == "Trip" and fetched.created_by == alice.id
    assert fetched.created_at == fetched.updated_at == make.at(1)
    assert (
        fetched.last_seq == 0 and fetched.last_message is None and fetched.last_message_at is None
    )
    assert fetched.participant_ids == [alice.id, bob.id, carol.id]
    assert [p.role for p in fetched.participants] == ["owner", "member", "member"]
    bob_view = fetched.participant(bob.id)
    assert bob_view.joined_at == bob_view.last_activity_at == make.at(1)
    assert (bob_view.unread_count, bob_view.cleared_seq, bob_view.last_read_seq) == (0, 0, 0)
    assert not bob_view.archived and not bob_view.muted and bob_view.deleted_at is None


def test_direct_key_is_unique(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    with pytest.raises(DuplicateError):
        make.direct(bob, alice)
    key = ":".join(sorted([alice.id, bob.id]))
    assert store.conversations.get_direct(key).id == direct.id
    assert store.conversations.get_direct("nobody:nothing") is None


def test_get_of_unknown_or_malformed_conversation_is_none(store: Store) -> None:
    assert store.conversations.get(Store.new_id()) is None
    assert store.conversations.get("zzz") is None


def test_get_participant_is_none_for_outsiders(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    direct = make.direct(alice, bob)
    assert store.conversations.get_participant(direct.id, bob.id).role == "member"
    assert store.conversations.get_participant(direct.id, carol.id) is None


def test_list_is_newest_activity_first_and_a_new_message_moves_it_up(store: Store, make):
    alice, bob = make.users("alice", "bob")
    c1 = make.group(alice, bob, when=make.at(1))
    c2 = make.group(alice, bob, when=make.at(1))
    c3 = make.group(alice, bob, when=make.at(2))
    make.send(c1, bob, when=make.at(3))
    listed = store.conversations.list_for_user(alice.id, archived=False, limit=10)
    assert [c.id for c in listed] == [c1.id, c3.id, c2.id]
    assert listed[0].participant_ids == [alice.id, bob.id]
    assert listed[0].last_message.seq == 1


def test_list_ties_on_activity_are_broken_by_higher_id_first(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    ids = [make.group(alice, bob, when=make.at(1)).id for _ in range(4)]
    listed = store.conversations.list_for_user(alice.id, archived=False, limit=10)
    assert [c.id for c in listed] == sorted(ids, reverse=True)


def test_list_filters_on_the_callers_archived_flag(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    kept, archived = make.group(alice, bob), make.group(alice, bob)
    store.conversations.set_participant_flags(archived.id, alice.id, archived=True)
    assert [c.id for c in store.conversations.list_for_user(alice.id, archived=False, limit=9)] == [
        kept.id
    ]
    assert [c.id for c in store.conversations.list_for_user(alice.id, archived=True, limit=9)] == [
        archived.id
    ]
    assert len(store.conversations.list_for_user(bob.id, archived=False, limit=9)) == 2


def test_cursor_paging_has_no_gaps_and_no_duplicates(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    expected = []
    for i in range(23):
        expected.append(make.group(alice, bob, when=make.at(i // 3)))  # groups of three tie
    expected.sort(key=lambda c: (c.participant(alice.id).last_activity_at, c.id), reverse=True)
    seen, after = [], None
    while True:
        page = store.conversations.list_for_user(alice.id, archived=False, limit=5, after=after)
        seen += [c.id for c in page]
        if len(page) < 5:
            break
        last = page[-1]
        after = ConversationCursor(last.participant(alice.id).last_activity_at, last.id)
    assert seen == [c.id for c in expected]


def test_deleted_conversation_leaves_the_list_and_reappears_with_only_later_messages(
    store: Store, make
) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    make.send(direct, bob, "old one")
    make.send(direct, bob, "old two")
    store.conversations.delete_for_user(direct.id, alice.id, make.at(1))
    gone = store.conversations.get_participant(direct.id, alice.id)
    assert gone.deleted_at == make.at(1)
    assert (gone.cleared_seq, gone.last_read_seq, gone.unread_count) == (2, 2, 0)
    assert store.conversations.list_for_user(alice.id, archived=False, limit=9) == []
    assert len(store.conversations.list_for_user(bob.id, archived=False, limit=9)) == 1
    assert direct.id in store.conversations.conversation_ids_for_user(alice.id)

    make.send(direct, bob, "new", when=make.at(2))
    back = store.conversations.list_for_user(alice.id, archived=False, limit=9)
    assert [c.id for c in back] == [direct.id]
    me = back[0].participant(alice.id)
    assert me.deleted_at is None and me.unread_count == 1 and me.last_activity_at == make.at(2)
    visible = store.messages.page(direct.id, alice.id, min_seq=me.cleared_seq)
    assert [m.content for m in visible] == ["new"]


def test_conversation_ids_for_user_lists_every_membership(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    a = make.direct(alice, bob)
    b = make.group(carol, alice)
    make.group(bob, carol)
    assert set(store.conversations.conversation_ids_for_user(alice.id)) == {a.id, b.id}


def test_contacts_of_is_everyone_sharing_a_conversation_except_the_user(store: Store, make):
    alice, bob, carol, dave, erin = make.users("alice", "bob", "carol", "dave", "erin")
    make.direct(alice, bob)
    make.group(carol, alice, dave)
    make.group(bob, alice)
    make.direct(dave, erin)
    assert store.conversations.contacts_of(alice.id) == {bob.id, carol.id, dave.id}
    assert store.conversations.contacts_of(erin.id) == {dave.id}
    assert store.conversations.contacts_of(Store.new_id()) == set()


def test_set_title_changes_title_and_updated_at(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    store.conversations.set_title(group.id, "Renamed", make.at(5))
    fetched = store.conversations.get(group.id)
    assert fetched.title == "Renamed" and fetched.updated_at == make.at(5)


def test_added_member_sees_only_what_comes_next_and_existing_members_are_untouched(
    store: Store, make
) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob)
    make.send(group, alice, "before")
    make.send(group, alice, "before too")
    store.conversations.add_participants(
        group.id, [(carol.id, "admin"), (bob.id, "admin")], make.at(1)
    )
    fetched = store.conversations.get(group.id)
    assert fetched.participant_ids == [alice.id, bob.id, carol.id]
    assert fetched.participant(bob.id).role == "member"
    assert fetched.participant(bob.id).unread_count == 2
    newcomer = fetched.participant(carol.id)
    assert newcomer.role == "admin" and newcomer.cleared_seq == 2 and newcomer.unread_count == 0
    assert newcomer.joined_at == make.at(1)
    make.send(group, alice, "after")
    assert make.unread(group, carol) == 1
    seen = store.messages.page(group.id, carol.id, min_seq=newcomer.cleared_seq)
    assert [m.content for m in seen] == ["after"]


def test_removed_participants_are_gone(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob, carol)
    store.conversations.remove_participants(group.id, [bob.id, carol.id], make.at(3))
    fetched = store.conversations.get(group.id)
    assert fetched.participant_ids == [alice.id]
    assert store.conversations.get_participant(group.id, bob.id) is None
    assert store.conversations.list_for_user(bob.id, archived=False, limit=9) == []
    assert store.conversations.contacts_of(alice.id) == set()


def test_set_participant_role(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    store.conversations.set_participant_role(group.id, bob.id, "admin")
    assert store.conversations.get_participant(group.id, bob.id).role == "admin"
    assert store.conversations.get_participant(group.id, alice.id).role == "owner"


def test_participant_flags_are_set_independently_and_per_user(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    store.conversations.set_participant_flags(group.id, alice.id, muted=True)
    store.conversations.set_participant_flags(group.id, alice.id, archived=True)
    store.conversations.set_participant_flags(group.id, alice.id)
    me = store.conversations.get_participant(group.id, alice.id)
    assert me.muted and me.archived
    store.conversations.set_participant_flags(group.id, alice.id, archived=False)
    me = store.conversations.get_participant(group.id, alice.id)
    assert me.muted and not me.archived
    other = store.conversations.get_participant(group.id, bob.id)
    assert not other.muted and not other.archived


def test_participant_ids_in_join_order(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob)
    store.conversations.add_participants(group.id, [(carol.id, "member")], make.at(5))
    assert store.conversations.participant_ids(group.id) == [alice.id, bob.id, carol.id]
    store.conversations.remove_participants(group.id, [bob.id], make.at(6))
    assert store.conversations.participant_ids(group.id) == [alice.id, carol.id]
    assert store.conversations.participant_ids("0" * 24) == []
    assert store.conversations.participant_ids("not-an-id") == []
