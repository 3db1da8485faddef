"""MongoDB adapter specifics: stored formats, indexes, connection options, and races.

The race tests run on a real replica set when LNK_TEST_MONGODB_URI is set (transactions, write
conflicts and retries for real); otherwise on mongomock, where units of work are serialised
(see ``tests.support.mongo``), which checks that every multi-document write is inside a unit.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import mongomock
import mongomock.gridfs
import pytest
from bson import Decimal128, ObjectId

from lnk.domain import search_text
from lnk.domain.models import Booking, Conversation, User
from lnk.store.base import DuplicateError, NewMessage, OverlapError, Store, StoreError
from lnk.store.mongo import MongoStore
from lnk.store.mongo.indexes import INDEXES, IndexMismatch
from lnk.store.mongo.units import require_replica_set
from tests.support.mongo import (
    MongomockUnits,
    drop_server_store,
    mongomock_store,
    server_store,
    server_uri,
)

T0 = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=UTC)


@pytest.fixture
def mongo() -> MongoStore:
    return mongomock_store()


@pytest.fixture
def racing() -> Iterator[MongoStore]:
    if server_uri():
        store = server_store()
        yield store
        drop_server_store(store)
    else:
        yield mongomock_store()


def _users(store: Store, *names: str) -> list[User]:
    return [store.users.create(n, n.title(), "hash", "user", T0) for n in names]


def _group(store: Store, *members: User) -> Conversation:
    people = [(members[0].id, "owner")] + [(m.id, "member") for m in members[1:]]
    return store.conversations.create("group", "G", members[0].id, people, T0)


def _send(
    store: Store, conversation: Conversation, sender: User, text: str = "hi", **fields: object
) -> object:
    new = NewMessage(conversation.id, sender.id, "text", content=text, preview=text, **fields)  # type: ignore[arg-type]
    return store.messages.append(new, T0 + timedelta(seconds=1))


def _stored_unread(store: MongoStore, conversation_id: str, user_id: str) -> int:
    """The raw counter (the domain object clamps a transiently negative one to 0)."""
    query = {"conversationId": ObjectId(conversation_id), "userId": ObjectId(user_id)}
    return store.db.participants.find_one(query)["unreadCount"]


def _expected_unread(store: MongoStore, conversation_id: str, user_id: str) -> int:
    """The contract's definition, recomputed from the documents."""
    db, conversation, user = store.db, ObjectId(conversation_id), ObjectId(user_id)
    p = db.participants.find_one({"conversationId": conversation, "userId": user})
    read = {r["messageId"] for r in db.messageReads.find({"userId": user, "readAt": {"$ne": None}})}
    return sum(
        1
        for m in db.messages.find({"conversationId": conversation, "seq": {"$gt": p["clearedSeq"]}})
        if m["senderId"] != user
        and m["countsUnread"]
        and not m["deleted"]
        and user not in m["hiddenFor"]
        and m["_id"] not in read
    )


# --- formats and indexes --------------------------------------------------------------------


def test_documents_use_object_ids_bson_dates_and_decimal128(mongo: MongoStore) -> None:
    alice, bob = _users(mongo, "alice", "bob")
    group = _group(mongo, alice, bob)
    message = _send(mongo, group, alice, "Crème brûlée, naïve café_au_lait 42!")
    doc = mongo.db.messages.find_one({"_id": ObjectId(message.id)})
    assert doc["conversationId"] == ObjectId(group.id) and doc["senderId"] == ObjectId(alice.id)
    assert doc["words"] == ["42", "au", "brulee", "cafe", "creme", "lait", "naive"]
    assert doc["words"] == search_text.words(message.content)
    package = mongo.packages.create(alice.id, "Cut", "", Decimal("19.90"), "EUR", 30, T0)
    stored = mongo.db.servicePackages.find_one({"_id": ObjectId(package.id)})
    assert stored["price"] == Decimal128("19.90") and package.price == Decimal("19.90")
    again = mongo.packages.get(package.id)
    assert again.price == Decimal("19.90") and again.created_at == T0
    assert again.created_at.tzinfo is UTC


