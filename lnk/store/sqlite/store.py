"""The SQLite engine: every repository over one shared connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from lnk.store.base import Store
from lnk.store.sqlite.connection import Database
from lnk.store.sqlite.conversations import SqliteConversationRepository
from lnk.store.sqlite.files import DiskBlobStore, SqliteFileRepository
from lnk.store.sqlite.marketplace import SqliteBookingRepository, SqlitePackageRepository
from lnk.store.sqlite.messages import SqliteMessageRepository
from lnk.store.sqlite.notifications import (
    SqliteNotificationSettingsRepository,
    SqliteOutboxRepository,
    SqlitePushSubscriptionRepository,
)
from lnk.store.sqlite.response_times import (
    SqliteMetricsRepository,
    SqliteResponseTimeRepository,
)
from lnk.store.sqlite.safety import (
    SqliteAuditLog,
    SqliteBlockRepository,
    SqliteReportRepository,
)
from lnk.store.sqlite.schema import migrate
from lnk.store.sqlite.users import SqliteTokenRepository, SqliteUserRepository
from lnk.workers import WorkerPool

T = TypeVar("T")


class SqliteStore(Store):
    """Embedded store: a SQLite file (WAL, shareable by several processes) and an upload dir."""

    def __init__(self, path: str, upload_dir: str) -> None:
        self.db = Database(path)
        migrate(self.db)
        self.users = SqliteUserRepository(self.db)
        self.tokens = SqliteTokenRepository(self.db)
        self.conversations = SqliteConversationRepository(self.db)
        self.messages = SqliteMessageRepository(self.db)
        self.packages = SqlitePackageRepository(self.db)
        self.bookings = SqliteBookingRepository(self.db)
        self.files = SqliteFileRepository(self.db)
        self.blobs = DiskBlobStore(upload_dir)
        self.notification_settings = SqliteNotificationSettingsRepository(self.db)
        self.push_subscriptions = SqlitePushSubscriptionRepository(self.db)
        self.outbox = SqliteOutboxRepository(self.db)
        self.reports = SqliteReportRepository(self.db)
        self.audit = SqliteAuditLog(self.db)
        self.blocks = SqliteBlockRepository(self.db)
        self.response_times = SqliteResponseTimeRepository(self.db)
        self.metrics = SqliteMetricsRepository(self.db)

    def use_workers(self, workers: WorkerPool) -> None:
        self.db.workers = workers

    def unit_of_work(self) -> Any:
        """One ``BEGIN IMMEDIATE`` transaction: the file's write lock is taken up front, so the
        unit's reads and writes are serialised with every other writer (of any process)."""
        return self.db.write()

    def run_in_unit(self, fn: Callable[[], T]) -> T:
        with self.db.write():
            return fn()

    def close(self) -> None:
        self.db.close()

    def ping(self) -> bool:
        return self.db.one("SELECT 1") is not None
