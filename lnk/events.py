"""The one dispatcher through which domain events travel from services to subscribers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from lnk.domain.events import DomainEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]

# Events published inside a unit of work wait here (per greenlet) until it commits.
_held: ContextVar[list[DomainEvent] | None] = ContextVar("lnk_held_events", default=None)


class EventBus:
    """Synchronous publish/subscribe. Events published while a unit of work runs (``held``)
    are delivered only after it commits, and dropped if it rolls back."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    @staticmethod
    def holding() -> bool:
        return _held.get() is not None

    @contextmanager
    def held(self) -> Iterator[list[DomainEvent]]:
        """Collects what is published in the block (in this greenlet) instead of delivering it;
        the caller delivers the list with ``publish`` once the unit has committed."""
        pending: list[DomainEvent] = []
        token = _held.set(pending)
        try:
            yield pending
        finally:
            _held.reset(token)

    def publish(self, events: Iterable[DomainEvent]) -> None:
        pending = _held.get()
        if pending is not None:
            pending.extend(events)
            return
        self._deliver(list(events))

    def _deliver(self, events: list[DomainEvent]) -> None:
        for event in events:
            for handler in self._handlers:
                try:
                    handler(event)
                except Exception:  # a broken subscriber must not undo a committed write
                    log.exception("event handler failed for %r", type(event).__name__)


class RecordingBus(EventBus):
    """An EventBus that also keeps what was published (tests assert on it)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[DomainEvent] = []

    def _deliver(self, events: list[DomainEvent]) -> None:
        self.events.extend(events)
        super()._deliver(events)

    def of_type(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        self.events.clear()
