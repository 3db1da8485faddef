"""Calling the JSON API of a live server over HTTP, with users registered on the fly."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any

import requests

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)


@dataclass
class TestUser:
    """A registered user: its ``user`` JSON and its tokens."""

    __test__ = False  # not a test class, despite the name

    id: str
    username: str
    password: str
    access_token: str
    refresh_token: str
    user: dict

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class Api:
    """A keep-alive HTTP session against one server. Failed calls raise with the response body
    unless ``expect`` names the status the caller wants to check itself."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        user: TestUser | None = None,
        *,
        expect: int | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if user is not None:
            headers.update(user.auth)
        response = self.session.request(
            method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
        )
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.text)
        elif response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response

    def json(self, method: str, path: str, user: TestUser | None = None, **kwargs: Any) -> Any:
        response = self.request(method, path, user, **kwargs)
        return response.json() if response.content else None

    def register(
        self, prefix: str = "user", password: str = PASSWORD, display_name: str | None = None
    ) -> TestUser:
        """A new user with a unique name (``prefix`` + process id + counter)."""
        username = f"{prefix}{os.getpid() % 100000}_{next(_counter)}"[:32]
        body = {"username": username, "password": password}
        if display_name:
            body["displayName"] = display_name
        data = self.json("POST", "/api/auth/register", json=body)
        return TestUser(
            data["user"]["id"],
            username,
            password,
            data["accessToken"],
            data["refreshToken"],
            data["user"],
        )

    def users(self, count: int, prefix: str = "user") -> list[TestUser]:
        return [self.register(prefix) for _ in range(count)]

    def direct(self, a: TestUser, b: TestUser) -> dict:
        return self.json(
            "POST", "/api/conversations", a, json={"type": "direct", "participantIds": [b.id]}
        )

    def group(self, owner: TestUser, members: list[TestUser], title: str = "Group") -> dict:
        return self.json(
            "POST",
            "/api/conversations",
            owner,
            json={"type": "group", "title": title, "participantIds": [m.id for m in members]},
        )

    def send(
        self, user: TestUser, conversation_id: str, content: str = "hello", **fields: Any
    ) -> dict:
        return self.json(
            "POST",
            f"/api/conversations/{conversation_id}/messages",
            user,
            json={"content": content, **fields},
        )

    def messages_after(
        self, user: TestUser, conversation_id: str, after_seq: int, limit: int = 100
    ) -> list[dict]:
        """Every message after ``after_seq``, oldest first, following ``nextCursor``."""
        items: list[dict] = []
        params: dict[str, Any] = {"afterSeq": after_seq, "limit": limit}
        while True:
            page = self.json(
                "GET", f"/api/conversations/{conversation_id}/messages", user, params=params
            )
            items.extend(page["items"])
            if not page["nextCursor"]:
                return items
            params = {"cursor": page["nextCursor"], "limit": limit}

    def close(self) -> None:
        self.session.close()
