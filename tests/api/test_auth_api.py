"""Users and auth over HTTP: registration, login, refresh, logout/revocation, suspension."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.both_engines


def test_register_returns_user_and_tokens(client):
    response = client.post(
        "/api/auth/register",
        json={"username": "Alice_1", "password": "long-enough", "displayName": "Alice"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"user", "accessToken", "refreshToken"}
    assert body["user"]["username"] == "Alice_1"
    assert body["user"]["displayName"] == "Alice"
    assert body["user"]["role"] == "user"
    assert len(body["user"]["id"]) == 24 and body["user"]["createdAt"].endswith("Z")


def test_register_conflicts_on_username_case_insensitively(client, make_user):
    make_user("bob")
    response = client.post("/api/auth/register", json={"username": "BOB", "password": "x" * 8})
    assert response.status_code == 409
    assert response.get_json()["code"] == "conflict"
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "ab", "password": "password1"}, "username"),
        ({"username": "has space", "password": "password1"}, "username"),
        ({"username": "x" * 33, "password": "password1"}, "username"),
        ({"username": "valid", "password": "short"}, "password"),
        ({"username": "valid", "password": "p" * 129}, "password"),
        ({"password": "password1"}, "username"),
    ],
)
def test_register_validates_fields(client, body, field):
    response = client.post("/api/auth/register", json=body)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "validation_error"
    assert field in problem["errors"]


def test_malformed_json_is_400_and_non_object_is_422(client):
    response = client.post(
        "/api/auth/register", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"
    response = client.post("/api/auth/register", json=["a"])
    assert response.status_code == 422


def test_oversized_body_is_413(client):
    response = client.post("/api/auth/register", json={"username": "big", "password": "x" * 70000})
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_login_gives_same_401_for_unknown_user_and_wrong_password(client, make_user):
    make_user("carol", password="right-password")
    wrong = client.post("/api/auth/login", json={"username": "carol", "password": "wrong-pass"})
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "wrong-pass"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]
    ok = client.post("/api/auth/login", json={"username": "CAROL", "password": "right-password"})
    assert ok.status_code == 200 and ok.get_json()["user"]["username"] == "carol"


def test_password_is_stored_as_slow_salted_hash(ctx, make_user):
    make_user("dave", password="same-password")
    make_user("erin", password="same-password")
    dave = ctx.store.users.get_by_username("dave")
    erin = ctx.store.users.get_by_username("erin")
    assert dave.password_hash.startswith("$argon2id$")
    assert dave.password_hash != erin.password_hash
    assert "same-password" not in dave.password_hash


def test_protected_routes_need_a_valid_token(client):
    assert client.get("/api/users/me").status_code == 401
    response = client.get("/api/users/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_refresh_issues_a_new_access_token_only_for_refresh_tokens(client, make_user):
    user = make_user()
    response = client.post(
        "/api/auth/refresh", headers={"Authorization": f"Bearer {user.refresh_token}"}
    )
    assert response.status_code == 200
    token = response.get_json()["accessToken"]
    assert (
        client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )
    assert client.post("/api/auth/refresh", headers=user.headers).status_code == 401


def test_logout_revokes_access_and_refresh_tokens_persistently(app, client, make_user):
    user = make_user()
    response = client.post(
        "/api/auth/logout", headers=user.headers, json={"refreshToken": user.refresh_token}
    )
    assert response.status_code == 204
    assert client.get("/api/users/me", headers=user.headers).status_code == 401
    assert (
        client.post(
            "/api/auth/refresh", headers={"Authorization": f"Bearer {user.refresh_token}"}
        ).status_code
        == 401
    )
    # revocations live in the store, not in process memory
    ctx = app.extensions["lnk"]
    assert ctx.store.tokens.purge_expired(ctx.clock.now()) == 0


def test_access_token_expires_after_15_minutes(app, client, make_user):
    from flask_jwt_extended import decode_token

    user = make_user()
    with app.app_context():
        claims = decode_token(user.access_token)
        refresh = decode_token(user.refresh_token)
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == int(timedelta(days=30).total_seconds())


def test_suspended_user_is_refused_everywhere(ctx, client, make_user):
    user = make_user("frank", password="frank-password")
    ctx.store.users.update(user.id, suspended=True)
    assert client.get("/api/users/me", headers=user.headers).status_code == 403
    login = client.post("/api/auth/login", json={"username": "frank", "password": "frank-password"})
    assert login.status_code == 403 and login.get_json()["code"] == "forbidden"


def test_users_me_and_get_by_id(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    assert client.get("/api/users/me", headers=alice.headers).get_json()["id"] == alice.id
    response = client.get(f"/api/users/{bob.id}", headers=alice.headers)
    assert response.status_code == 200 and response.get_json()["username"] == "bob"
    assert client.get("/api/users/" + "0" * 24, headers=alice.headers).status_code == 404
    assert client.get("/api/users/garbage", headers=alice.headers).status_code == 404


def test_user_search_by_prefix_with_cursor_paging(client, make_user):
    me = make_user("zed")
    for name in ["anna", "andrew", "angela", "bert"]:
        make_user(name)
    first = client.get("/api/users?q=an&limit=2", headers=me.headers).get_json()
    assert [u["username"] for u in first["items"]] == ["andrew", "angela"]
    second = client.get(
        f"/api/users?q=an&limit=2&cursor={first['nextCursor']}", headers=me.headers
    ).get_json()
    assert [u["username"] for u in second["items"]] == ["anna"]
    assert second["nextCursor"] is None
    by_display = client.get("/api/users?q=Ber", headers=me.headers).get_json()
    assert [u["username"] for u in by_display["items"]] == ["bert"]
    assert client.get("/api/users?cursor=!!!", headers=me.headers).status_code == 422


def test_limit_above_maximum_is_clamped(client, make_user):
    me = make_user()
    response = client.get("/api/users?limit=1000", headers=me.headers)
    assert response.status_code == 200
    assert client.get("/api/users?limit=0", headers=me.headers).status_code == 422


def test_refresh_token_is_not_an_access_token(client, make_user):
    user = make_user()
    response = client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {user.refresh_token}"}
    )
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_expired_access_token_is_refused(app, client, make_user):
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    user = make_user()
    with app.app_context():
        expired = create_access_token(identity=user.id, expires_delta=timedelta(seconds=-1))
    response = client.get("/api/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]
