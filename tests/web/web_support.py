"""Helpers for the page and partial tests: a Flask test client per person, signed in through
the login form (so the JWT cookies and their CSRF cookie are real)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def form_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no Flask-WTF CSRF field on the page"
    return match.group(1)


@dataclass
class Browser:
    """A signed-in person's test client; ``post`` sends the double-submit CSRF header and
    ``HX-Request`` like htmx does, unless told otherwise."""

    client: object
    account: object

    @property
    def id(self) -> str:
        return self.account.id

    @property
    def csrf(self) -> str:
        return self.client.get_cookie("csrf_access_token").value

    def get(self, path: str, *, htmx: bool = False, **kwargs):
        headers = kwargs.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.get(path, headers=headers, **kwargs)

    def post(
        self, path: str, data: dict | None = None, *, csrf: bool = True, htmx: bool = True, **kwargs
    ):
        headers = kwargs.pop("headers", {})
        if csrf:
            headers["X-CSRF-TOKEN"] = self.csrf
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data or {}, headers=headers, **kwargs)


def sign_in(client, username: str, password: str = "correct-horse-1"):
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form_token(page.text)},
    )


@pytest.fixture
def browser_for(app, make_user) -> Callable[..., Browser]:
    """``browser_for(display_name=None)``: a new user, signed in through the login form."""

    def make(display_name: str | None = None) -> Browser:
        account = make_user(display_name=display_name)
        client = app.test_client()
        response = sign_in(client, account.username)
        assert response.status_code == 302, response.text
        return Browser(client, account)

    return make


@pytest.fixture
def pair(browser_for, client):
    """Alice and Bob, signed in, with a direct conversation holding one message from Bob."""
    alice, bob = browser_for("Alice Provider"), browser_for("Bob Client")
    conversation = client.post(
        "/api/conversations",
        headers=bob.account.headers,
        json={"type": "direct", "participantIds": [alice.id]},
    ).get_json()
    client.post(
        f"/api/conversations/{conversation['id']}/messages",
        headers=bob.account.headers,
        json={"content": "Hi Alice"},
    )
    return alice, bob, conversation["id"]


def api_send(client, browser: Browser, conversation_id: str, content: str) -> dict:
    response = client.post(
        f"/api/conversations/{conversation_id}/messages",
        headers=browser.account.headers,
        json={"content": content},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()
