"""Every hot MongoDB query is served by an index: the queries the repositories actually send
(recorded while the hot operations run) are explained on a real server, and none may plan a
collection scan. mongomock has no query planner, so these run only when LNK_TEST_MONGODB_URI
names a replica set; otherwise the run ends with a notice saying they did not run."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from lnk.domain.models import Booking
from lnk.store.mongo import MongoStore
from lnk.store.mongo.units import SessionCollection
from tests.store.conftest import Builder, at
from tests.support.mongo import drop_server_store, server_store, server_uri

pytestmark = pytest.mark.skipif(
    not server_uri(), reason="explain() needs a real MongoDB: set LNK_TEST_MONGODB_URI"
)

_QUERIES = frozenset(
    {"find", "find_one", "find_one_and_update", "update_one", "update_many", "count_documents"}
)


@pytest.fixture
def mongo() -> Iterator[MongoStore]:
    store = server_store()
    yield store
    drop_server_store(store)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict]]:
    """(collection, filter) of every query the repositories send while the test runs."""
    calls: list[tuple[str, dict]] = []
    original = SessionCollection.__getattr__

    def spy(self: SessionCollection, name: str) -> Any:
        attr = original(self, name)
        if name not in _QUERIES:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            query = args[0] if args else kwargs.get("filter", {})
            calls.append((self._collection.name, query))
            return attr(*args, **kwargs)

        return call

    monkeypatch.setattr(SessionCollection, "__getattr__", spy)
    return calls


def _stages(plan: dict) -> Iterator[dict]:
    yield plan
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            yield from _stages(plan[key])
    for child in plan.get("inputStages", []):
        yield from _stages(child)


def _assert_indexed(store: MongoStore, calls: list[tuple[str, dict]]) -> None:
    assert calls, "no query was recorded"
    for collection, query in calls:
        if set(query) == {"_id"}:
            continue  # by primary key
        explained = store.db.command(
            {"explain": {"find": collection, "filter": query}, "verbosity": "queryPlanner"}
        )
        winning = explained["queryPlanner"]["winningPlan"]
        stages = [s.get("stage") for s in _stages(winning)]
        assert "COLLSCAN" not in stages, f"{collection} {query} scans the collection: {winning}"


def test_the_send_path_and_paging_use_indexes(mongo, recorded):
    make = Builder(mongo)
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    make.send(direct, alice, "hello there", client_id="c-1")
    recorded.clear()
    make.send(direct, alice, "again", client_id="c-2")
    mongo.messages.get_by_client_id(direct.id, alice.id, "c-2")
    mongo.conversations.get_direct(":".join(sorted([alice.id, bob.id])))
    mongo.conversations.get_participant(direct.id, bob.id)
    mongo.conversations.participant_ids(direct.id)
    mongo.messages.page(direct.id, bob.id, limit=50)
    mongo.messages.page(direct.id, bob.id, after_seq=1, limit=50)
    mongo.conversations.list_for_user(bob.id, archived=False, limit=20)
    _assert_indexed(mongo, recorded)


def test_reads_hiding_and_deleting_use_indexes(mongo, recorded):
    make = Builder(mongo)
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    first = make.send(group, alice, "one")
    second = make.send(group, alice, "two")
    recorded.clear()
    mongo.messages.mark_read(group.id, bob.id, [first.id], at(1))
    mongo.messages.mark_read(group.id, bob.id, None, at(1))
    mongo.messages.reads(first.id)
    mongo.messages.hide_for(second.id, bob.id)
    mongo.messages.delete_for_everyone(first.id, "Message deleted", at(2))
    mongo.conversations.delete_for_user(group.id, bob.id, at(3))
    _assert_indexed(mongo, recorded)


def test_search_and_user_search_use_indexes(mongo, recorded):
    make = Builder(mongo)
    alice, bob = make.users("alice", "bob")
    group = make.group(alice, bob)
    make.send(group, alice, "kitchen tomorrow")
    recorded.clear()
    assert mongo.messages.search(bob.id, ["kitch", "tomor"])
    assert mongo.users.search("ali", 10)
    _assert_indexed(mongo, recorded)


def test_marketplace_and_moderation_queries_use_indexes(mongo, recorded):
    make = Builder(mongo)
    provider, client = make.users("provider", "client")
    direct = make.direct(provider, client)
    make.send(direct, client, "", type="booking_request", booking_request=make.request(provider))
    recorded.clear()
    mongo.messages.pending_expired(at(24 * 60))
    mongo.messages.pending_requests_for_provider(provider.id)
    mongo.messages.flagged(10)
    mongo.messages.count_flagged()
    mongo.users.count_suspended()
    booking = Booking(
        "",
        "0" * 24,
        provider.id,
        client.id,
        direct.id,
        "0" * 24,
        at(60),
        30,
        Decimal("10"),
        "EUR",
        "confirmed",
        at(),
    )
    mongo.bookings.create(booking, refuse_overlap=True)
    mongo.bookings.has_confirmed_in_conversation(direct.id)
    mongo.bookings.list_for_user(provider.id, "provider", 10)
    _assert_indexed(mongo, recorded)


def test_the_outbox_worker_and_the_retention_sweep_use_indexes(mongo, recorded):
    from tests.store.test_notifications_store import digest

    mongo.outbox.enqueue([digest("u1", "c1", "m1", due=0)], at())
    (item,) = mongo.outbox.claim_due(at(), "w1", at(1), 5)
    mongo.outbox.finish(item.id, "w1", "sent", at(0.5))
    recorded.clear()
    mongo.outbox.claim_due(at(2), "w1", at(3), 5)
    assert mongo.outbox.purge_finished(at(1), 10) == 1
    _assert_indexed(mongo, recorded)


def test_block_lookups_use_indexes(mongo, recorded):
    make = Builder(mongo)
    alice, bob = make.users("alice", "bob")
    mongo.blocks.block(alice.id, bob.id, at())
    recorded.clear()
    mongo.blocks.related(bob.id)
    mongo.blocks.between(alice.id, bob.id)
    mongo.blocks.blocked_by(alice.id, 10)
    _assert_indexed(mongo, recorded)
