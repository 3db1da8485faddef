"""The one dispatcher through which domain events travel from services to subscribers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from lnk.domain.events import DomainEvent

log = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]


class EventBus:
    """Synchronous publish/subscribe. Services publish only after their write has committed."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def publish(self, events: Iterable[DomainEvent]) -> None:
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

    def publish(self, events: Iterable[DomainEvent]) -> None:
        events = list(events)
        self.events.extend(events)
        super().publish(events)

    def of_type(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        self.events.clear()
