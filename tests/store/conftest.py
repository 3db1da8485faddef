"""The storage contract suite: every test runs against each engine through the ``store`` fixture.

``mongo`` uses mongomock, or a real server when ``LNK_TEST_MONGODB_URI`` is set (a database with
a unique name, dropped afterwards).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from lnk.domain.models import (
    BookingRequest,
    Conversation,
    FileMeta,
    Message,
    ServiceOffer,
    User,
)
from lnk.domain.rules import counts_unread
from lnk.store.base import NewMessage, Store

T0 = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=UTC)


def at(minutes: float = 0) -> datetime:
    """``T0`` plus some minutes: the suite's clock (millisecond precision, like the services')."""
    return T0 + timedelta(minutes=minutes)


def _sqlite_store(tmp_path: Path) -> Iterator[Store]:
    from lnk.store.sqlite import SqliteStore

    store = SqliteStore(str(tmp_path / "lnk.sqlite3"), upload_dir=str(tmp_path / "uploads"))
    yield store
    store.close()


def _mongo_store() -> Iterator[Store]:
    from tests.support.mongo import drop_server_store, mongomock_store, server_store, server_uri

    if server_uri():
        store = server_store()
        yield store
        drop_server_store(store)
        return
    yield mongomock_store()


@pytest.fixture(params=["sqlite", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        yield from _sqlite_store(tmp_path)
    else:
        yield from _mongo_store()


class Builder:
    """Terse construction of users, conversations and messages for the tests."""

    at = staticmethod(at)

    def __init__(self, store: Store) -> None:
        self.store = store

    def user(self, username: str, display_name: str | None = None, role: str = "user") -> User:
        return self.store.users.create(
            username, display_name or username.title(), "hash", role, at()
        )

    def users(self, *names: str) -> list[User]:
        return [self.user(name) for name in names]

    def direct(self, a: User, b: User, when: datetime | None = None) -> Conversation:
        key = ":".join(sorted([a.id, b.id]))
        return self.store.conversations.create(
            "direct", None, a.id, [(a.id, "owner"), (b.id, "member")], when or at(), key
        )

    def group(
        self, owner: User, *members: User, title: str = "Group", when: datetime | None = None
    ) -> Conversation:
        people = [(owner.id, "owner")] + [(m.id, "member") for m in members]
        return self.store.conversations.create("group", title, owner.id, people, when or at())

    def send(
        self,
        conversation: Conversation | str,
        sender: User | str,
        content: str = "hi",
        when: datetime | None = None,
        **fields: object,
    ) -> Message:
        conversation_id = conversation if isinstance(conversation, str) else conversation.id
        sender_id = sender if isinstance(sender, str) else sender.id
        fields.setdefault("type", "text")
        fields.setdefault("preview", content[:40])
        fields.setdefault("counts_unread", counts_unread(str(fields["type"])))
        new = NewMessage(conversation_id, sender_id, content=content, **fields)  # type: ignore[arg-type]
        return self.store.messages.append(new, when or at())

    def unread(self, conversation: Conversation, user: User) -> int:
        participant = self.store.conversations.get_participant(conversation.id, user.id)
        assert participant is not None
        return participant.unread_count

    def offer(
        self,
        package_id: str = "0" * 24,
        status: str = "pending",
        expires_at: datetime | None = None,
    ) -> ServiceOffer:
        return ServiceOffer(
            package_id,
            "Haircut",
            "A nice cut",
            Decimal("19.90"),
            "EUR",
            30,
            "see you",
            status,
            expires_at or at(60),
        )

    def request(
        self, provider: User, status: str = "pending", expires_at: datetime | None = None
    ) -> BookingRequest:
        return BookingRequest(
            "0" * 24, provider.id, "Haircut", at(24 * 60), 30, None, status, expires_at or at(60)
        )

    def file(self, owner: User, name: str = "photo.png") -> FileMeta:
        file_id = Store.new_id()
        meta = FileMeta(
            file_id, owner.id, name, 1234, "image/png", file_id, 640, 480, file_id + "-thumb", at()
        )
        return self.store.files.create(meta)


@pytest.fixture
def make(store: Store) -> Builder:
    return Builder(store)


# mongomock is not thread-safe (its find-and-modify is not atomic), so races are run on SQLite
# and, when LNK_TEST_MONGODB_URI names a server, on real MongoDB.
RACE_ENGINES = ["sqlite"] + (["mongo"] if os.environ.get("LNK_TEST_MONGODB_URI") else [])


@pytest.fixture(params=RACE_ENGINES)
def concurrent_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store for race tests, on the engines where races mean something."""
    if request.param == "sqlite":
        yield from _sqlite_store(tmp_path)
    else:
        yield from _mongo_store()
