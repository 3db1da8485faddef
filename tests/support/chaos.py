"""Senders and watchers for message-queue fault tests and ``bench/chaos.py``.

A ``Watcher`` is one socket of a user that keeps every ``newMessage`` of a conversation, and that
answers ``resync`` the way a client must: it catches up with ``afterSeq`` from the last ``seq`` it
holds without a gap. ``Sender`` posts messages through the REST API of several processes in turn,
recording each answer's status and latency and the acknowledged messages.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from tests.support.api import Api, TestUser
from tests.support.sockets import SocketClient


@dataclass
class Tally:
    """What one watcher got of the acknowledged messages."""

    delivered: int  # arrived live
    recovered: int  # missed live, fetched after a resync
    lost: int  # neither
    resyncs: int
    out_of_order: int  # live arrivals with a smaller seq than one before (repeats excluded)


class Watcher:
    def __init__(self, api: Api, user: TestUser, url: str, conversation_id: str) -> None:
        self.api, self.user, self.url, self.cid = api, user, url, conversation_id
        self.name = f"{user.username}@{url.rsplit(':', 1)[1]}"
        self.client = SocketClient(url, user.access_token).connect()
        self.recovered: dict[str, int] = {}
        self._resyncs_answered = 0

    def live(self) -> dict[str, int]:
        """Message id -> seq of every ``newMessage`` of the conversation that arrived live."""
        return {
            d["message"]["id"]: d["message"]["seq"]
            for d in self.client.received("newMessage", lambda d: d["conversationId"] == self.cid)
        }

    def resyncs(self) -> list[dict]:
        return self.client.received("resync")

    def contiguous_seq(self) -> int:
        seqs = set(self.live().values()) | set(self.recovered.values())
        n = 0
        while n + 1 in seqs:
            n += 1
        return n

    def answer_resyncs(self) -> None:
        """Catches up once per ``resync`` received since the last call."""
        count = len(self.resyncs())
        if count == self._resyncs_answered:
            return
        self._resyncs_answered = count
        live = self.live()
        for message in self.api.messages_after(self.user, self.cid, self.contiguous_seq()):
            if message["id"] not in live:
                self.recovered[message["id"]] = message["seq"]

    def tally(self, acked: dict[str, int]) -> Tally:
        self.answer_resyncs()
        live = self.live()
        delivered = sum(1 for m in acked if m in live)
        recovered = sum(1 for m in acked if m not in live and m in self.recovered)
        seen: set[int] = set()
        out_of_order, highest = 0, 0
        for d in self.client.received("newMessage", lambda d: d["conversationId"] == self.cid):
            seq = d["message"]["seq"]
            if seq in seen:
                continue
            seen.add(seq)
            if seq < highest:
                out_of_order += 1
            highest = max(highest, seq)
        return Tally(
            delivered=delivered,
            recovered=recovered,
            lost=len(acked) - delivered - recovered,
            resyncs=len(self.resyncs()),
            out_of_order=out_of_order,
        )

    def has_all(self, acked: dict[str, int]) -> bool:
        self.answer_resyncs()
        live = self.live()
        return all(m in live or m in self.recovered for m in acked)

    def close(self) -> None:
        self.client.close()


@dataclass
class Sender:
    """Posts ``count`` messages, one every ``interval`` seconds, through ``urls`` in turn."""

    urls: list[str]
    user: TestUser
    conversation_id: str
    count: int
    interval: float = 0.02
    label: str = "m"
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)

    def run(self) -> Sender:
        sessions = [requests.Session() for _ in self.urls]
        headers = {"Authorization": f"Bearer {self.user.access_token}"}
        try:
            for i in range(self.count):
                index = i % len(self.urls)
                url = f"{self.urls[index]}/api/conversations/{self.conversation_id}/messages"
                started = time.perf_counter()
                try:
                    response = sessions[index].post(
                        url, json={"content": f"{self.label} {i}"}, headers=headers, timeout=30
                    )
                    status = response.status_code
                except requests.RequestException:
                    status = 0
                self.latencies.append(time.perf_counter() - started)
                self.statuses[status] += 1
                if status == 201:
                    body = response.json()
                    self.acked[body["id"]] = body["seq"]
                time.sleep(self.interval)
        finally:
            for session in sessions:
                session.close()
        return self

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread


def p99(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def wait_for_all(watchers: list[Watcher], acked: dict[str, int], timeout: float) -> bool:
    """Waits until every watcher holds every acknowledged message (live or by catch-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(w.has_all(acked) for w in watchers):
            return True
        time.sleep(0.1)
    return all(w.has_all(acked) for w in watchers)
