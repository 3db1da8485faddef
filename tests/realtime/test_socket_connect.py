"""Connecting to /messaging: who is let in, and what a socket hears first."""

from __future__ import annotations

import re

import pytest
import socketio

from tests.support.sockets import SocketClient

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def refused(url: str, **kwargs) -> dict:
    client = SocketClient(url, **kwargs)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(timeout=5)
    client.close()
    assert client.connect_errors, "no connect_error received"
    return client.connect_errors[0]


def test_token_in_auth_connects_and_gets_connection_status(api, socket_factory):
    alice = api.register("alice")
    client = socket_factory(alice)
    status = client.received("connectionStatus")
    assert len(status) == 1
    assert status[0]["status"] == "connected"
    assert status[0]["userId"] == alice.id
    assert ISO.match(status[0]["serverTime"])


def test_access_token_cookie_connects_over_polling_too(api, live_server):
    alice = api.register("alice")
    client = SocketClient(
        live_server.url,
        cookies={"access_token_cookie": alice.access_token},
        transports=("polling",),
    )
    try:
        client.connect()
        assert client.received("connectionStatus")[0]["userId"] == alice.id
        assert client.sio.transport() == "polling"
    finally:
        client.close()


@pytest.mark.parametrize(
    "auth", [None, {}, {"token": ""}, {"token": "not-a-jwt"}, "a string", {"token": 42}]
)
def test_missing_or_malformed_token_is_refused_unauthorized(live_server, auth):
    error = refused(live_server.url, auth=auth if auth is not None else {})
    assert error["message"] == "unauthorized"


def test_refresh_token_is_refused(api, live_server):
    alice = api.register("alice")
    assert refused(live_server.url, token=alice.refresh_token)["message"] == "unauthorized"


def test_revoked_token_is_refused(api, live_server):
    alice = api.register("alice")
    api.request("POST", "/api/auth/logout", alice, json={}, expect=204)
    assert refused(live_server.url, token=alice.access_token)["message"] == "unauthorized"


def test_token_signed_with_another_secret_is_refused(live_server):
    import jwt

    forged = jwt.encode(
        {"sub": "0" * 24, "type": "access", "jti": "x", "exp": 4102444800},
        "another-secret-that-is-long-enough-0123456789",
        algorithm="HS256",
    )
    assert refused(live_server.url, token=forged)["message"] == "unauthorized"


def test_suspended_user_is_refused(api, live_server):
    from lnk.store.sqlite import SqliteStore

    mallory = api.register("mallory")
    store = SqliteStore(str(live_server.sqlite_path), upload_dir=str(live_server.upload_dir))
    try:
        store.users.update(mallory.id, suspended=True)
    finally:
        store.close()
    error = refused(live_server.url, token=mallory.access_token)
    assert error["message"] == "unauthorized"
    assert error["data"]["code"] == "forbidden"
