"""Sign-in pages: register, log in, log out, the cookie session and its silent refresh."""

from __future__ import annotations

from datetime import timedelta

from flask_jwt_extended import create_access_token, decode_token
from web_support import form_token, sign_in


def test_login_page_has_labelled_fields_and_a_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label class="field-label" for="username">Username</label>' in page.text
    assert '<label class="field-label" for="password">Password</label>' in page.text
    assert form_token(page.text)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_login_sets_httponly_jwt_cookies_and_lands_in_the_chat(client, make_user):
    user = make_user()
    response = sign_in(client, user.username)
    assert response.status_code == 302
    assert response.headers["Location"] == "/chat"
    cookies = response.headers.getlist("Set-Cookie")
    access = next(c for c in cookies if c.startswith("access_token_cookie="))
    assert "HttpOnly" in access and "SameSite=Lax" in access
    assert any(c.startswith("refresh_token_cookie=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("csrf_access_token=") and "HttpOnly" not in c for c in cookies)
    assert client.get("/chat").status_code == 200
    # the same token the API accepts
    assert client.get("/api/users/me").get_json()["id"] == user.id


def test_login_follows_next_but_never_off_site(client, make_user):
    user = make_user()
    page = client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "correct-horse-1",
            "csrf_token": form_token(page.text),
            "next": "//evil.example/x",
        },
    )
    assert response.headers["Location"] == "/chat"
    client.post("/logout", data={"csrf_token": form_token(client.get("/chat").text)})
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "correct-horse-1",
            "csrf_token": form_token(page.text),
            "next": "/packages",
        },
    )
    assert response.headers["Location"] == "/packages"


def test_wrong_password_and_unknown_user_get_the_same_error(client, make_user):
    user = make_user()
    wrong = sign_in(client, user.username, "not-the-password")
    unknown = sign_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Invalid username or password" in wrong.text
    assert "Invalid username or password" in unknown.text
    assert not any(
        c.startswith("access_token_cookie=") for c in wrong.headers.getlist("Set-Cookie")
    )


def test_empty_login_shows_errors_next_to_the_fields(client):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": form_token(page.text)})
    assert response.status_code == 422
    assert 'id="username-error"' in response.text and "Enter your username" in response.text
    assert 'aria-invalid="true"' in response.text


def test_login_without_the_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post(
        "/login", data={"username": user.username, "password": "correct-horse-1"}
    )
    assert response.status_code == 400
    assert not any(
        c.startswith("access_token_cookie=") for c in response.headers.getlist("Set-Cookie")
    )


def test_register_signs_in_and_lands_in_the_chat(client):
    page = client.get("/register")
    response = client.post(
        "/register",
        data={
            "username": "newcomer",
            "display_name": "New <b>Comer</b>",
            "password": "long-enough-1",
            "confirm": "long-enough-1",
            "csrf_token": form_token(page.text),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/chat"
    chat = client.get("/chat")
    assert "New &lt;b&gt;Comer&lt;/b&gt;" in chat.text
    assert "New <b>Comer</b>" not in chat.text


def test_register_errors_are_shown_next_to_their_fields(client, make_user):
    taken = make_user()
    page = client.get("/register")
    response = client.post(
        "/register",
        data={
            "username": taken.username.upper(),
            "password": "long-enough-1",
            "confirm": "long-enough-1",
            "csrf_token": form_token(page.text),
        },
    )
    assert response.status_code == 409
    assert 'id="username-error"' in response.text and "taken" in response.text
    response = client.post(
        "/register",
        data={
            "username": "x<",
            "password": "short",
            "confirm": "other",
            "csrf_token": form_token(page.text),
        },
    )
    assert response.status_code == 422
    for field in ("username", "password", "confirm"):
        assert f'id="{field}-error"' in response.text
    assert 'value="x&lt;"' in response.text


def test_logout_revokes_the_tokens_and_clears_the_cookies(client, make_user):
    user = make_user()
    sign_in(client, user.username)
    access = client.get_cookie("access_token_cookie").value
    response = client.post("/logout", data={"csrf_token": form_token(client.get("/chat").text)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get_cookie("access_token_cookie") is None
    again = client.get("/api/users/me", headers={"Authorization": f"Bearer {access}"})
    assert again.status_code == 401


def test_logout_without_the_csrf_token_is_refused(client, make_user):
    user = make_user()
    sign_in(client, user.username)
    assert client.post("/logout").status_code == 400
    assert client.get("/chat").status_code == 200


def test_root_sends_to_the_login_or_the_chat(client, make_user):
    assert client.get("/").headers["Location"] == "/login"
    sign_in(client, make_user().username)
    assert client.get("/").headers["Location"] == "/chat"


def test_an_expired_access_cookie_is_renewed_through_the_session_path_and_back(
    app, client, make_user
):
    user = make_user()
    sign_in(client, user.username)
    with app.app_context():
        login_id = decode_token(client.get_cookie("access_token_cookie").value)["login"]
        expired = create_access_token(
            identity=user.id,
            expires_delta=timedelta(seconds=-5),
            additional_claims={"login": login_id},
        )
    client.set_cookie("access_token_cookie", expired)
    detour = client.get("/chat/search?q=x")
    assert detour.status_code == 302
    assert detour.headers["Location"] == "/session/resume?next=/chat/search%3Fq%3Dx"
    back = client.get(detour.headers["Location"])
    assert back.status_code == 302 and back.headers["Location"] == "/chat/search?q=x"
    renewed = client.get_cookie("access_token_cookie").value
    assert renewed != expired
    assert client.get("/chat").status_code == 200
    assert client.get("/api/users/me").status_code == 200

    client.delete_cookie("refresh_token_cookie", path="/session")
    client.set_cookie("access_token_cookie", expired)
    detour = client.get("/chat")
    assert client.get(detour.headers["Location"]).headers["Location"] == "/login?next=/chat"


def test_scripts_refresh_the_session_with_the_refresh_csrf_token(client, make_user):
    sign_in(client, make_user().username)
    assert client.post("/session/refresh").status_code == 403
    token = client.get_cookie("csrf_refresh_token").value
    response = client.post("/session/refresh", headers={"X-CSRF-TOKEN": token})
    assert response.status_code == 204
    assert any(c.startswith("access_token_cookie=") for c in response.headers.getlist("Set-Cookie"))


def test_error_pages_are_html_for_pages(client, make_user):
    sign_in(client, make_user().username)
    response = client.get("/chat/0123456789abcdef01234567")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.text
