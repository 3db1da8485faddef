"""Storage trouble (a full disk) answers 503 ``unavailable`` with ``Retry-After`` and one log
line, changes nothing, and the server serves again by itself once space returns."""

from __future__ import annotations

import logging

from tests.api.test_messages_api import send


def _fill_the_disk(app) -> int:
    """SQLite's page limit set to the file's current size: the next page it needs is refused
    exactly as on a full disk (SQLITE_FULL). Returns the previous limit."""
    db = app.extensions["lnk"].store.db
    limit = db.one("PRAGMA max_page_count")[0]
    pages = db.one("PRAGMA page_count")[0]
    db.one(f"PRAGMA max_page_count = {pages}")
    return limit


def test_a_full_disk_is_a_503_with_retry_after_and_the_server_recovers_by_itself(
    app,
    client,
    pair,
    caplog,
):
    alice, bob, cid = pair
    assert send(client, alice, cid, "before").status_code == 201
    limit = _fill_the_disk(app)
    big = "x" * 4000
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = send(client, alice, cid, big)
    assert response.status_code == 503, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) >= 1
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1 and errors[0].exc_info is None, [r.getMessage() for r in errors]
    # reads still work, and the failed send left nothing behind
    listed = client.get(f"/api/conversations/{cid}/messages", headers=bob.headers).get_json()
    assert [m["content"] for m in listed["items"]] == ["before"]

    app.extensions["lnk"].store.db.one(f"PRAGMA max_page_count = {limit}")  # space is back
    again = send(client, alice, cid, big)
    assert again.status_code == 201 and again.get_json()["seq"] == 2
