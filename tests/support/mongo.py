"""The MongoDB stores of the tests: mongomock, or a real server named by LNK_TEST_MONGODB_URI.

mongomock has no sessions (``MongoClient.start_session`` raises NotImplementedError and every
collection method refuses a ``session``), so it cannot run the adapter's transactions. The
mongomock store is built here, and only here, with ``MongomockUnits``: a unit of work runs its
callback without a session, serialised with every other unit by one lock, and a unit that fails
puts back a copy of the database taken when it began. That keeps the promise the services rely
on (all of a unit or nothing of it), so the crash-in-the-middle tests mean the same on mongomock
as on a server; what it cannot show - write conflicts, retries, the server's isolation - is
shown by the same tests against a real replica set (LNK_TEST_MONGODB_URI).
"""

from __future__ import annotations

import copy
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from lnk.store.mongo import MongoStore
from lnk.store.mongo.indexes import BLOB_BUCKET

T = TypeVar("T")


class MongomockUnits:
    def __init__(self, db: Any) -> None:
        self._db = db
        self._lock = threading.RLock()
        self._depth = 0

    def run(self, fn: Callable[[], T]) -> T:
        with self.unit():
            return fn()

    @contextmanager
    def unit(self) -> Iterator[None]:
        with self._lock:
            if self._depth:  # joins the unit already running
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            saved = self._snapshot()
            self._depth = 1
            try:
                yield
            except BaseException:
                self._restore(saved)
                raise
            finally:
                self._depth = 0

    def _collections(self) -> dict[str, Any]:
        stores = self._db._store._collections  # mongomock's in-memory collections
        return {n: c for n, c in stores.items() if not n.startswith(BLOB_BUCKET + ".")}

    def _snapshot(self) -> dict[str, Any]:
        return {n: copy.deepcopy(c._documents) for n, c in self._collections().items()}

    def _restore(self, saved: dict[str, Any]) -> None:
        for name, collection in self._collections().items():
            collection._documents = saved.get(name, type(collection._documents)())


def mongomock_store() -> MongoStore:
    import mongomock
    import mongomock.gridfs

    mongomock.gridfs.enable_gridfs_integration()
    db = mongomock.MongoClient().db
    return MongoStore(db, units=MongomockUnits(db))


def server_uri() -> str | None:
    return os.environ.get("LNK_TEST_MONGODB_URI") or None


def server_store() -> MongoStore:
    """A store on a fresh database of the real server (drop it with ``drop_server_store``)."""
    import pymongo

    client: pymongo.MongoClient[Any] = pymongo.MongoClient(server_uri(), tz_aware=True)
    return MongoStore(client[f"lnk_test_{uuid.uuid4().hex[:12]}"])


def drop_server_store(store: MongoStore) -> None:
    store.db.client.drop_database(store.db.name)
    store.db.client.close()


def mongo_store() -> MongoStore:
    return server_store() if server_uri() else mongomock_store()
