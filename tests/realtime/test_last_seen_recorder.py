"""Recording "last seen" from the realtime upkeep: one write per tick, kept and written again
when storage is temporarily unavailable, and written at shutdown for the users only this process
knew of."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from lnk.extensions import socketio
from lnk.realtime.last_seen import RETRY_SECONDS, LastSeenRecorder
from lnk.services import accounts
from tests.realtime.test_realtime_inprocess import app, register  # noqa: F401


def busy() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = sqlite3.SQLITE_BUSY
    return error


def test_instants_are_kept_while_storage_is_away_and_written_once_it_is_back(app, monkeypatch):  # noqa: F811
    ctx = app.extensions["lnk"]
    alice = accounts.register(ctx, "alice", "password-123")
    recorder = LastSeenRecorder(ctx)
    real = ctx.store.users.record_last_seen
    calls: list[dict] = []

    def failing(seen):
        calls.append(dict(seen))
        raise busy()

    monkeypatch.setattr(ctx.store.users, "record_last_seen", failing)
    recorder.add(alice.id, 1_000.0)
    recorder.flush(now=50.0)
    recorder.add(alice.id, 900.0)  # an older instant does not replace the newer one
    recorder.flush(now=50.0 + RETRY_SECONDS / 2)  # not before the retry is due
    assert len(calls) == 1
    monkeypatch.setattr(ctx.store.users, "record_last_seen", real)
    recorder.flush(now=50.0 + RETRY_SECONDS)
    assert ctx.store.users.get(alice.id).last_seen_at == datetime.fromtimestamp(1_000.0, UTC)
    monkeypatch.setattr(ctx.store.users, "record_last_seen", failing)
    recorder.flush(now=100.0)  # nothing owed: no write
    assert len(calls) == 1


def test_a_process_that_stops_records_its_users_as_last_seen(app):  # noqa: F811
    ctx = app.extensions["lnk"]
    alice_id, token = register(app, "alice")
    client = socketio.test_client(app, namespace="/messaging", auth={"token": token})
    assert client.is_connected("/messaging")
    before = ctx.clock.now()
    app.extensions["lnk_realtime"].close()
    seen = ctx.store.users.get(alice_id).last_seen_at
    assert seen is not None and seen >= before
    client.disconnect(namespace="/messaging")
