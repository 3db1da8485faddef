"""``SocketClient``: a real python-socketio client of the ``/messaging`` namespace."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

NAMESPACE = "/messaging"

Predicate = Callable[[Any], bool]


class SocketClient:
    """Connects with an access token (``auth: {token}``) or with cookies, records every server
    event in order, and offers waits and acknowledged calls::

        client = SocketClient(server.url, token=user.access_token).connect()
        client.call("joinConversation", {"conversationId": cid})   # -> the ack
        message = client.wait_for("newMessage", lambda d: d["message"]["content"] == "hi")
        client.close()
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        cookies: dict[str, str] | None = None,
        transports: tuple[str, ...] = ("websocket",),
        auth: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.cookies = cookies or {}
        self.headers = headers or {}
        self.transports = list(transports)
        self.auth = auth if auth is not None else ({"token": token} if token else None)
        self.events: list[tuple[str, Any]] = []
        self.connect_errors: list[Any] = []
        self._changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace=NAMESPACE)
        self.sio.on("connect_error", self._connect_error, namespace=NAMESPACE)
        # recorded as the event "disconnect", so that ``wait_for("disconnect")`` works
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)

    def _record(self, event: str, data: Any = None, *_: Any) -> None:
        with self._changed:
            self.events.append((event, data))
            self._changed.notify_all()

    def _disconnected(self, reason: Any = None) -> None:
        self._record("disconnect", reason)

    def _connect_error(self, data: Any = None) -> None:
        with self._changed:
            self.connect_errors.append(data)
            self._changed.notify_all()

    def connect(self, timeout: float = 10.0) -> SocketClient:
        """Connects and waits for ``connectionStatus``. A refusal raises
        ``socketio.exceptions.ConnectionError``; ``connect_errors`` then holds the reason."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.sio.connect(
            self.base_url,
            namespaces=[NAMESPACE],
            auth=self.auth,
            headers=headers,
            transports=self.transports,
            wait_timeout=timeout,
        )
        self.wait_for("connectionStatus", timeout=timeout)
        return self

    @property
    def connected(self) -> bool:
        return self.sio.connected and NAMESPACE in self.sio.namespaces

    @property
    def sid(self) -> str | None:
        return self.sio.get_sid(NAMESPACE)

    def call(self, event: str, data: Any = None, timeout: float = 10.0) -> Any:
        """Emits a client event and returns its acknowledgement."""
        return self.sio.call(event, data, namespace=NAMESPACE, timeout=timeout)

    def received(self, event: str, predicate: Predicate | None = None) -> list[Any]:
        with self._changed:
            return [d for e, d in self.events if e == event and (predicate is None or predicate(d))]

    def wait_for(
        self, event: str, predicate: Predicate | None = None, timeout: float = 10.0, count: int = 1
    ) -> Any:
        """Waits until ``count`` matching events arrived; returns the last of those."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    d for e, d in self.events if e == event and (predicate is None or predicate(d))
                ]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [e for e, _ in self.events]
                    raise TimeoutError(f"no {event} ({count}) within {timeout} s; got {seen}")
                self._changed.wait(left)

    def assert_none(
        self, event: str, predicate: Predicate | None = None, within: float = 0.5
    ) -> None:
        """Asserts that no matching event arrives (waiting ``within`` seconds first)."""
        time.sleep(within)
        found = self.received(event, predicate)
        assert not found, f"unexpected {event}: {found}"

    def clear(self) -> None:
        with self._changed:
            self.events.clear()

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    def __enter__(self) -> SocketClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()
