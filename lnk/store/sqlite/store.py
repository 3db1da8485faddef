"""The SQLite engine: every repository over one shared connection."""

from __future__ import annotations

from lnk.store.base import Store
from lnk.store.sqlite.connection import Database
from lnk.store.sqlite.conversations import SqliteConversationRepository
from lnk.store.sqlite.files import DiskBlobStore, SqliteFileRepository
from lnk.store.sqlite.marketplace import SqliteBookingRepository, SqlitePackageRepository
from lnk.store.sqlite.messages import SqliteMessageRepository
from lnk.store.sqlite.schema import migrate
from lnk.store.sqlite.users import SqliteTokenRepository, SqliteUserRepository
from lnk.workers import WorkerPool


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

    def use_workers(self, workers: WorkerPool) -> None:
        self.db.workers = workers

    def close(self) -> None:
        self.db.close()

    def ping(self) -> bool:
        return self.db.one("SELECT 1") is not None
