"""Shared fixtures: an app on a real temporary SQLite file (or MongoDB via mongomock / a real
server), an HTTP test client, users with tokens, the recorded domain events and a movable clock.

``engine`` is parametrized by the tests that must run on both storage adapters (``both_engines``
marker); the others use SQLite only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from lnk import create_app
from lnk.clock import Clock
from lnk.config import Settings
from lnk.events import RecordingBus


def make_store(engine: str, tmp_path):
    """A fresh store of the given engine: 'sqlite' on a temp file, 'mongo' on mongomock (or on the
    server named by LNK_TEST_MONGODB_URI)."""
    if engine == "sqlite":
        from lnk.store.sqlite import SqliteStore

        return SqliteStore(str(tmp_path / "lnk.sqlite3"), upload_dir=str(tmp_path / "uploads"))
    from tests.support.mongo import mongo_store

    return mongo_store()


def drop_store(store) -> None:
    db = getattr(store, "db", None)
    if db is not None and os.environ.get("LNK_TEST_MONGODB_URI"):
        db.client.drop_database(db.name)
    store.close()


@pytest.fixture
def engine() -> str:
    return "sqlite"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def events() -> RecordingBus:
    return RecordingBus()


@pytest.fixture
def app(tmp_path, engine, clock, events):
    settings = Settings(
        env="testing",
        sqlite_path=str(tmp_path / "lnk.sqlite3"),
        upload_dir=str(tmp_path / "uploads"),
        ratelimit_enabled=False,
    )
    store = make_store(engine, tmp_path)
    app = create_app(settings, events=events, clock=clock, store=store)
    yield app
    drop_store(store)


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Account:
    """A registered user as a test sees it: its JSON, tokens and ready-made headers."""

    id: str
    username: str
    user: dict
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}


@pytest.fixture
def make_user(client) -> Iterator:
    counter = iter(range(1, 10_000))

    def _make(
        username: str | None = None,
        password: str = "correct-horse-1",
        display_name: str | None = None,
    ) -> Account:
        name = username or f"user{next(counter)}"
        response = client.post(
            "/api/auth/register",
            json={
                "username": name,
                "password": password,
                "displayName": display_name or name.title(),
            },
        )
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        return Account(
            body["user"]["id"], name, body["user"], body["accessToken"], body["refreshToken"]
        )

    yield _make


@pytest.fixture
def ctx(app):
    """The app's ServiceContext, for unit tests of services."""
    return app.extensions["lnk"]


def pytest_generate_tests(metafunc):
    """``both_engines``: SQLite and MongoDB. ``threaded``: tests that hammer the store from many
    threads run on MongoDB only against a real server, since mongomock is not thread-safe."""
    if "engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("threaded"):
        engines = ["sqlite"] + (["mongo"] if os.environ.get("LNK_TEST_MONGODB_URI") else [])
        metafunc.parametrize("engine", engines)
    elif metafunc.definition.get_closest_marker("both_engines"):
        metafunc.parametrize("engine", ["sqlite", "mongo"])


def pytest_terminal_summary(terminalreporter):
    """Says loudly what a run without a real MongoDB did not check."""
    if not os.environ.get("LNK_TEST_MONGODB_URI"):
        terminalreporter.write_sep(
            "!",
            "MongoDB explain() index checks and real-server race tests did NOT run "
            "(set LNK_TEST_MONGODB_URI to a replica set)",
            yellow=True,
        )
