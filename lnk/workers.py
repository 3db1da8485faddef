"""A bounded pool of native threads for work that would otherwise stall the event loop.

A server process is one gevent loop: while a request hashes a password, decodes an image, walks
a ZIP directory or runs a long SQLite query, no other request or socket of the process moves.
``WorkerPool.run(fn, *args)`` runs ``fn`` in one of ``threads`` native threads instead and lets
the calling greenlet wait cooperatively. argon2-cffi, Pillow, zlib and sqlite3 release the GIL
while they work, so the loop keeps serving.

The pool is bounded twice: ``threads`` tasks run at once and at most ``queue`` more wait for a
thread. A call beyond that raises ``Overloaded`` (503 with ``Retry-After``) at once instead of
waiting without limit.

Under gevent (the standard library monkey-patched) the threads are gevent's ``ThreadPool``, which
hands results back to the loop through an async watcher. Otherwise (threading mode, in-process
tests) a ``concurrent.futures.ThreadPoolExecutor`` does the same job. A call made from inside a
worker thread runs directly in that thread. Worker threads run at a lower scheduling priority
(nice 10) than the loop, so that on a busy core the loop still answers promptly.

Work given to the pool must not touch objects that belong to the loop: gevent locks (which is
what ``threading.Lock`` is after monkey-patching), sockets, the store's shared connection. Pass it
plain data and get plain data back.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lnk.errors import LnkError

T = TypeVar("T")

RETRY_AFTER_SECONDS = 2
WORKER_NICENESS = 10


class Overloaded(LnkError):
    code, status, title = "overloaded", 503, "Service Unavailable"


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a pinned dependency
        return False
    return bool(monkey.is_module_patched("threading"))


def _native_ident() -> int:
    """The OS thread's id, also when ``threading`` is patched (then ``get_ident`` names the
    greenlet)."""
    return threading.get_native_id()


class WorkerPool:
    def __init__(self, threads: int = 2, queue: int = 16) -> None:
        if threads < 1 or queue < 0:
            raise ValueError("a worker pool needs at least one thread and a queue of zero or more")
        self.threads = threads
        self.queue = queue
        self.pending = 0  # running + waiting for a thread
        self._count_lock = _native_lock()
        self._pool: Any = None
        self._gevent = _gevent_patched()
        self._worker_idents: set[int] = set()

    @property
    def capacity(self) -> int:
        return self.threads + self.queue

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker thread; its result or its exception.

        Raises ``Overloaded`` when ``threads`` tasks run and ``queue`` more are waiting."""
        if _native_ident() in self._worker_idents:
            return fn(*args, **kwargs)
        with self._count_lock:
            if self.pending >= self.capacity:
                raise Overloaded(
                    "the server is busy; try again shortly",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
            self.pending += 1
        try:
            task = self._task(fn)
            if self._gevent:
                ok, outcome = self._gevent_pool().apply(task, args, kwargs)
            else:
                ok, outcome = self._executor().submit(task, *args, **kwargs).result()
        finally:
            with self._count_lock:
                self.pending -= 1
        if not ok:
            raise outcome
        return outcome  # type: ignore[no-any-return]

    def _task(self, fn: Callable[..., T]) -> Callable[..., tuple[bool, Any]]:
        """``fn`` returning ``(True, result)`` or ``(False, exception)``: the exception is raised
        again in the caller, and the pool does not log it as a crash (a wrong password is not)."""

        def task(*args: Any, **kwargs: Any) -> tuple[bool, Any]:
            ident = _native_ident()
            if ident not in self._worker_idents:
                self._worker_idents.add(ident)
                _lower_priority(ident)
            try:
                return True, fn(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 - handed to the caller
                return False, error

        return task

    def _gevent_pool(self) -> Any:
        if self._pool is None:
            from gevent.threadpool import ThreadPool

            self._pool = ThreadPool(self.threads)
        return self._pool

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="lnk-worker")
        return self._pool  # type: ignore[no-any-return]

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if isinstance(pool, ThreadPoolExecutor):
            pool.shutdown(wait=False)
        else:
            pool.kill()


def _lower_priority(thread_id: int) -> None:
    """Worker threads yield the CPU to the loop: on one core, a thread at the same priority
    would get the CPU for whole scheduler slices while the loop's requests wait. Linux applies a
    nice value per thread (and to the threads a native library starts from it, like argon2's
    lanes); elsewhere this does nothing."""
    with contextlib.suppress(AttributeError, OSError):
        current = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, min(19, current + WORKER_NICENESS))


def _native_lock() -> Any:
    """A lock of the OS, not gevent's: held only around a counter update, never across a wait,
    and taken from worker threads as well as from the loop."""
    try:
        from gevent import monkey

        return monkey.get_original("threading", "Lock")()  # type: ignore[operator]
    except ImportError:  # pragma: no cover
        return threading.Lock()
