"""Rate limits a person cannot sidestep: one login bucket per address for the API and the form,
a per-account backoff after repeated failures, the real client address behind trusted proxies,
and the pages' POST routes and search counting against the same per-user buckets as the API."""

from __future__ import annotations

import pytest
from web_support import form_token, sign_in

from lnk import create_app
from lnk.config import Settings


def limited_app(tmp_path, **settings):
    return create_app(
        Settings(
            env="testing",
            sqlite_path=str(tmp_path / "limits.sqlite3"),
            upload_dir=str(tmp_path / "uploads"),
            ratelimit_enabled=True,
            **settings,
        )
    )


@pytest.fixture
def app_with_limits(tmp_path):
    app = limited_app(tmp_path)
    yield app
    app.extensions["lnk"].store.close()


def register(client, username: str, password: str = "correct-horse-1", **kwargs) -> dict:
    response = client.post(
        "/api/auth/register", json={"username": username, "password": password}, **kwargs
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def api_login(client, username: str, password: str, **kwargs):
    return client.post(
        "/api/auth/login", json={"username": username, "password": password}, **kwargs
    )


def form_login(client, username: str, password: str, **kwargs):
    page = client.get("/login", **kwargs)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text)},
        **kwargs,
    )


def test_the_api_and_the_form_share_one_login_bucket_per_address(app_with_limits):
    client = app_with_limits.test_client()
    statuses = [api_login(client, f"nobody{i}", "wrong-password").status_code for i in range(10)]
    statuses += [form_login(client, f"noone{i}", "wrong-password").status_code for i in range(10)]
    assert statuses == [401] * 20
    refused = form_login(client, "someone", "wrong-password")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert api_login(client, "someone", "wrong-password").status_code == 429


def test_repeated_failures_make_the_account_wait_from_any_address(app_with_limits):
    client = app_with_limits.test_client()
    register(client, "victim")
    register(client, "bystander")
    for i in range(5):
        address = {"REMOTE_ADDR": f"10.1.0.{i + 1}"}  # spread over addresses: still one account
        answer = api_login(client, "victim", "guess-number-" + str(i), environ_base=address)
        assert answer.status_code == 401
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.2.0.1"}}
    waiting = api_login(client, "victim", "correct-horse-1", **elsewhere)
    assert waiting.status_code == 429 and waiting.get_json()["code"] == "rate_limited"
    assert int(waiting.headers["Retry-After"]) > 0
    form = form_login(client, "VICTIM", "correct-horse-1", **elsewhere)
    assert form.status_code == 429 and "Too many failed logins" in form.text
    assert api_login(client, "bystander", "correct-horse-1", **elsewhere).status_code == 200


def test_a_success_clears_the_failure_count(app_with_limits):
    client = app_with_limits.test_client()
    register(client, "forgetful")
    for _ in range(4):
        assert api_login(client, "forgetful", "not-quite-it").status_code == 401
    assert api_login(client, "forgetful", "correct-horse-1").status_code == 200
    for _ in range(4):
        assert api_login(client, "forgetful", "not-quite-it").status_code == 401
    assert api_login(client, "forgetful", "correct-horse-1").status_code == 200


def test_behind_trusted_proxies_each_client_has_its_own_bucket(tmp_path):
    app = limited_app(tmp_path, trusted_proxies=1)
    client = app.test_client()
    first = {"X-Forwarded-For": "203.0.113.7"}
    for i in range(20):
        assert api_login(client, f"x{i}", "wrong-password", headers=first).status_code == 401
    assert api_login(client, "x", "wrong-password", headers=first).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.8"}
    assert api_login(client, "x", "wrong-password", headers=other).status_code == 401
    app.extensions["lnk"].store.close()


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(tmp_path):
    app = limited_app(tmp_path)
    client = app.test_client()
    for i in range(20):
        spoofed = {"X-Forwarded-For": f"198.51.100.{i}"}
        assert api_login(client, f"y{i}", "wrong-password", headers=spoofed).status_code == 401
    spoofed = {"X-Forwarded-For": "198.51.100.250"}
    assert api_login(client, "y", "wrong-password", headers=spoofed).status_code == 429
    app.extensions["lnk"].store.close()


