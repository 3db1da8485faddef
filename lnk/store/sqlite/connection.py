"""One SQLite connection per store, serialised by a re-entrant lock.

The lock is a gevent lock under the server: a unit of work (``SqliteStore.unit_of_work``) holds
it for its whole transaction, so another greenlet wanting the connection waits for the commit
rather than joining the transaction (long reads go to the worker pool on connections of their
own and never wait on it). ``BEGIN IMMEDIATE`` takes the file's
write lock up front, which makes read-modify-write sequences (seq allocation, compare-and-set,
overlap checks) atomic across processes sharing the file too.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.request import pathname2url

from lnk.domain import search_text

if TYPE_CHECKING:
    from lnk.workers import WorkerPool

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


class Database:
    def __init__(self, path: str) -> None:
        if path != ":memory:" and not path.startswith("file:"):
            parent = os.path.dirname(os.path.abspath(path))
            os.makedirs(parent, exist_ok=True)
        self._conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            uri=path.startswith("file:"),
        )
        self._conn.row_factory = sqlite3.Row
        register_functions(self._conn)
        self._lock = threading.RLock()
        self._read_only_uri = (
            None
            if path == ":memory:" or path.startswith("file:")
            else "file:" + pathname2url(os.path.abspath(path)) + "?mode=ro"
        )
        self.workers: WorkerPool | None = None
        self._readers: dict[int, sqlite3.Connection] = {}  # worker thread id -> its reader
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            cur = self._conn.cursor()
            if self._conn.in_transaction:  # nested: join the outer transaction
                yield cur
                return
            cur.execute(begin)
            try:
                yield cur
                # A COMMIT can fail too (disk full, I/O error, a deferred constraint): the
                # transaction must not stay open, or every later statement would join it.
                cur.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            # if even that fails, the connection is unusable: the caller's error says why
            with contextlib.suppress(sqlite3.Error):
                self._conn.rollback()

    def write(self) -> Any:
        """``with db.write() as cur:`` runs the block in one ``BEGIN IMMEDIATE`` transaction."""
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> Any:
        """``with db.read() as cur:`` gives several statements one consistent snapshot."""
        return self._transaction("BEGIN")

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            # fetchall, not fetchone: a half-stepped statement would keep its transaction open
            rows = self._conn.execute(sql, params).fetchall()
        return rows[0] if rows else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A single-statement write (atomic on its own); returns the changed row count."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def read_in_worker(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """``query(connection)`` in the worker pool, on the worker thread's own read-only
        connection (WAL lets it read beside writers), so a long read holds neither the loop nor
        the shared connection's lock (a gevent lock, which a native thread must not wait on).
        Without a pool, or for an in-memory database, on the shared connection."""
        if self.workers is None or self._read_only_uri is None:
            with self._lock:
                return query(self._conn)
        return self.workers.run(self._read_on_thread_reader, query)

    def _read_on_thread_reader(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """In a worker thread: that thread's read-only connection, opened on first use and kept,
        so that its page cache stays warm (a fresh connection per query tripled search times)."""
        ident = threading.get_native_id()
        conn = self._readers.get(ident)
        if conn is None:
            assert self._read_only_uri is not None
            conn = sqlite3.connect(
                self._read_only_uri,
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,  # closed by ``close`` from another thread
            )
            conn.row_factory = sqlite3.Row
            register_functions(conn)
            self._readers[ident] = conn
        return query(conn)

    @property
    def user_version(self) -> int:
        return int(self.one("PRAGMA user_version")[0])

    def close(self) -> None:
        for reader in list(self._readers.values()):
            reader.close()
        self._readers.clear()
        with self._lock:
            self._conn.close()


def register_functions(conn: sqlite3.Connection) -> None:
    """``search_words(text)``: the text's index keys (``lnk.domain.search_text.words``), space
    separated, which the full-text index stores (its ``ascii`` tokeniser splits them at the
    spaces only, so the words are exactly the domain's)."""
    conn.create_function(
        "search_words", 1, lambda text: " ".join(search_text.words(text or "")), deterministic=True
    )


def placeholders(n: int) -> str:
    """``?, ?, ?`` for an IN list of ``n`` values."""
    return ", ".join("?" * n)
