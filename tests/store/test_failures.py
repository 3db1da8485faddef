"""Which storage errors are temporary (a 503 ``unavailable``) and which are bugs (a 500)."""

from __future__ import annotations

import sqlite3

import pytest
from pymongo import errors as mongo_errors

from lnk.store.failures import as_unavailable


def sqlite_error(code: int, cls: type = sqlite3.OperationalError) -> sqlite3.Error:
    error = cls("boom")
    error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    "error",
    [
        sqlite_error(sqlite3.SQLITE_FULL),
        sqlite_error(sqlite3.SQLITE_IOERR_WRITE),
        sqlite_error(sqlite3.SQLITE_BUSY),
        mongo_errors.ServerSelectionTimeoutError("no primary"),
        mongo_errors.AutoReconnect("connection reset"),
        mongo_errors.NetworkTimeout("timed out"),
    ],
)
def test_temporary_storage_failures_are_unavailable_with_retry_after(error):
    unavailable = as_unavailable(error)
    assert unavailable is not None
    assert (unavailable.status, unavailable.code) == (503, "unavailable")
    assert int(unavailable.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    "error",
    [
        sqlite_error(sqlite3.SQLITE_ERROR),  # e.g. no such table: a bug
        sqlite_error(sqlite3.SQLITE_CONSTRAINT, sqlite3.IntegrityError),
        mongo_errors.DuplicateKeyError("dup"),
        ValueError("not storage"),
    ],
)
def test_other_errors_are_not_disguised(error):
    assert as_unavailable(error) is None
