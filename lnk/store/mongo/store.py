"""The MongoDB store: the repositories over one database."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from lnk.store.base import BlobStore, Store
from lnk.store.mongo.conversations import MongoConversationRepository
from lnk.store.mongo.files import GridFSBlobStore, MongoFileRepository, upgrade_file_links
from lnk.store.mongo.indexes import ensure_indexes
from lnk.store.mongo.marketplace import MongoBookingRepository, MongoPackageRepository
from lnk.store.mongo.messages import MongoMessageRepository
from lnk.store.mongo.users import MongoTokenRepository, MongoUserRepository

DEFAULT_DATABASE = "lnk"


class MongoStore(Store):
    """Works on a standalone server as well as a replica set: no multi-document transactions;
    each repository method orders its single-document atomic writes so that counters stay exact
    (see ``MongoMessageRepository.append`` and ``reads``)."""

    def __init__(self, db: Database[Any], *, blobs: BlobStore | None = None) -> None:
        self.db = db
        upgrade_file_links(db)
        ensure_indexes(db)
        self.users = MongoUserRepository(db)
        self.tokens = MongoTokenRepository(db)
        self.conversations = MongoConversationRepository(db)
        self.messages = MongoMessageRepository(db)
        self.packages = MongoPackageRepository(db)
        self.bookings = MongoBookingRepository(db)
        self.files = MongoFileRepository(db)
        self.blobs = blobs if blobs is not None else GridFSBlobStore(db)
        self._client: MongoClient[Any] | None = None

    @classmethod
    def connect(cls, uri: str) -> MongoStore:
        """Opens a client for ``uri``; the database is the URI's default, else ``lnk``.
        Majority write concern so an acknowledged write survives a failover."""
        client: MongoClient[Any] = MongoClient(
            uri,
            tz_aware=True,
            w="majority",
            retryWrites=True,
            retryReads=True,
            serverSelectionTimeoutMS=5_000,
            connectTimeoutMS=5_000,
            socketTimeoutMS=30_000,
            appname="lnk",
        )
        store = cls(client.get_default_database(default=DEFAULT_DATABASE))
        store._client = client
        return store

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def ping(self) -> bool:
        try:
            self.db.command("ping")
        except PyMongoError:
            return False
        return True