def test_malformed_ids_read_as_absent(mongo: MongoStore) -> None:
    for junk in ("", "junk", "z" * 24, "0" * 23):
        assert mongo.users.get(junk) is None
        assert mongo.conversations.get(junk) is None
        assert mongo.messages.get(junk) is None
        assert mongo.packages.get(junk) is None
        assert mongo.bookings.get(junk) is None
        assert mongo.files.get(junk) is None
        assert mongo.messages.page(junk, junk) == []
        assert mongo.messages.mark_read(junk, junk, None, T0) == ([], 0)
        assert mongo.messages.hide_for(junk, junk) is False


def test_ensure_indexes_is_idempotent_and_creates_every_index(mongo: MongoStore) -> None:
    MongoStore(mongo.db, units=mongo.units)  # a second start on the same database
    for collection, models in INDEXES.items():
        names = set(mongo.db[collection].index_information())
        assert {m.document["name"] for m in models} <= names
    # equality lookups imply ``$exists: true``, so the planner can use these partial indexes
    direct = mongo.db.conversations.index_information()["directKey_unique"]
    assert direct["partialFilterExpression"] == {"directKey": {"$exists": True}}
    client_ids = mongo.db.messages.index_information()["conversation_sender_clientId_unique"]
    assert client_ids["partialFilterExpression"] == {"clientId": {"$exists": True}}
    assert "displayNameLower" in mongo.db.users.index_information()


def test_an_index_changed_behind_our_back_stops_the_start_naming_it(mongo: MongoStore) -> None:
    name = "conversation_sender_clientId_unique"
    mongo.db.messages.drop_index(name)
    mongo.db.messages.create_index(
        [("conversationId", 1), ("senderId", 1), ("clientId", 1)],
        name=name,
        unique=True,
        partialFilterExpression={"clientId": {"$type": "string"}},
    )
    with pytest.raises(IndexMismatch, match=r"messages\.conversation_sender_clientId_unique"):
        MongoStore(mongo.db, units=mongo.units)
    mongo.db.users.drop_index("displayNameLower")
    mongo.db.users.create_index([("displayNameLower", -1)], name="displayNameLower")
    mongo.db.messages.drop_index(name)
    with pytest.raises(IndexMismatch, match=r"users\.displayNameLower"):
        MongoStore(mongo.db, units=mongo.units)


def test_a_standalone_server_is_refused_with_the_replica_set_instruction() -> None:
    class Admin:
        def __init__(self, hello: dict) -> None:
            self.hello = hello

        def command(self, name: str) -> dict:
            assert name == "hello"
            return self.hello

    class Client:
        def __init__(self, hello: dict) -> None:
            self.admin = Admin(hello)

    with pytest.raises(StoreError, match=r"standalone.*--replSet rs0.*rs\.initiate\(\)"):
        require_replica_set(Client({"isWritablePrimary": True}), "db")  # type: ignore[arg-type]
    require_replica_set(Client({"setName": "rs0"}), "db")  # type: ignore[arg-type]
    require_replica_set(Client({"msg": "isdbgrid"}), "db")  # type: ignore[arg-type]


