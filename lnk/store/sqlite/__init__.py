"""The embedded SQLite storage engine (stdlib ``sqlite3`` only) with a disk blob store."""

from lnk.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
