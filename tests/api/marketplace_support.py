"""Helpers shared by the marketplace API tests: packages, offers, requests and their events."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from lnk.domain.events import MessageUpdated
from lnk.presenters import iso


def direct(client, a, b) -> str:
    response = client.post(
        "/api/conversations", json={"type": "direct", "participantIds": [b.id]}, headers=a.headers
    )
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["id"]


def group(client, owner, *members) -> str:
    response = client.post(
        "/api/conversations",
        json={"type": "group", "title": "Team", "participantIds": [m.id for m in members]},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def package(client, owner, **fields) -> dict:
    body = {
        "title": "Haircut",
        "description": "Wash and cut",
        "price": 25,
        "currency": "EUR",
        "durationMinutes": 60,
        **fields,
    }
    response = client.post("/api/service-packages", json=body, headers=owner.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def offer(client, sender, cid, package_id, **fields):
    return client.post(
        f"/api/conversations/{cid}/messages/service-offer",
        json={"servicePackageId": package_id, **fields},
        headers=sender.headers,
    )


def request(client, sender, cid, package_id, start: datetime, **fields):
    return client.post(
        f"/api/conversations/{cid}/messages/booking-request",
        json={"servicePackageId": package_id, "requestedStart": iso(start), **fields},
        headers=sender.headers,
    )


def act(client, user, message_id: str, action: str):
    """``action`` is e.g. ``offer/accept`` or ``booking/confirm``."""
    return client.post(f"/api/messages/{message_id}/{action}", headers=user.headers)


def updates(events, action: str) -> list[MessageUpdated]:
    return [e for e in events.of_type(MessageUpdated) if e.action == action]


def later(clock, hours: float) -> datetime:
    return clock.now() + timedelta(hours=hours)


def race(app, calls) -> list[int]:
    """Runs each ``(user, message_id, action)`` in its own thread, released together; returns the
    status codes in call order."""
    barrier = threading.Barrier(len(calls))
    codes: list[int] = [0] * len(calls)

    def run(i, user, message_id, action):
        c = app.test_client()
        barrier.wait()
        codes[i] = act(c, user, message_id, action).status_code

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def assert_expires_after(message: dict, ttl: timedelta, before: datetime, after: datetime) -> None:
    """The deal of a just-sent ``message`` expires ``ttl`` after the instant the server read its
    clock for it: that instant lies between the test's own readings of the same clock around the
    request (``before``, ``after``), and is no later than the message's ``createdAt`` (the clock
    is read for the deal first). Exact bounds, no wall-clock slack."""
    deal = message.get("serviceOffer") or message.get("bookingRequest")
    taken_at = parse_time(deal["expiresAt"]) - ttl
    assert before <= taken_at <= after, (before, taken_at, after)
    assert taken_at <= parse_time(message["createdAt"]), (taken_at, message["createdAt"])


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
