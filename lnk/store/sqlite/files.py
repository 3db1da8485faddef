"""File metadata (in SQLite) and file bytes (on disk)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime
from typing import BinaryIO

from lnk.domain.models import FileMeta
from lnk.store.base import BlobStore, FileRepository
from lnk.store.sqlite.codec import file_from_row, to_ms
from lnk.store.sqlite.connection import Database, placeholders

_CHUNK = 1 << 16
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")


class SqliteFileRepository(FileRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, meta: FileMeta) -> FileMeta:
        self.db.run(
            "INSERT INTO files (id, owner_id, name, size, mime_type, storage_key, width, height,"
            " thumbnail_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                meta.id,
                meta.owner_id,
                meta.name,
                meta.size,
                meta.mime_type,
                meta.storage_key,
                meta.width,
                meta.height,
                meta.thumbnail_key,
                to_ms(meta.created_at),
            ),
        )
        return meta

    def get(self, file_id: str) -> FileMeta | None:
        row = self.db.one("SELECT * FROM files WHERE id = ?", (file_id,))
        return file_from_row(row) if row else None

    def visible_to(self, file_id: str, user_id: str) -> bool:
        row = self.db.one(
            "SELECT 1 FROM message_files AS l JOIN participants AS p"
            " ON p.conversation_id = l.conversation_id AND p.user_id = ?"
            " WHERE l.file_id = ? AND l.seq > p.cleared_seq AND NOT EXISTS ("
            "SELECT 1 FROM hidden_messages AS h WHERE h.message_id = l.message_id"
            " AND h.user_id = p.user_id) LIMIT 1",
            (user_id, file_id),
        )
        return row is not None

    def release(self, file_ids: list[str]) -> list[FileMeta]:
        if not file_ids:
            return []
        rows = self.db.all(
            f"DELETE FROM files WHERE id IN ({placeholders(len(file_ids))}) AND NOT EXISTS"
            " (SELECT 1 FROM message_files AS l WHERE l.file_id = files.id) RETURNING *",
            file_ids,
        )
        return [file_from_row(r) for r in rows]

    def unattached_before(self, cutoff: datetime, limit: int) -> list[FileMeta]:
        rows = self.db.all(
            "SELECT * FROM files INDEXED BY files_unattached"
            " WHERE attached = 0 AND created_at < ? ORDER BY created_at LIMIT ?",
            (to_ms(cutoff), limit),
        )
        return [file_from_row(r) for r in rows]

    def bytes_used(self, owner_id: str) -> int:
        row = self.db.one(
            "SELECT COALESCE(SUM(size), 0) FROM files WHERE owner_id = ?", (owner_id,)
        )
        return int(row[0]) if row else 0


class DiskBlobStore(BlobStore):
    """One file per key under ``root``. Writes go to a temporary file in the same directory and
    are renamed into place, so a reader never sees a partial file."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)

    def _path(self, key: str) -> str | None:
        """The key's path, or None for a key that is not a plain safe file name."""
        if not _SAFE_KEY.fullmatch(key) or ".." in key:
            return None
        return os.path.join(self.root, key)

    def put(self, key: str, stream: BinaryIO, content_type: str) -> int:
        path = self._path(key)
        if path is None:
            raise ValueError(f"unsafe blob key {key!r}")
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
                size = out.tell()
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return size

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if path is None:
            raise FileNotFoundError(key)
        return open(path, "rb")  # noqa: SIM115 - the caller closes it

    def size(self, key: str) -> int:
        path = self._path(key)
        if path is None:
            raise FileNotFoundError(key)
        return os.path.getsize(path)

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path is not None and os.path.exists(path):
            os.unlink(path)
