"""Blocks between users, on every engine."""

from __future__ import annotations

from lnk.store.base import Store
from tests.store.conftest import at


def test_a_block_is_stored_once_per_direction(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    when, created = store.blocks.block(alice.id, bob.id, at(1))
    assert created is True and when == at(1)
    when, created = store.blocks.block(alice.id, bob.id, at(5))
    assert created is False and when == at(1)
    store.blocks.block(alice.id, carol.id, at(2))
    store.blocks.block(carol.id, bob.id, at(3))
    assert store.blocks.blocked_by(alice.id, 10) == [(carol.id, at(2)), (bob.id, at(1))]
    assert store.blocks.blocked_by(alice.id, 1) == [(carol.id, at(2))]
    assert store.blocks.related(bob.id) == {alice.id, carol.id}
    assert store.blocks.related(carol.id) == {alice.id, bob.id}
    assert store.blocks.related(alice.id) == {bob.id, carol.id}


def test_unblocking_removes_only_that_direction(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    store.blocks.block(alice.id, bob.id, at())
    store.blocks.block(bob.id, alice.id, at())
    assert store.blocks.unblock(alice.id, bob.id) is True
    assert store.blocks.unblock(alice.id, bob.id) is False
    assert store.blocks.blocked_by(alice.id, 10) == []
    assert store.blocks.related(alice.id) == {bob.id}  # bob still blocks alice
    assert store.blocks.unblock(bob.id, alice.id) is True
    assert store.blocks.related(alice.id) == set()


def test_between_tells_each_direction(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    assert store.blocks.between(alice.id, bob.id) == (False, False)
    store.blocks.block(alice.id, bob.id, at())
    store.blocks.block(carol.id, alice.id, at())
    assert store.blocks.between(alice.id, bob.id) == (True, False)
    assert store.blocks.between(bob.id, alice.id) == (False, True)
    assert store.blocks.between(alice.id, carol.id) == (False, True)
    store.blocks.block(bob.id, alice.id, at())
    assert store.blocks.between(alice.id, bob.id) == (True, True)
    assert store.blocks.between(bob.id, carol.id) == (False, False)
