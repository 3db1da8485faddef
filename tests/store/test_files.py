"""File metadata, who a file is shared with, and the blob store."""

from __future__ import annotations

import io

import pytest

from lnk.store.base import Store


def test_file_metadata_round_trips(store: Store, make) -> None:
    alice = make.user("alice")
    meta = make.file(alice, "report.pdf")
    assert store.files.get(meta.id) == meta
    assert store.files.get(Store.new_id()) is None
    assert store.files.get("junk") is None


def test_a_file_is_visible_to_the_participants_who_can_see_a_message_carrying_it(store, make):
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    group = make.group(alice, bob, carol)
    photo = make.file(alice)
    assert not store.files.visible_to(photo.id, bob.id)
    make.send(group, alice, "", type="media", attachments=(photo,))
    assert store.files.visible_to(photo.id, bob.id)
    assert store.files.visible_to(photo.id, carol.id)
    assert not store.files.visible_to(photo.id, dave.id)
    store.conversations.remove_participants(group.id, [carol.id], make.at(1))
    assert not store.files.visible_to(photo.id, carol.id)
    other = make.direct(bob, dave)
    make.send(other, bob, "", type="media", attachments=(photo,))
    assert store.files.visible_to(photo.id, dave.id)
    assert not store.files.visible_to(photo.id, "junk")
    assert not store.files.visible_to("junk", bob.id)


def test_a_member_who_joined_later_does_not_see_an_earlier_file(store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob)
    photo = make.file(alice)
    make.send(group, alice, "", type="media", attachments=(photo,))
    store.conversations.add_participants(group.id, [(carol.id, "member")], make.at(1))
    assert not store.files.visible_to(photo.id, carol.id)
    later = make.file(alice, "later.png")
    make.send(group, alice, "", type="media", attachments=(later,))
    assert store.files.visible_to(later.id, carol.id)


def test_clearing_hiding_or_deleting_the_message_ends_access(store, make):
    alice, bob, carol = make.users("alice", "bob", "carol")
    group = make.group(alice, bob, carol)
    photo = make.file(alice)
    sent = make.send(group, alice, "", type="media", attachments=(photo,))
    store.conversations.delete_for_user(group.id, bob.id, make.at(1))
    assert not store.files.visible_to(photo.id, bob.id)
    assert store.messages.hide_for(sent.id, carol.id)
    assert not store.files.visible_to(photo.id, carol.id)
    dave = make.user("dave")
    store.conversations.add_participants(group.id, [(dave.id, "member")], make.at(2))
    again = make.send(group, alice, "", type="media", attachments=(photo,))
    assert store.files.visible_to(photo.id, dave.id)  # sent again after dave joined
    store.messages.delete_for_everyone(again.id, "Message deleted", make.at(3))
    assert not store.files.visible_to(photo.id, dave.id)


def test_release_removes_only_files_no_message_carries(store, make):
    alice, bob = make.users("alice", "bob")
    chat = make.direct(alice, bob)
    kept, freed, loose = make.file(alice, "kept.png"), make.file(alice), make.file(alice)
    first = make.send(chat, alice, "", type="media", attachments=(kept, freed))
    make.send(chat, alice, "", type="media", attachments=(kept,))
    assert store.files.release([kept.id, freed.id]) == []  # both still carried
    store.messages.delete_for_everyone(first.id, "Message deleted", make.at(1))
    assert store.files.release([kept.id, freed.id, "junk"]) == [freed]
    assert store.files.get(freed.id) is None and store.files.get(kept.id) == kept
    assert store.files.release([loose.id]) == [loose]


def test_unattached_uploads_are_listed_oldest_first_until_attached(store, make):
    alice, bob = make.users("alice", "bob")
    chat = make.direct(alice, bob)
    first, second, sent = make.file(alice), make.file(alice), make.file(alice)
    make.send(chat, alice, "", type="media", attachments=(sent,))
    cutoff = make.at(1)
    assert {f.id for f in store.files.unattached_before(cutoff, 10)} == {first.id, second.id}
    assert len(store.files.unattached_before(cutoff, 1)) == 1
    assert store.files.unattached_before(make.at(-1), 10) == []


def test_bytes_used_sums_an_owners_files(store, make):
    alice, bob = make.users("alice", "bob")
    assert store.files.bytes_used(alice.id) == 0
    make.file(alice)
    make.file(alice)
    make.file(bob)
    assert store.files.bytes_used(alice.id) == 2 * 1234
    assert store.files.bytes_used(bob.id) == 1234


def test_blob_put_streams_bytes_and_reads_them_back(store: Store) -> None:
    key = Store.new_id()
    data = bytes(range(256)) * 4096 + b"tail"  # 1 MiB and a bit, several chunks
    assert store.blobs.put(key, io.BytesIO(data), "application/octet-stream") == len(data)
    assert store.blobs.size(key) == len(data)
    with store.blobs.open(key) as stream:
        assert stream.read() == data
        stream.seek(len(data) - 4)
        assert stream.read() == b"tail"


def test_blob_put_replaces_an_existing_key(store: Store) -> None:
    key = Store.new_id()
    store.blobs.put(key, io.BytesIO(b"first version"), "text/plain")
    store.blobs.put(key, io.BytesIO(b"second"), "text/plain")
    with store.blobs.open(key) as stream:
        assert stream.read() == b"second"
    assert store.blobs.size(key) == 6


def test_deleted_or_unknown_blob_is_not_found(store: Store) -> None:
    key = Store.new_id()
    store.blobs.put(key, io.BytesIO(b"bytes"), "text/plain")
    store.blobs.delete(key)
    with pytest.raises(FileNotFoundError):
        store.blobs.open(key)
    with pytest.raises(FileNotFoundError):
        store.blobs.size(key)
    store.blobs.delete(key)  # deleting again is harmless
    with pytest.raises(FileNotFoundError):
        store.blobs.open(Store.new_id())
