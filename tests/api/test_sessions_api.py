"""Logins over HTTP: an expired token never yields an identity, refresh tokens rotate and a
replayed one ends its login, logout ends the whole login, logout everywhere, password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token, decode_token

pytestmark = pytest.mark.both_engines


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = "correct-horse-1") -> dict:
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def me(client, token: str):
    return client.get("/api/users/me", headers=bearer(token))


def expired_copy(app, token: str) -> str:
    """The same identity and login as ``token``, expired: what a leaked old token looks like."""
    with app.app_context():
        claims = decode_token(token)
        return create_access_token(
            identity=claims["sub"],
            expires_delta=timedelta(seconds=-30),
            additional_claims={"login": claims.get("login", "")},
        )


def test_expired_victim_cookie_plus_attacker_refresh_cookie_never_yields_the_victim(app, make_user):
    victim, attacker = make_user("victim"), make_user("attacker")
    browser = app.test_client()
    browser.set_cookie("access_token_cookie", expired_copy(app, victim.access_token))
    browser.set_cookie("refresh_token_cookie", attacker.refresh_token)
    for path in ("/chat", "/", "/session/resume?next=/chat", "/chat/partials/conversations"):
        browser.get(path)
        minted = browser.get_cookie("access_token_cookie")
        assert minted is not None
        answer = me(browser, minted.value)
        if answer.status_code == 200:
            assert answer.get_json()["id"] != victim.id, f"{path} minted a token for the victim"
    # nor does the API accept the expired token itself, from a header or a cookie
    assert me(browser, expired_copy(app, victim.access_token)).status_code == 401


def test_refresh_rotates_the_refresh_token(client, make_user):
    user = make_user()
    response = client.post("/api/auth/refresh", headers=bearer(user.refresh_token))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"accessToken", "refreshToken"}
    assert body["refreshToken"] != user.refresh_token
    assert response.headers["Cache-Control"] == "no-store"
    assert me(client, body["accessToken"]).status_code == 200
    again = client.post("/api/auth/refresh", headers=bearer(body["refreshToken"]))
    assert again.status_code == 200


def test_a_replayed_refresh_token_revokes_the_whole_login(client, make_user):
    user = make_user()
    other_login = login(client, user.username)
    stolen = user.refresh_token
    rotated = client.post("/api/auth/refresh", headers=bearer(stolen)).get_json()
    # the thief (or the victim) presents the used token again: the login ends
    replay = client.post("/api/auth/refresh", headers=bearer(stolen))
    assert replay.status_code == 401 and replay.get_json()["code"] == "unauthorized"
    assert me(client, rotated["accessToken"]).status_code == 401
    assert me(client, user.access_token).status_code == 401
    assert (
        client.post("/api/auth/refresh", headers=bearer(rotated["refreshToken"])).status_code == 401
    )
    # another login of the same user is untouched
    assert me(client, other_login["accessToken"]).status_code == 200


def test_logout_ends_every_token_of_the_login(client, make_user):
    user = make_user()
    rotated = client.post("/api/auth/refresh", headers=bearer(user.refresh_token)).get_json()
    assert (
        client.post("/api/auth/logout", headers=bearer(rotated["accessToken"])).status_code == 204
    )
    assert me(client, user.access_token).status_code == 401
    assert (
        client.post("/api/auth/refresh", headers=bearer(rotated["refreshToken"])).status_code == 401
    )


def test_logout_with_the_refresh_token_as_bearer(client, make_user):
    user = make_user()
    assert client.post("/api/auth/logout", headers=bearer(user.refresh_token)).status_code == 204
    assert me(client, user.access_token).status_code == 401


def test_logout_all_revokes_every_login_of_the_caller_only(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    second = login(client, "alice")
    response = client.post("/api/auth/logout-all", headers=alice.headers)
    assert response.status_code == 204
    for token in (alice.access_token, second["accessToken"]):
        assert me(client, token).status_code == 401
    for token in (alice.refresh_token, second["refreshToken"]):
        assert client.post("/api/auth/refresh", headers=bearer(token)).status_code == 401
    assert me(client, bob.access_token).status_code == 200
    fresh = login(client, "alice")  # signing in again works
    assert me(client, fresh["accessToken"]).status_code == 200
    assert client.post("/api/auth/logout-all").status_code == 401


def test_password_change_needs_the_current_password_and_ends_the_other_logins(client, make_user):
    user = make_user("carol")
    other = login(client, "carol")
    wrong = client.put(
        "/api/users/me/password",
        headers=user.headers,
        json={"currentPassword": "not-it-at-all", "newPassword": "a-new-password"},
    )
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "forbidden"
    assert me(client, other["accessToken"]).status_code == 200
    short = client.put(
        "/api/users/me/password",
        headers=user.headers,
        json={"currentPassword": "correct-horse-1", "newPassword": "short"},
    )
    assert short.status_code == 422 and "newPassword" in short.get_json()["errors"]
    changed = client.put(
        "/api/users/me/password",
        headers=user.headers,
        json={"currentPassword": "correct-horse-1", "newPassword": "a-new-password"},
    )
    assert changed.status_code == 204
    assert me(client, user.access_token).status_code == 200  # this login stays
    assert me(client, other["accessToken"]).status_code == 401
    assert (
        client.post("/api/auth/refresh", headers=bearer(other["refreshToken"])).status_code == 401
    )
    old = client.post("/api/auth/login", json={"username": "carol", "password": "correct-horse-1"})
    assert old.status_code == 401
    login(client, "carol", "a-new-password")


def test_token_answers_are_never_cached(client, make_user):
    make_user("dave")
    response = client.post(
        "/api/auth/login", json={"username": "dave", "password": "correct-horse-1"}
    )
    assert response.headers["Cache-Control"] == "no-store"
    register = client.post("/api/auth/register", json={"username": "erin", "password": "x" * 8})
    assert register.headers["Cache-Control"] == "no-store"


def test_tokens_without_a_login_are_refused(app, client, make_user):
    """A token minted without a login (as before logins existed) cannot be revoked: refused."""
    user = make_user()
    with app.app_context():
        bare = create_access_token(identity=user.id)
    assert me(client, bare).status_code == 401
