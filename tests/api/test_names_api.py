"""Names people type (display names, group titles, package titles, location names and
addresses) refuse control and formatting characters but keep emoji sequences, and are stored
NFC-normalised and trimmed."""

from __future__ import annotations

import unicodedata

import pytest

pytestmark = pytest.mark.both_engines

BAD = [
    "Bob\u202e",  # right-to-left override
    "Bob\u2066admin\u2069",  # left-to-right isolate ... pop
    "Bob\nSystem: you were removed",  # a fake second line
    "B\u200bob",  # zero-width space
    "Bob\x00",
]
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
HEART = "\u2764\ufe0f"  # heart + emoji presentation selector
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
DECOMPOSED = "Jose\u0301"  # e + combining acute, NFC is "José"


def assert_refused(response, field):
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("name", BAD)
def test_a_display_name_with_control_characters_is_refused(client, name):
    body = {"username": "mallory", "password": "correct-horse-1", "displayName": name}
    assert_refused(client.post("/api/auth/register", json=body), "displayName")
    login = {"username": "mallory", "password": "correct-horse-1"}
    assert client.post("/api/auth/login", json=login).status_code == 401  # nothing was stored


@pytest.mark.parametrize("name", BAD)
def test_group_and_package_titles_and_place_names_refuse_them(client, pair, name):
    alice, bob, cid = pair
    group = {"type": "group", "title": name, "participantIds": [bob.id]}
    assert_refused(client.post("/api/conversations", json=group, headers=alice.headers), "title")
    package = {"title": name, "price": 10, "durationMinutes": 30}
    created = client.post("/api/service-packages", json=package, headers=alice.headers)
    assert_refused(created, "title")
    for field in ("name", "address"):
        place = {"latitude": 1.0, "longitude": 2.0, field: name}
        sent = client.post(
            f"/api/conversations/{cid}/messages/location", json=place, headers=alice.headers
        )
        assert_refused(sent, field)
    history = client.get(f"/api/conversations/{cid}/messages", headers=alice.headers)
    assert history.get_json()["items"] == []


def test_renaming_a_group_refuses_them_too(client, pair):
    alice, bob, _ = pair
    group = {"type": "group", "title": "Team", "participantIds": [bob.id]}
    gid = client.post("/api/conversations", json=group, headers=alice.headers).get_json()["id"]
    renamed = client.put(
        f"/api/conversations/{gid}", json={"title": "Team\u202e"}, headers=alice.headers
    )
    assert_refused(renamed, "title")
    title = client.get(f"/api/conversations/{gid}", headers=alice.headers).get_json()["title"]
    assert title == "Team"


def test_emoji_sequences_are_kept_and_names_are_nfc_and_trimmed(client, pair):
    alice, bob, _ = pair
    name = f"  {DECOMPOSED} {FAMILY}{HEART}{SCOTLAND}  "
    expected = unicodedata.normalize("NFC", name).strip()
    assert expected.startswith("Jos\u00e9")
    body = {"username": "jose", "password": "correct-horse-1", "displayName": name}
    registered = client.post("/api/auth/register", json=body)
    assert registered.status_code == 201, registered.get_json()
    assert registered.get_json()["user"]["displayName"] == expected
    group = {"type": "group", "title": name, "participantIds": [bob.id]}
    created = client.post("/api/conversations", json=group, headers=alice.headers)
    assert created.status_code == 201 and created.get_json()["title"] == expected
    package = {"title": name, "price": 10, "durationMinutes": 30}
    made = client.post("/api/service-packages", json=package, headers=alice.headers)
    assert made.status_code == 201 and made.get_json()["title"] == expected