def signed_in_pair(app):
    """Alice signed in through the form (a browser) with Bob's direct conversation."""
    api = app.test_client()
    alice = register(api, "alice", environ_base={"REMOTE_ADDR": "10.9.0.1"})
    bob = register(api, "bob", environ_base={"REMOTE_ADDR": "10.9.0.2"})
    headers = {"Authorization": f"Bearer {alice['accessToken']}"}
    conversation = api.post(
        "/api/conversations",
        headers=headers,
        json={"type": "direct", "participantIds": [bob["user"]["id"]]},
    ).get_json()
    browser = app.test_client()
    assert sign_in(browser, "alice").status_code == 302
    page_headers = {
        "X-CSRF-TOKEN": browser.get_cookie("csrf_access_token").value,
        "HX-Request": "true",
    }
    return api, headers, browser, page_headers, conversation["id"]


def test_page_sends_and_api_sends_share_one_bucket(app_with_limits):
    api, headers, browser, page_headers, cid = signed_in_pair(app_with_limits)
    for i in range(300):
        answer = api.post(
            f"/api/conversations/{cid}/messages", headers=headers, json={"content": f"m{i}"}
        )
        assert answer.status_code == 201
    page = browser.post(f"/chat/{cid}/messages", data={"content": "one more"}, headers=page_headers)
    assert page.status_code == 429
    assert int(page.headers["Retry-After"]) > 0
    listed = api.get(f"/api/conversations/{cid}/messages?limit=1", headers=headers).get_json()
    assert listed["items"][0]["content"] == "m299"  # the refused send changed nothing


def test_page_search_and_api_search_share_one_bucket(app_with_limits):
    api, headers, browser, page_headers, _ = signed_in_pair(app_with_limits)
    for _ in range(30):
        assert api.get("/api/messages/search?q=hello", headers=headers).status_code == 200
        assert browser.get("/chat/search?q=hello").status_code == 200
    assert browser.get("/chat/search?q=hello").status_code == 429
    assert api.get("/api/messages/search?q=hello", headers=headers).status_code == 429


def test_page_conversation_creation_shares_the_api_bucket(app_with_limits):
    api, headers, browser, page_headers, _ = signed_in_pair(app_with_limits)
    others = [
        register(api, f"peer{i}", environ_base={"REMOTE_ADDR": f"10.8.{i}.1"})["user"]["id"]
        for i in range(29)
    ]
    for peer in others:  # with the pair's own conversation: 30, the limit per minute
        created = api.post(
            "/api/conversations",
            headers=headers,
            json={"type": "group", "title": "G", "participantIds": [peer]},
        )
        assert created.status_code == 201
    page = browser.post(
        "/chat/new",
        data={"type": "group", "title": "One more", "participantIds": others[0]},
        headers=page_headers,
    )
    assert page.status_code == 429


def test_page_password_changes_share_the_api_bucket(app_with_limits):
    api, headers, browser, page_headers, _ = signed_in_pair(app_with_limits)
    wrong = {"currentPassword": "not-it-at-all", "newPassword": "another-secret-1"}
    for _ in range(5):
        assert api.put("/api/users/me/password", headers=headers, json=wrong).status_code == 403
        refused = browser.post(
            "/account/password",
            data={**wrong, "confirmPassword": wrong["newPassword"]},
            headers=page_headers,
        )
        assert refused.status_code == 422
    right = {"currentPassword": "correct-horse-1", "newPassword": "another-secret-1"}
    page = browser.post(
        "/account/password",
        data={**right, "confirmPassword": right["newPassword"]},
        headers=page_headers,
    )
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert api.put("/api/users/me/password", headers=headers, json=right).status_code == 429
    assert form_login(app_with_limits.test_client(), "alice", "correct-horse-1").status_code == 302
