"""The storage contract of notifications: settings, push subscriptions and the durable outbox.

The outbox is claimed by compare-and-set: an item moves from ``pending``/``retry`` (due) or from an
expired ``sending`` lease to ``sending`` with the claimer's id in one atomic write, so that with
several processes exactly one worker holds it; only that worker may finish it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime

from lnk.domain.notifications import (
    NewNotification,
    NotificationSettings,
    OutboxItem,
    PushSubscription,
)


class NotificationSettingsRepository(ABC):
    @abstractmethod
    def get(self, user_id: str) -> NotificationSettings:
        """The user's settings; the defaults when it never changed them."""

    @abstractmethod
    def get_many(self, user_ids: Iterable[str]) -> dict[str, NotificationSettings]:
        """Settings of those users who have stored any (the others have the defaults)."""

    @abstractmethod
    def update(
        self, user_id: str, *, email_mode: str | None = None, push: bool | None = None
    ) -> NotificationSettings: ...

    @abstractmethod
    def set_email(self, user_id: str, email: str | None) -> NotificationSettings:
        """Sets (or clears) the address; a changed address is unverified."""

    @abstractmethod
    def verify_email(self, user_id: str, email: str) -> bool:
        """Marks the address verified if it is still the user's address; False otherwise."""


class PushSubscriptionRepository(ABC):
    @abstractmethod
    def add(
        self, user_id: str, endpoint: str, p256dh: str, auth: str, now: datetime
    ) -> PushSubscription:
        """Endpoints are unique: subscribing an endpoint again replaces its keys and owner."""

    @abstractmethod
    def remove(self, user_id: str, endpoint: str) -> bool:
        """Removes the user's subscription with this endpoint; False if there was none."""

    @abstractmethod
    def remove_endpoint(self, endpoint: str) -> bool:
        """Removes whoever's subscription with this endpoint (the push service said it is gone)."""

    @abstractmethod
    def for_user(self, user_id: str) -> list[PushSubscription]: ...

    @abstractmethod
    def subscribed(self, user_ids: Iterable[str]) -> set[str]:
        """Those of ``user_ids`` that have at least one subscription."""


class OutboxRepository(ABC):
    @abstractmethod
    def enqueue(self, items: Iterable[NewNotification], now: datetime) -> None:
        """Stores the items atomically; a conversation digest merges into the pending item of the
        same user, channel and conversation when there is one."""

    @abstractmethod
    def claim_due(
        self, now: datetime, worker_id: str, lease_until: datetime, limit: int
    ) -> list[OutboxItem]:
        """Claims up to ``limit`` items that are due (or whose claimer's lease ran out), earliest
        first; each item is returned to exactly one claimer. ``attempts`` counts the claims."""

    @abstractmethod
    def finish(
        self, item_id: str, worker_id: str, status: str, now: datetime, error: str | None = None
    ) -> bool:
        """Ends the claim: ``sent``, ``cancelled`` or ``failed``; False if the claim was lost."""

    @abstractmethod
    def retry(self, item_id: str, worker_id: str, due_at: datetime, error: str) -> bool:
        """Puts a claimed item back, due again at ``due_at``; False if the claim was lost."""

    @abstractmethod
    def purge_finished(self, before: datetime, limit: int) -> int:
        """Deletes up to ``limit`` items that ended (sent, cancelled or failed) before
        ``before``; returns how many went."""

    @abstractmethod
    def get(self, item_id: str) -> OutboxItem | None: ...

    @abstractmethod
    def for_user(self, user_id: str) -> list[OutboxItem]:
        """Every item of the user, oldest first (for tests and support)."""
