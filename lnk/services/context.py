"""What every service function receives: the store, the event bus, the clock and the rules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Concatenate, ParamSpec, TypeVar

from argon2 import PasswordHasher

from lnk.clock import Clock
from lnk.errors import LnkError
from lnk.events import EventBus
from lnk.store.base import Store
from lnk.workers import WorkerPool

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Rules:
    edit_window: timedelta = timedelta(hours=24)
    max_group_participants: int = 256
    max_content_chars: int = 4000
    offer_default_hours: int = 48
    offer_max_hours: int = 720
    booking_request_ttl: timedelta = timedelta(hours=24)
    booking_horizon: timedelta = timedelta(days=730)  # how far ahead a request may ask
    max_attachments: int = 10
    upload_quota_bytes: int = 1 << 30  # what one user may keep stored (LNK_UPLOAD_QUOTA_BYTES)
    unattached_upload_ttl: timedelta = timedelta(hours=24)
    max_read_ids: int = 500  # message ids in one mark-read
    login_ttl: timedelta = timedelta(days=30)  # the refresh token's lifetime
    report_hide_threshold: int = 3  # reporters who hide a message pending review


@dataclass
class ServiceContext:
    store: Store
    events: EventBus
    clock: Clock = field(default_factory=Clock)
    rules: Rules = field(default_factory=Rules)
    # Argon2id, RFC 9106 low-memory profile; test apps pass argon2.profiles.CHEAPEST for speed.
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    # CPU-heavy work runs here, off the event loop (see lnk/workers.py)
    workers: WorkerPool = field(default_factory=WorkerPool)
    # Signs conversation transcripts (see lnk/services/transcripts.py).
    transcript_key: bytes = b"lnk-development-transcript-key"

    @cached_property
    def dummy_password_hash(self) -> str:
        """Verified against when a username is unknown, so both login failures cost the same."""
        return self.hasher.hash("lnk-timing-equaliser")

    def run_in_unit(self, fn: Callable[[], T]) -> T:
        """Runs ``fn`` as one unit of work of the store; the events it publishes are delivered
        after the unit commits (none if it fails). A unit inside a unit joins it."""
        if self.events.holding():
            return self.store.run_in_unit(fn)
        refusal: list[LnkError] = []
        with self.events.held() as pending:

            def attempt() -> T | None:
                pending.clear()  # a unit run again starts with no events
                refusal.clear()
                try:
                    return fn()
                except LnkError as exc:
                    if not exc.keeps_writes:
                        raise
                    refusal.append(exc)  # commit, then refuse
                    return None

            result = self.store.run_in_unit(attempt)
        self.events.publish(pending)
        if refusal:
            raise refusal[0]
        return result  # type: ignore[return-value]


def unit_of_work(
    fn: Callable[Concatenate[ServiceContext, P], T],
) -> Callable[Concatenate[ServiceContext, P], T]:
    """Makes a service function one unit of work: every write it makes commits together, and
    its events go out only after the commit."""

    @functools.wraps(fn)
    def run(ctx: ServiceContext, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return ctx.run_in_unit(lambda: fn(ctx, *args, **kwargs))

    return run
