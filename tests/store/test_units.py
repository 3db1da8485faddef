"""Units of work on both engines: a failure injected between two writes of a unit leaves nothing
behind, inside a repository method (the engine's own multi-write operations) and across several
repository calls (``unit_of_work`` / ``run_in_unit``).

Failures are injected in the engine itself: a temporary SQLite trigger that aborts the write, or
a MongoDB collection whose writes raise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from lnk.store.base import Store

_WRITES = frozenset(
    {"insert_one", "insert_many", "update_one", "update_many", "find_one_and_update"}
)


class InjectedFailure(Exception):
    pass


class _FailingWrites:
    """A MongoDB collection whose writes raise (reads pass through)."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        if name in _WRITES:

            def fail(*args: Any, **kwargs: Any) -> Any:
                raise InjectedFailure(f"{name} failed")

            return fail
        return getattr(self._collection, name)


@contextmanager
def failing_writes(store: Store, table: str, operation: str = "UPDATE") -> Iterator[None]:
    """Makes every write of ``operation`` (INSERT/UPDATE) to ``table`` fail until the block
    ends. ``table`` is ``participants`` or ``messages``."""
    from lnk.store.sqlite import SqliteStore

    if isinstance(store, SqliteStore):
        store.db.run(
            f"CREATE TEMP TRIGGER injected_failure BEFORE {operation} ON {table}"
            " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
        try:
            yield
        finally:
            store.db.run("DROP TRIGGER injected_failure")
        return
    attribute = f"_{table}"
    holders = [
        repo
        for repo in (store.messages, store.conversations, store.messages._reads)  # type: ignore[attr-defined]
        if hasattr(repo, attribute)
    ]
    saved = [(repo, getattr(repo, attribute)) for repo in holders]
    for repo, collection in saved:
        setattr(repo, attribute, _FailingWrites(collection))
    try:
        yield
    finally:
        for repo, collection in saved:
            setattr(repo, attribute, collection)


def _state(store: Store, conversation_id: str, *user_ids: str) -> tuple:
    conversation = store.conversations.get(conversation_id)
    assert conversation is not None
    page = store.messages.page(conversation_id, user_ids[0], after_seq=0, limit=100)
    return (
        conversation.last_seq,
        conversation.last_message,
        [m.id for m in page],
        [
            (p.unread_count, p.cleared_seq, p.last_read_seq, p.deleted_at)
            for p in sorted(conversation.participants, key=lambda p: p.user_id)
        ],
    )


def test_append_failing_after_the_insert_stores_nothing_and_leaves_no_seq_gap(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    make.send(group, alice, "first")
    before = _state(store, group.id, alice.id, bob.id)
    with failing_writes(store, "participants"), pytest.raises(Exception):  # noqa: B017
        make.send(group, alice, "lost", client_id="c-1")
    assert _state(store, group.id, alice.id, bob.id) == before
    assert store.messages.get_by_client_id(group.id, alice.id, "c-1") is None
    again = make.send(group, alice, "retried", client_id="c-1")  # the client's retry
    assert again.seq == 2
    assert store.conversations.get_participant(group.id, bob.id).unread_count == 2


def test_creating_a_conversation_failing_at_its_participants_leaves_no_conversation(store, make):
    alice, bob = make.users("alice", "bob")
    with failing_writes(store, "participants", "INSERT"), pytest.raises(Exception):  # noqa: B017
        make.direct(alice, bob)
    key = ":".join(sorted([alice.id, bob.id]))
    assert store.conversations.get_direct(key) is None
    assert store.conversations.conversation_ids_for_user(alice.id) == []
    assert make.direct(alice, bob).participant_ids  # the pair can still chat


def test_delete_for_everyone_failing_at_the_unread_counts_deletes_nothing(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    message = make.send(group, alice, "oops")
    before = _state(store, group.id, alice.id, bob.id)
    with failing_writes(store, "participants"), pytest.raises(Exception):  # noqa: B017
        store.messages.delete_for_everyone(message.id, "Message deleted", make.at(1))
    assert _state(store, group.id, alice.id, bob.id) == before
    assert store.messages.get(message.id).content == "oops"


def test_mark_read_failing_at_the_unread_count_records_no_read(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    message = make.send(group, alice, "hello")
    with failing_writes(store, "participants"), pytest.raises(Exception):  # noqa: B017
        store.messages.mark_read(group.id, bob.id, None, make.at(1))
    assert store.messages.reads(message.id) == []
    assert store.conversations.get_participant(group.id, bob.id).unread_count == 1


def test_a_unit_of_several_calls_is_rolled_back_whole(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    make.send(group, alice, "kept")
    before = _state(store, group.id, alice.id, bob.id)
    with pytest.raises(InjectedFailure), store.unit_of_work():
        store.conversations.set_title(group.id, "Renamed", make.at(1))
        make.send(group, alice, "gone")
        store.messages.mark_read(group.id, bob.id, None, make.at(1))
        with store.unit_of_work():  # an inner unit joins the outer one
            store.conversations.delete_for_user(group.id, alice.id, make.at(1))
        raise InjectedFailure
    assert _state(store, group.id, alice.id, bob.id) == before
    assert store.conversations.get(group.id).title == "Group"


def test_run_in_unit_returns_the_result_or_rolls_back(store, make):
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)

    def send_two() -> list[int]:
        return [make.send(group, alice, "a").seq, make.send(group, bob, "b").seq]

    assert store.run_in_unit(send_two) == [1, 2]

    def send_then_fail() -> None:
        make.send(group, alice, "c")
        raise InjectedFailure

    with pytest.raises(InjectedFailure):
        store.run_in_unit(send_then_fail)
    assert store.conversations.get(group.id).last_seq == 2
    assert make.send(group, alice, "d").seq == 3
