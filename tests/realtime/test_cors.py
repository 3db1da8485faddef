"""Other origins: with ``LNK_CORS_ORIGINS`` a page on a listed origin may call /api (preflight
included, no credentials) and open the socket; any other origin may do neither. Without the
setting, only the server's own origin may."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import socketio

from tests.support.api import Api
from tests.support.live_server import LiveServer
from tests.support.sockets import SocketClient

ALLOWED = "https://app.example.test"
OTHER = "https://evil.example.test"


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory) -> Iterator[LiveServer]:
    env = {"LNK_CORS_ORIGINS": f"{ALLOWED}, http://localhost:5173"}
    with LiveServer(tmp_path_factory.mktemp("cors"), env=env, name="cors") as server:
        yield server


def preflight(server: LiveServer, origin: str) -> requests.Response:
    return requests.options(
        server.url + "/api/conversations",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )


def socket(server: LiveServer, token: str, origin: str) -> SocketClient:
    """A client whose requests carry ``Origin`` as a browser's would. Long-polling, which is how
    socket.io-client starts (websocket-client would send a second Origin header of its own)."""
    return SocketClient(
        server.url, token=token, headers={"Origin": origin}, transports=("polling",)
    )


def assert_refused(server: LiveServer, token: str, origin: str) -> None:
    """The Engine.IO handshake a browser starts with (long-polling) is refused."""
    refused = socket(server, token, origin)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(timeout=5)
    assert not refused.connected
    refused.close()
    handshake = requests.get(
        server.url + "/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=10,
    )
    assert handshake.status_code == 400


def test_a_listed_origin_passes_the_preflight_and_reads_responses(cors_server):
    response = preflight(cors_server, ALLOWED)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "Access-Control-Allow-Credentials" not in response.headers
    api = Api(cors_server.url)
    user = api.register("cors")
    me = api.request("GET", "/api/users/me", user, headers={"Origin": ALLOWED})
    assert me.headers["Access-Control-Allow-Origin"] == ALLOWED
    denied = api.request("GET", "/api/users/me", headers={"Origin": ALLOWED}, expect=401)
    assert denied.headers["Access-Control-Allow-Origin"] == ALLOWED  # errors are readable too
    assert "Retry-After" in denied.headers["Access-Control-Expose-Headers"]
    api.close()


def test_another_origin_gets_no_cors_grant(cors_server):
    response = preflight(cors_server, OTHER)
    assert "Access-Control-Allow-Origin" not in response.headers
    page = requests.get(cors_server.url + "/login", headers={"Origin": ALLOWED}, timeout=10)
    assert "Access-Control-Allow-Origin" not in page.headers  # pages stay same-origin


def test_sockets_connect_from_listed_and_own_origins_only(cors_server):
    user = Api(cors_server.url).register("sock")
    for origin in (ALLOWED, cors_server.url):
        client = socket(cors_server, user.access_token, origin).connect()
        assert client.connected
        assert client.call("getOnlineUsers", {"conversationId": "0" * 24})["ok"] is False
        client.close()
    assert_refused(cors_server, user.access_token, OTHER)


def test_without_the_setting_only_the_own_origin_is_allowed(live_server):
    response = preflight(live_server, ALLOWED)
    assert "Access-Control-Allow-Origin" not in response.headers
    user = Api(live_server.url).register("same")
    own = socket(live_server, user.access_token, live_server.url).connect()
    assert own.connected
    own.close()
    assert_refused(live_server, user.access_token, ALLOWED)
