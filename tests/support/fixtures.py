"""pytest fixtures over ``tests.support``: import the ones you need into a ``conftest.py``::

    from tests.support.fixtures import api, live_server, redis_server, socket_factory  # noqa: F401

``live_server`` is one gevent server per test module (fresh SQLite file); tests stay independent
by registering their own users. ``socket_factory(user)`` connects ``SocketClient``s that are all
closed after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.api import Api, TestUser
from tests.support.live_server import LiveServer
from tests.support.redis_server import RedisServer
from tests.support.sockets import SocketClient

# Short presence timings keep the tests quick; the contract's bounds still hold (grace <= 5 s).
LIVE_ENV = {"LNK_OFFLINE_GRACE": "1", "LNK_PRESENCE_TTL": "3"}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("live"), env=LIVE_ENV) as server:
        yield server


@pytest.fixture(scope="module")
def api(live_server: LiveServer) -> Iterator[Api]:
    client = Api(live_server.url)
    yield client
    client.close()


@pytest.fixture
def socket_factory(live_server: LiveServer) -> Iterator[Callable[..., SocketClient]]:
    """``socket_factory(user, url=None, connect=True)``: a connected SocketClient for ``user``."""
    clients: list[SocketClient] = []

    def make(user: TestUser, url: str | None = None, connect: bool = True) -> SocketClient:
        client = SocketClient(url or live_server.url, token=user.access_token)
        clients.append(client)
        return client.connect() if connect else client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if not RedisServer.available():
        pytest.fail("redis-server is not installed (scripts/test installs it)")
    with RedisServer() as server:
        yield server
