"""Storage: the repository contract (base.py) and the factory choosing an adapter."""

from __future__ import annotations

from lnk.store.base import Store


def open_store(*, sqlite_path: str, upload_dir: str, mongodb_uri: str | None = None) -> Store:
    """MongoDB when ``mongodb_uri`` is set, otherwise the embedded SQLite store."""
    if mongodb_uri:
        from lnk.store.mongo import MongoStore

        return MongoStore.connect(mongodb_uri)
    from lnk.store.sqlite import SqliteStore

    return SqliteStore(sqlite_path, upload_dir=upload_dir)
