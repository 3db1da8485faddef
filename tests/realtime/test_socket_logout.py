"""Sockets end with their login: logout, logout everywhere and a password change close the
sockets opened with the revoked tokens (and only those), on every server process."""

from __future__ import annotations

import re

import pytest
import requests
import socketio

from tests.support.api import Api, TestUser
from tests.support.live_server import LiveServer
from tests.support.sockets import SocketClient

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def second_login(api: Api, user: TestUser) -> TestUser:
    """The same user signed in a second time (another device)."""
    data = api.json(
        "POST", "/api/auth/login", json={"username": user.username, "password": user.password}
    )
    return TestUser(
        user.id,
        user.username,
        user.password,
        data["accessToken"],
        data["refreshToken"],
        data["user"],
    )


def test_logout_closes_the_sockets_of_that_login_only(api, socket_factory):
    alice, bob = api.users(2, "out")
    cid = api.direct(alice, bob)["id"]
    phone = second_login(api, alice)
    laptop_socket = socket_factory(alice)
    phone_socket = socket_factory(phone)

    api.request("POST", "/api/auth/logout", alice, expect=204)
    reason = laptop_socket.wait_for("disconnect")
    assert reason == "server disconnect"  # the server closed it (no client reconnect)
    assert not laptop_socket.connected

    sent = api.send(bob, cid, "after logout")
    phone_socket.wait_for("newMessage", lambda d: d["message"]["id"] == sent["id"])
    assert not laptop_socket.received("newMessage")
    # and the revoked token cannot open a new socket
    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketClient(api.base_url, alice.access_token).connect(timeout=5)


def test_logout_all_closes_every_socket_of_the_user(api, socket_factory):
    carol, dave = api.users(2, "all")
    cid = api.direct(carol, dave)["id"]
    sockets = [socket_factory(carol), socket_factory(second_login(api, carol))]
    dave_socket = socket_factory(dave)
    api.request("POST", "/api/auth/logout-all", carol, expect=204)
    for client in sockets:
        client.wait_for("disconnect")
    sent = api.send(dave, cid, "anyone there?")
    dave_socket.wait_for("newMessage", lambda d: d["message"]["id"] == sent["id"])
    assert dave_socket.connected
    assert all(not c.received("newMessage") for c in sockets)


def test_a_password_change_closes_the_other_logins_sockets(api, socket_factory):
    erin = api.register("pw")
    other = second_login(api, erin)
    mine, theirs = socket_factory(erin), socket_factory(other)
    api.request(
        "PUT",
        "/api/users/me/password",
        erin,
        json={"currentPassword": erin.password, "newPassword": "brand-new-secret"},
        expect=204,
    )
    theirs.wait_for("disconnect")
    assert mine.call("getOnlineUsers", {"conversationId": "x" * 24})["ok"] is False
    assert mine.connected


def test_the_page_logout_closes_the_cookie_socket(api, live_server):
    frank = api.register("page")
    browser = requests.Session()
    page = browser.get(live_server.url + "/login")
    token = CSRF_FIELD.search(page.text).group(1)
    signed = browser.post(
        live_server.url + "/login",
        data={"username": frank.username, "password": frank.password, "csrf_token": token},
        allow_redirects=False,
    )
    assert signed.status_code == 302
    socket = SocketClient(
        live_server.url, cookies={"access_token_cookie": browser.cookies["access_token_cookie"]}
    ).connect()
    try:
        chat = browser.get(live_server.url + "/chat")
        token = CSRF_FIELD.search(chat.text).group(1)
        out = browser.post(
            live_server.url + "/logout", data={"csrf_token": token}, allow_redirects=False
        )
        assert out.status_code == 302
        socket.wait_for("disconnect")
    finally:
        socket.close()


@pytest.mark.slow
def test_logout_on_one_process_closes_the_socket_on_another(redis_server, tmp_path):
    shared = {
        "sqlite_path": tmp_path / "shared.sqlite3",
        "upload_dir": tmp_path / "uploads",
        "redis_url": redis_server.url,
    }
    with (
        LiveServer(tmp_path / "a", name="a", **shared) as a,
        LiveServer(tmp_path / "b", name="b", **shared) as b,
    ):
        api_a = Api(a.url)
        try:
            gina, hank = api_a.users(2, "cluster")
            cid = api_a.direct(gina, hank)["id"]
            on_b = SocketClient(b.url, gina.access_token).connect()
            also_on_b = SocketClient(b.url, second_login(api_a, gina).access_token).connect()
            try:
                api_a.request("POST", "/api/auth/logout", gina, expect=204)
                on_b.wait_for("disconnect")
                sent = api_a.send(hank, cid, "still here?")
                also_on_b.wait_for("newMessage", lambda d: d["message"]["id"] == sent["id"])
                assert not on_b.received("newMessage")
            finally:
                on_b.close()
                also_on_b.close()
        finally:
            api_a.close()