def test_file_links_from_before_per_message_links_are_rebuilt_once() -> None:
    """A database whose ``fileLinks`` linked files to conversations: on start the links are
    rebuilt per message from the messages not deleted, and every file is marked attached or
    not."""
    mongomock.gridfs.enable_gridfs_integration()
    db = mongomock.MongoClient().db
    conversation, alice, bob = ObjectId(), ObjectId(), ObjectId()
    f1, f2, f3, m1, m2 = (ObjectId() for _ in range(5))
    db.fileLinks.create_index(
        [("fileId", 1), ("conversationId", 1)], name="file_conversation_unique", unique=True
    )
    db.fileLinks.insert_many([{"fileId": f, "conversationId": conversation} for f in (f1, f2)])
    db.participants.insert_many(
        [{"conversationId": conversation, "userId": u, "clearedSeq": 0} for u in (alice, bob)]
    )
    for f in (f1, f2, f3):
        db.files.insert_one(
            {"_id": f, "ownerId": alice, "name": "x", "size": 1, "mimeType": "text/plain",
             "storageKey": str(f), "createdAt": T0.replace(tzinfo=None)}
        )  # fmt: skip
    db.messages.insert_many(
        [
            {"_id": m1, "conversationId": conversation, "seq": 1, "deleted": False,
             "senderId": alice, "attachments": [{"_id": f1}], "hiddenFor": []},
            {"_id": m2, "conversationId": conversation, "seq": 2, "deleted": True,
             "senderId": bob, "attachments": [], "hiddenFor": []},
        ]
    )  # fmt: skip
    store = MongoStore(db, units=MongomockUnits(db))
    assert store.files.visible_to(str(f1), str(bob))
    assert not store.files.visible_to(str(f2), str(bob))
    later = T0 + timedelta(minutes=1)
    assert {f.id for f in store.files.unattached_before(later, 10)} == {str(f2), str(f3)}
    assert "file_conversation_unique" not in db.fileLinks.index_information()
    MongoStore(db, units=MongomockUnits(db))  # a second start has nothing to upgrade
    assert db.fileLinks.count_documents({}) == 1


def test_a_database_of_the_previous_version_loses_its_retired_indexes_and_collections(
    mongo: MongoStore,
) -> None:
    # as the previous versions made them: clientIds unique per sender, reservations, locks
    mongo.db.messages.drop_index("conversation_sender_clientId_unique")
    mongo.db.messages.create_index(
        [("senderId", 1), ("clientId", 1)], name="sender_clientId_unique", unique=True
    )
    mongo.db.messages.create_index([("words", 1)], name="words")  # search no longer uses it
    for collection in ("messageClientIds", "bookingLocks"):
        mongo.db[collection].insert_one({"_id": ObjectId()})
    alice, bob = _users(mongo, "alice", "bob")
    first, second = _group(mongo, alice, bob), _group(mongo, alice, bob)
    _send(mongo, first, alice, client_id="c-1")
    restarted = MongoStore(mongo.db, units=mongo.units)
    names = set(mongo.db.messages.index_information())
    assert "sender_clientId_unique" not in names and "words" not in names
    assert "conversation_sender_clientId_unique" in names
    assert not {"messageClientIds", "bookingLocks"} & set(mongo.db.list_collection_names())
    again = _send(restarted, second, alice, client_id="c-1")
    assert restarted.messages.get_by_client_id(second.id, alice.id, "c-1") == again
    assert again.seq == 1


def test_offer_pending_expiry_field_exists_only_while_pending(mongo: MongoStore) -> None:
    from lnk.domain.models import ServiceOffer

    alice, bob = _users(mongo, "alice", "bob")
    group = _group(mongo, alice, bob)
    offer = ServiceOffer(
        "0" * 24, "Cut", "", Decimal("5.00"), "EUR", 30, None, "pending", T0 + timedelta(hours=1)
    )
    message = _send(mongo, group, alice, "", service_offer=offer)
    assert mongo.db.messages.find_one({"_id": ObjectId(message.id)})["pendingExpiresAt"]
    offer.status = "accepted"
    assert mongo.messages.update_offer(message.id, "pending", offer, "accepted") is not None
    assert "pendingExpiresAt" not in mongo.db.messages.find_one({"_id": ObjectId(message.id)})
    assert mongo.messages.update_offer(message.id, "pending", offer, "again") is None


def test_connect_uses_the_uri_database_or_lnk_majority_writes_and_timeouts(monkeypatch) -> None:
    monkeypatch.setattr("lnk.store.mongo.store.ensure_indexes", lambda db: None)
    monkeypatch.setattr("lnk.store.mongo.store.upgrade_file_links", lambda db: None)
    monkeypatch.setattr("lnk.store.mongo.store.require_replica_set", lambda client, where: None)
    store = MongoStore.connect("mongodb://127.0.0.1:1/chat")
    try:
        assert store.db.name == "chat"
        assert store.db.write_concern.document == {"w": "majority"}
        assert store.db.codec_options.tz_aware
        assert store.db.client.options.timeout == 10.0  # timeoutMS bounds every operation
    finally:
        store.close()
    store = MongoStore.connect("mongodb://127.0.0.1:1/")
    assert store.db.name == "lnk"
    store.close()


