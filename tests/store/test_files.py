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


def test_a_file_is_shared_with_the_participants_of_conversations_it_was_sent_in(store, make):
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    group = make.group(alice, bob, carol)
    photo = make.file(alice)
    assert not store.files.shared_with(photo.id, bob.id)
    make.send(group, alice, "", type="media", attachments=(photo,))
    assert store.files.shared_with(photo.id, bob.id)
    assert store.files.shared_with(photo.id, carol.id)
    assert not store.files.shared_with(photo.id, dave.id)
    store.conversations.remove_participants(group.id, [carol.id], make.at(1))
    assert not store.files.shared_with(photo.id, carol.id)
    other = make.direct(bob, dave)
    make.send(other, bob, "", type="media", attachments=(photo,))
    assert store.files.shared_with(photo.id, dave.id)


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
