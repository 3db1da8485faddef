"""Units of work on MongoDB: multi-document transactions on a replica set.

A unit runs in one client session with ``with_transaction`` (snapshot reads, majority writes),
which retries the whole unit on a transient error (a write conflict with a concurrent unit, a
failover) and the commit on an unknown result. The session of the running unit is held in a
context variable (one per greenlet), and every collection operation of the repositories picks it
up through ``SessionDatabase``, so a repository method called inside a unit joins it and one
called outside runs in a unit of its own when it writes more than once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TypeVar

import pymongo
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import OperationFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from lnk.store.base import StoreError

T = TypeVar("T")

_session: ContextVar[ClientSession | None] = ContextVar("lnk_mongo_session", default=None)

# Collection methods that take ``session=``: the ones the repositories call.
_SESSION_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "count_documents",
        "bulk_write",
        "aggregate",
        "distinct",
    }
)

STANDALONE_MESSAGE = (
    "MongoDB at {where} is a standalone server, but LNK needs multi-document transactions, "
    "which only replica sets (or sharded clusters) have. For development, start a one-node "
    "replica set: `mongod --replSet rs0 --dbpath <dir>`, then once "
    "`mongosh --eval 'rs.initiate()'`, and set "
    "MONGODB_URI=mongodb://localhost:27017/lnk?replicaSet=rs0 (see the README)."
)


class UnitRunner(Protocol):
    """How a MongoStore runs a unit of work (a capability chosen when the store is built)."""

    def run(self, fn: Callable[[], T]) -> T:
        """Runs ``fn`` as one unit (again, from the start, after a transient error)."""

    def unit(self) -> AbstractContextManager[None]:
        """The same as a block, attempted once."""


class TransactionalUnits:
    """Production units: one session and transaction per unit, retried by ``with_transaction``."""

    def __init__(self, client: MongoClient[Any], *, timeout_seconds: float = 10.0) -> None:
        self._client = client
        self._timeout = timeout_seconds

    @contextmanager
    def unit(self) -> Iterator[None]:
        if _session.get() is not None:
            yield
            return
        with pymongo.timeout(self._timeout), self._client.start_session() as session:
            token = _session.set(session)
            try:
                with session.start_transaction(
                    read_concern=ReadConcern("snapshot"), write_concern=WriteConcern("majority")
                ):
                    yield
            finally:
                _session.reset(token)

    def run(self, fn: Callable[[], T]) -> T:
        if _session.get() is not None:
            return fn()  # joins the unit already running in this greenlet
        result: list[T] = []

        def callback(session: ClientSession) -> None:
            result.clear()
            token = _session.set(session)
            try:
                result.append(fn())
            finally:
                _session.reset(token)

        # The deadline bounds every attempt, every retry and the commit together.
        with pymongo.timeout(self._timeout), self._client.start_session() as session:
            session.with_transaction(
                callback,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
            )
        return result[0]


def require_replica_set(client: MongoClient[Any], where: str) -> None:
    """Start-up check: transactions need a replica set member or a mongos."""
    try:
        hello = client.admin.command("hello")
    except OperationFailure as exc:  # pragma: no cover - servers older than 4.4.2
        raise StoreError(f"cannot ask MongoDB at {where} what it is: {exc}") from exc
    if hello.get("setName") or hello.get("msg") == "isdbgrid":
        return
    raise StoreError(STANDALONE_MESSAGE.format(where=where))


class SessionCollection:
    """A collection whose operations run in the current unit's session, if any."""

    __slots__ = ("_collection",)

    def __init__(self, collection: Collection[Any]) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if name not in _SESSION_METHODS:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            session = _session.get()
            if session is not None:
                kwargs["session"] = session
            return attr(*args, **kwargs)

        return call


class SessionDatabase:
    """``db[name]`` gives session-aware collections (the repositories' only way in)."""

    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._collections: dict[str, SessionCollection] = {}

    def __getitem__(self, name: str) -> SessionCollection:
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = SessionCollection(self._db[name])
        return found