# --- races ----------------------------------------------------------------------------------


def _run(threads: int, target) -> list[BaseException]:  # noqa: ANN001
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    workers = [threading.Thread(target=guarded, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


def test_unread_counts_stay_exact_under_interleaved_operations(racing: MongoStore) -> None:
    store = racing
    people = _users(store, "alice", "bob", "carol", "dave")
    group = _group(store, *people[:3])
    sent: list[str] = []

    def act(i: int) -> None:
        rng = random.Random(i)
        me = people[i % 3]
        for step in range(40):
            roll = rng.random()
            if roll < 0.5:
                sent.append(_send(store, group, me, f"m{i}-{step}").id)
            elif roll < 0.65:
                store.messages.mark_read(group.id, me.id, None, T0)
            elif roll < 0.75 and sent:
                store.messages.mark_read(group.id, me.id, rng.sample(sent, min(3, len(sent))), T0)
            elif roll < 0.85 and sent:
                store.messages.hide_for(rng.choice(sent), me.id)
            elif roll < 0.92 and sent:
                store.messages.delete_for_everyone(rng.choice(sent), "deleted", T0)
            elif roll < 0.96:
                store.conversations.delete_for_user(group.id, me.id, T0)
            elif i == 0 and step == 20:
                store.conversations.add_participants(group.id, [(people[3].id, "member")], T0)

    assert _run(6, act) == []
    seqs = [m.seq for m in store.messages.page(group.id, people[3].id, after_seq=0, limit=1000)]
    total = store.conversations.get(group.id).last_seq
    assert seqs == list(range(1, total + 1))
    assert store.db.messages.count_documents({}) == total
    for participant in store.conversations.get(group.id).participants:
        expected = _expected_unread(store, group.id, participant.user_id)
        assert _stored_unread(store, group.id, participant.user_id) == expected


def test_concurrent_sends_with_one_client_id_store_one_message(racing: MongoStore) -> None:
    store = racing
    alice, bob = _users(store, "alice", "bob")
    group = _group(store, alice, bob)
    results: list[object] = []

    def send(_: int) -> None:
        results.append(_send(store, group, alice, client_id="same"))

    errors = _run(8, send)
    assert len(results) == 1 and all(isinstance(e, DuplicateError) for e in errors)
    assert store.conversations.get(group.id).last_seq == 1
    assert store.conversations.get_participant(group.id, bob.id).unread_count == 1


def test_concurrent_overlapping_bookings_confirm_only_one(racing: MongoStore) -> None:
    store = racing
    provider, client = _users(store, "provider", "client")
    made: list[Booking] = []

    def book(i: int) -> None:
        start = T0 + timedelta(minutes=10 * i)  # every pair of these 60-minute slots overlaps
        booking = Booking(
            "",
            "0" * 24,
            provider.id,
            client.id,
            "0" * 24,
            "0" * 24,
            start,
            60,
            Decimal("10"),
            "EUR",
            "confirmed",
            T0,
        )
        made.append(store.bookings.create(booking, refuse_overlap=True))

    errors = _run(5, book)
    assert len(made) == 1 and len(errors) == 4
    assert all(isinstance(e, OverlapError) for e in errors)


def test_clearing_and_reading_while_messages_arrive_keeps_the_count_exact(
    racing: MongoStore,
) -> None:
    store = racing
    alice, bob, carol = _users(store, "alice", "bob", "carol")
    group = _group(store, alice, bob, carol)

    def act(i: int) -> None:
        for step in range(60):
            if i < 2:
                _send(store, group, (alice, carol)[i], f"m{step}")
            elif step % 2 and step < 59:  # the last act is a read: no reset hides a miscount
                store.conversations.delete_for_user(group.id, bob.id, T0)
            else:
                store.messages.mark_read(group.id, bob.id, None, T0)

    assert _run(3, act) == []
    assert _stored_unread(store, group.id, bob.id) == _expected_unread(store, group.id, bob.id)
