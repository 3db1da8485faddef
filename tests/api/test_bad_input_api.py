"""Hostile input is a 4xx problem that changes nothing, never a 500: forged cursors, sequence
numbers beyond what JSON clients read exactly, JSON nested 30,000 deep, a booking time in year
9999, and a sign-in ``next`` with control characters."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta

import pytest

from lnk.presenters import iso
from tests.api.marketplace_support import direct, package

pytestmark = pytest.mark.both_engines

DEEP = "[" * 30_000 + "]" * 30_000


def forged(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.fixture
def chat(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, alice, bob)
    client.post(f"/api/conversations/{cid}/messages", json={"content": "hi"}, headers=alice.headers)
    return alice, bob, cid


def assert_problem(response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path, cursor",
    [
        ("/api/conversations/{cid}/messages", {"d": "after", "s": 2**70}),
        ("/api/conversations/{cid}/messages", {"d": "after", "s": True}),
        ("/api/conversations", {"t": "2026-01-01T00:00:00+00:00", "id": [1]}),
        ("/api/conversations", {"t": "2026-01-01T00:00:00", "id": "x"}),
        ("/api/users", {"u": 5}),
        ("/api/users", {"u": {"$gt": ""}}),
        ("/api/messages/search?q=hi", {"id": [5]}),
        ("/api/messages/search?q=hi", {"id": 5}),
        ("/api/service-packages", {"id": {"a": 1}}),
        ("/api/bookings", {"id": 5}),
    ],
)
def test_forged_cursors_with_wrong_value_types_are_422(client, chat, path, cursor):
    alice, _, cid = chat
    url = path.format(cid=cid)
    url += ("&" if "?" in url else "?") + "cursor=" + forged(cursor)
    response = client.get(url, headers=alice.headers)
    assert_problem(response, 422)
    assert "cursor" in response.get_json()["errors"]


@pytest.mark.parametrize("seq", [2**53, 2**64, 10**30])
def test_after_seq_beyond_2_to_the_53_is_422(client, chat, seq):
    alice, _, cid = chat
    response = client.get(
        f"/api/conversations/{cid}/messages?afterSeq={seq}", headers=alice.headers
    )
    assert_problem(response, 422)
    ok = client.get(
        f"/api/conversations/{cid}/messages?afterSeq={2**53 - 1}", headers=alice.headers
    )
    assert ok.status_code == 200 and ok.get_json()["items"] == []


def test_json_nested_30000_deep_is_400_and_sends_nothing(client, chat):
    alice, _, cid = chat
    url = f"/api/conversations/{cid}/messages"
    for body in (DEEP, '{"content": ' + DEEP + "}"):
        response = client.post(
            url, data=body, headers={**alice.headers, "Content-Type": "application/json"}
        )
        assert_problem(response, 400)
    assert len(client.get(url, headers=alice.headers).get_json()["items"]) == 1


@pytest.mark.parametrize(
    "start",
    ["9999-12-31T23:00:00Z", "9999-12-31T23:59:59.999-05:00", "9999-06-01T10:00:00+14:00"],
)
def test_a_requested_start_in_year_9999_is_422(client, make_user, start):
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, alice, bob)
    pkg = package(client, alice)
    response = client.post(
        f"/api/conversations/{cid}/messages/booking-request",
        json={"servicePackageId": pkg["id"], "requestedStart": start},
        headers=bob.headers,
    )
    assert_problem(response, 422)
    assert "requestedStart" in response.get_json()["errors"]
    assert (
        client.get(f"/api/conversations/{cid}/messages", headers=bob.headers).get_json()["items"]
        == []
    )


def test_a_requested_start_within_the_horizon_is_accepted(client, make_user, clock):
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, alice, bob)
    pkg = package(client, alice)
    body = {"servicePackageId": pkg["id"]}
    near = client.post(
        f"/api/conversations/{cid}/messages/booking-request",
        json={**body, "requestedStart": iso(clock.now() + timedelta(days=700))},
        headers=bob.headers,
    )
    assert near.status_code == 201
    far = client.post(
        f"/api/conversations/{cid}/messages/booking-request",
        json={**body, "requestedStart": iso(clock.now() + timedelta(days=800))},
        headers=bob.headers,
    )
    assert_problem(far, 422)


NEXTS = ["/chat\r\nSet-Cookie: evil=1", "/chat%0d%0aX-Evil: 1", "/\t/evil.example", "/chat\x00"]


@pytest.mark.parametrize("target", NEXTS)
def test_a_next_with_control_characters_is_400_and_signs_nobody_in(app, make_user, target):
    account = make_user("alice")
    browser = app.test_client()
    page = browser.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    raw = target.replace("%0d%0a", "\r\n")
    assert browser.get("/login", query_string={"next": raw}).status_code == 400
    response = browser.post(
        "/login",
        data={"username": account.username, "password": "correct-horse-1", "csrf_token": token},
        query_string={"next": raw},
    )
    assert response.status_code == 400
    assert "evil" not in str(response.headers).lower()
    assert not any("token" in c for c in response.headers.getlist("Set-Cookie"))
    registered = browser.post(
        "/register",
        data={"username": "mallory", "password": "correct-horse-1", "csrf_token": token},
        query_string={"next": raw},
    )
    assert registered.status_code == 400
    login = {"username": "mallory", "password": "correct-horse-1"}
    assert app.test_client().post("/api/auth/login", json=login).status_code == 401
