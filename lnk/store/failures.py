"""Which storage failures are temporary (disk full, I/O error, database busy, MongoDB unreachable):
the request is answered ``503 unavailable`` with ``Retry-After`` instead of a 500, and the server
serves again by itself once the cause is gone. Programming errors stay 500s."""

from __future__ import annotations

import sqlite3

from lnk.errors import Unavailable

_SQLITE_TEMPORARY = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_NOMEM,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PROTOCOL,
}


def _mongo_temporary() -> tuple[type[BaseException], ...]:
    try:
        from pymongo import errors
    except ImportError:  # pragma: no cover - pymongo is a pinned dependency
        return ()
    return (errors.ConnectionFailure, errors.ExecutionTimeout, errors.WTimeoutError)


def as_unavailable(error: BaseException) -> Unavailable | None:
    """The ``Unavailable`` to answer with when ``error`` is a temporary storage failure."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None and code & 0xFF in _SQLITE_TEMPORARY:
            return Unavailable(f"storage is temporarily unavailable ({error})")
        return None
    if isinstance(error, _mongo_temporary()):
        return Unavailable("storage is temporarily unavailable (database unreachable)")
    return None
