"""The MongoDB store: the repositories over one database of a replica set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from lnk.store.base import BlobStore, Store
from lnk.store.mongo.conversations import MongoConversationRepository
from lnk.store.mongo.files import GridFSBlobStore, MongoFileRepository, upgrade_file_links
from lnk.store.mongo.indexes import ensure_indexes
from lnk.store.mongo.marketplace import MongoBookingRepository, MongoPackageRepository
from lnk.store.mongo.messages import MongoMessageRepository
from lnk.store.mongo.notifications import (
    MongoNotificationSettingsRepository,
    MongoOutboxRepository,
    MongoPushSubscriptionRepository,
)
from lnk.store.mongo.response_times import MongoMetricsRepository, MongoResponseTimeRepository
from lnk.store.mongo.safety import MongoAuditLog, MongoBlockRepository, MongoReportRepository
from lnk.store.mongo.units import (
    SessionDatabase,
    TransactionalUnits,
    UnitRunner,
    require_replica_set,
)
from lnk.store.mongo.users import MongoTokenRepository, MongoUserRepository

DEFAULT_DATABASE = "lnk"
OPERATION_TIMEOUT_MS = 10_000  # every operation, and every unit of work as a whole
T = TypeVar("T")


class MongoStore(Store):
    """Needs a replica set (or a sharded cluster): operations that write several documents run
    in a multi-document transaction (``units``), and the unique indexes keep the rest exact."""

    def __init__(
        self,
        db: Database[Any],
        *,
        units: UnitRunner | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        if units is None:
            require_replica_set(db.client, db.name)
            units = TransactionalUnits(db.client, timeout_seconds=OPERATION_TIMEOUT_MS / 1000)
        self.db = db
        self.units = units
        upgrade_file_links(db)
        ensure_indexes(db)
        sdb = SessionDatabase(db)
        self.users = MongoUserRepository(sdb)
        self.tokens = MongoTokenRepository(sdb)
        self.conversations = MongoConversationRepository(sdb, units)
        self.messages = MongoMessageRepository(sdb, units)
        self.packages = MongoPackageRepository(sdb)
        self.bookings = MongoBookingRepository(sdb, units)
        self.files = MongoFileRepository(sdb)
        self.blobs = blobs if blobs is not None else GridFSBlobStore(db)
        self.notification_settings = MongoNotificationSettingsRepository(sdb)
        self.push_subscriptions = MongoPushSubscriptionRepository(sdb)
        self.outbox = MongoOutboxRepository(sdb)
        self.reports = MongoReportRepository(sdb)
        self.audit = MongoAuditLog(sdb)
        self.blocks = MongoBlockRepository(sdb)
        self.response_times = MongoResponseTimeRepository(sdb)
        self.metrics = MongoMetricsRepository(sdb)
        self._client: MongoClient[Any] | None = None

    @classmethod
    def connect(cls, uri: str) -> MongoStore:
        """Opens a client for ``uri``; the database is the URI's default, else ``lnk``.
        Majority write concern so an acknowledged write survives a failover; ``timeoutMS``
        bounds every operation (client-side operation timeout)."""
        client: MongoClient[Any] = MongoClient(
            uri,
            tz_aware=True,
            w="majority",
            retryWrites=True,
            retryReads=True,
            timeoutMS=OPERATION_TIMEOUT_MS,
            serverSelectionTimeoutMS=5_000,
            connectTimeoutMS=5_000,
            appname="lnk",
        )
        try:
            store = cls(client.get_default_database(default=DEFAULT_DATABASE))
        except BaseException:
            client.close()
            raise
        store._client = client
        return store

    def unit_of_work(self) -> Any:
        return self.units.unit()

    def run_in_unit(self, fn: Callable[[], T]) -> T:
        return self.units.run(fn)

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
