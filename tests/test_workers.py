"""The worker pool: work runs on another native thread, and a full pool refuses at once (503
``overloaded`` with ``Retry-After``) instead of queueing without limit. Password hashing and
verification run there, so a login never computes argon2 on the request's own thread."""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from lnk.workers import Overloaded, WorkerPool


def test_work_runs_on_another_thread_and_returns_its_result_or_raises_its_error() -> None:
    pool = WorkerPool(threads=2, queue=0)
    try:
        assert pool.run(threading.get_native_id) != threading.get_native_id()
        assert pool.run(sum, [1, 2, 3]) == 6
        with pytest.raises(ZeroDivisionError):
            pool.run(lambda: 1 / 0)
        assert pool.pending == 0
    finally:
        pool.close()


def _occupy(pool: WorkerPool, count: int) -> tuple[threading.Event, list[threading.Thread]]:
    """``count`` tasks that hold their slot until the returned event is set."""
    release, started = threading.Event(), threading.Semaphore(0)

    def hold() -> None:
        started.release()
        release.wait(10)

    callers = [threading.Thread(target=pool.run, args=(hold,)) for _ in range(count)]
    for caller in callers:
        caller.start()
    for _ in range(min(count, pool.threads)):
        assert started.acquire(timeout=10)
    return release, callers


def test_a_full_pool_refuses_with_overloaded_and_retry_after_then_recovers() -> None:
    pool = WorkerPool(threads=1, queue=1)
    release, callers = _occupy(pool, 2)  # one running, one waiting
    try:
        for _ in range(1000):  # until the waiting caller has counted itself
            if pool.pending == 2:
                break
            threading.Event().wait(0.005)
        with pytest.raises(Overloaded) as refused:
            pool.run(int, "1")
        assert refused.value.status == 503 and refused.value.code == "overloaded"
        assert int(refused.value.headers["Retry-After"]) >= 1
    finally:
        release.set()
        for caller in callers:
            caller.join(10)
    assert pool.run(int, "7") == 7 and pool.pending == 0
    pool.close()


class RecordingHasher(PasswordHasher):
    """The cheapest argon2 parameters, noting which OS thread did the work."""

    def __init__(self) -> None:
        params = CHEAPEST
        super().__init__(
            params.time_cost,
            params.memory_cost,
            params.parallelism,
            params.hash_len,
            params.salt_len,
        )
        self.threads: list[int] = []
        self.hold: threading.Event | None = None
        self.holding = threading.Event()

    def hash(self, password, *, salt=None):  # type: ignore[no-untyped-def]
        self.threads.append(threading.get_native_id())
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # type: ignore[no-untyped-def]  # noqa: A002
        self.threads.append(threading.get_native_id())
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(10)
        return super().verify(hash, password)


def test_password_hashing_and_verification_run_off_the_request_thread(client, ctx) -> None:
    ctx.hasher = RecordingHasher()
    request_thread = threading.get_native_id()
    registered = client.post(
        "/api/auth/register", json={"username": "hasher", "password": "correct-horse-1"}
    )
    assert registered.status_code == 201
    for password, status in (("correct-horse-1", 200), ("wrong-horse-11", 401)):
        login = client.post("/api/auth/login", json={"username": "hasher", "password": password})
        assert login.status_code == status
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 10})
    assert unknown.status_code == 401
    assert len(ctx.hasher.threads) >= 4
    assert request_thread not in ctx.hasher.threads


def test_logins_beyond_the_pool_get_503_overloaded_and_change_nothing(app, client, ctx) -> None:
    ctx.hasher = RecordingHasher()
    assert (
        client.post(
            "/api/auth/register", json={"username": "busy", "password": "correct-horse-1"}
        ).status_code
        == 201
    )
    ctx.workers = WorkerPool(threads=1, queue=0)
    ctx.hasher.hold = threading.Event()
    first: dict = {}

    def log_in() -> None:
        with app.test_client() as other:
            first["response"] = other.post(
                "/api/auth/login", json={"username": "busy", "password": "correct-horse-1"}
            )

    holder = threading.Thread(target=log_in)
    holder.start()
    try:
        assert ctx.hasher.holding.wait(10)
        refused = client.post(
            "/api/auth/login", json={"username": "busy", "password": "correct-horse-1"}
        )
        assert refused.status_code == 503
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["code"] == "overloaded"
        assert int(refused.headers["Retry-After"]) >= 1
        signup = client.post(
            "/api/auth/register", json={"username": "later", "password": "correct-horse-1"}
        )
        assert signup.status_code == 503
    finally:
        ctx.hasher.hold.set()
        holder.join(10)
    assert first["response"].status_code == 200
    assert ctx.store.users.get_by_username("later") is None
    ctx.hasher.hold = None
    retry = client.post(
        "/api/auth/register", json={"username": "later", "password": "correct-horse-1"}
    )
    assert retry.status_code == 201
    ctx.workers.close()


def test_worker_threads_run_at_a_lower_priority_than_the_loop() -> None:
    import os

    pool = WorkerPool(threads=1, queue=0)
    try:
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        theirs = pool.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        assert theirs == min(19, mine + 10)
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine
    finally:
        pool.close()
