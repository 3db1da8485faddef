"""What the session's answers carry: the CSP (no framing) on every HTML answer including error
pages, no caching of tokens, Secure cookies over HTTPS or in production, a refresh cookie that
only the session routes see."""

from __future__ import annotations

import pytest
from web_support import form_token, sign_in

from lnk import create_app
from lnk.config import Settings


def cookie_lines(response, name: str) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]


@pytest.mark.parametrize(
    "path",
    ["/login", "/no-such-page", "/chat/0123456789abcdef01234567", "/static/../../etc/passwd"],
)
def test_every_html_answer_forbids_framing_error_pages_included(client, make_user, path):
    sign_in(client, make_user().username)
    response = client.get(path)
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_500_page_carries_the_csp_too(app, client):
    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("boom")

    response = client.get("/explode-for-test")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_answers_that_set_session_cookies_are_not_cached(client, make_user):
    user = make_user()
    signed = sign_in(client, user.username)
    assert signed.headers["Cache-Control"] == "no-store"
    refreshed = client.post(
        "/session/refresh", headers={"X-CSRF-TOKEN": client.get_cookie("csrf_refresh_token").value}
    )
    assert refreshed.status_code == 204 and refreshed.headers["Cache-Control"] == "no-store"


def test_the_refresh_cookie_is_only_sent_to_the_session_routes(client, make_user):
    signed = sign_in(client, make_user().username)
    (refresh,) = cookie_lines(signed, "refresh_token_cookie")
    assert "Path=/session" in refresh and "HttpOnly" in refresh
    (access,) = cookie_lines(signed, "access_token_cookie")
    assert "Path=/;" in access or access.endswith("Path=/")
    assert client.get_cookie("refresh_token_cookie", path="/session") is not None
    assert client.get_cookie("refresh_token_cookie", path="/") is None


def test_cookies_are_secure_over_https_and_not_over_plain_http(app, make_user):
    user = make_user()
    secure = app.test_client()
    page = secure.get("/login", base_url="https://localhost")
    answer = secure.post(
        "/login",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
        data={
            "username": user.username,
            "password": "correct-horse-1",
            "csrf_token": form_token(page.text),
        },
    )
    cookies = answer.headers.getlist("Set-Cookie")
    assert len(cookies) >= 4 and all("; Secure" in c for c in cookies)
    plain = sign_in(app.test_client(), user.username)
    assert not any("; Secure" in c for c in plain.headers.getlist("Set-Cookie"))


def test_cookies_are_secure_in_production_even_over_http(tmp_path, make_user):
    app = create_app(
        Settings(
            env="production",
            jwt_secret="p" * 48,
            cookie_secure=True,
            sqlite_path=str(tmp_path / "prod.sqlite3"),
            upload_dir=str(tmp_path / "uploads"),
            ratelimit_enabled=False,
        )
    )
    client = app.test_client()
    client.post("/api/auth/register", json={"username": "prod", "password": "p" * 10})
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "prod", "password": "p" * 10, "csrf_token": form_token(page.text)},
    )
    cookies = answer.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies)
    assert all("; Secure" in c for c in page.headers.getlist("Set-Cookie"))
    app.extensions["lnk"].store.close()


def test_https_seen_through_a_trusted_proxy_makes_cookies_secure(tmp_path):
    app = create_app(
        Settings(
            env="testing",
            trusted_proxies=1,
            sqlite_path=str(tmp_path / "proxy.sqlite3"),
            upload_dir=str(tmp_path / "uploads"),
            ratelimit_enabled=False,
        )
    )
    client = app.test_client()
    answer = client.post(
        "/api/auth/register",
        json={"username": "proxied", "password": "p" * 10},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
    )
    assert answer.status_code == 201
    page = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert all("; Secure" in c for c in page.headers.getlist("Set-Cookie"))
    app.extensions["lnk"].store.close()
