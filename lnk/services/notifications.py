"""Notification rules: a user's address and choices, browser push subscriptions, and which events
put what into the outbox for whom.

A message or a deal becomes a notification for a recipient only if none of the recipient's sockets
was connected when it arrived; the outbox then waits ``message_delay`` (chat) or ``deal_delay``
(offers, booking requests and their state changes) before the worker composes and sends it
(``notification_digests``). Muted conversations and read messages are checked at sending time.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from lnk.domain.events import DomainEvent, MessageSent, MessageUpdated
from lnk.domain.models import Message, User
from lnk.domain.notifications import (
    EMAIL_MAX_LENGTH,
    EMAIL_MODES,
    EMAIL_PATTERN,
    KIND_CONVERSATION,
    KIND_VERIFY_EMAIL,
    REASON_DEAL,
    REASON_DEAL_UPDATE,
    REASON_MESSAGE,
    NewNotification,
    NotificationSettings,
    OutboxEntry,
    PushSubscription,
)
from lnk.errors import ValidationFailed
from lnk.services.context import ServiceContext, unit_of_work

# A pragmatic address check (one @, a dotted domain, no spaces); the verification mail proves it.
_EMAIL = re.compile(EMAIL_PATTERN)
DEAL_TYPES = ("service_offer", "booking_request")


class PresenceProbe(Protocol):
    """What notifications need to know of presence (the realtime layer answers)."""

    def connected(self, user_ids: Iterable[str]) -> set[str]:
        """Those of ``user_ids`` that have a connected socket now."""
        ...

    def page_visible(self, user_id: str) -> bool:
        """Whether a page of the user is open and visible now."""
        ...


@dataclass(frozen=True)
class NotifyPolicy:
    message_delay: timedelta = timedelta(seconds=300)
    deal_delay: timedelta = timedelta(seconds=60)
    email_enabled: bool = False  # SMTP is configured


# --- the user's choices -------------------------------------------------------------------------


def get_settings(ctx: ServiceContext, user: User) -> NotificationSettings:
    return ctx.store.notification_settings.get(user.id)


def update_settings(
    ctx: ServiceContext, user: User, *, email_mode: str | None = None, push: bool | None = None
) -> NotificationSettings:
    if email_mode is not None and email_mode not in EMAIL_MODES:
        raise ValidationFailed.field("email", "must be all, deals or off")
    return ctx.store.notification_settings.update(user.id, email_mode=email_mode, push=push)


def normalise_email(email: str) -> str:
    email = email.strip()
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        raise ValidationFailed.field("email", "is not an email address")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@unit_of_work
def set_email(ctx: ServiceContext, user: User, email: str | None) -> NotificationSettings:
    """Sets (``None`` or ``""`` clears) the address; a new address gets a verification mail
    through the outbox (in the same unit of work), so the request does not wait on SMTP."""
    address = normalise_email(email) if email else None
    before = ctx.store.notification_settings.get(user.id)
    settings = ctx.store.notification_settings.set_email(user.id, address)
    if address is not None and (before.email != address or not before.email_verified):
        now = ctx.clock.now()
        ctx.store.outbox.enqueue(
            [
                NewNotification(
                    kind=KIND_VERIFY_EMAIL,
                    channel="email",
                    user_id=user.id,
                    due_at=now,
                    payload={"email": address},
                )
            ],
            now,
        )
    return settings


def verify_email(ctx: ServiceContext, user_id: str, email: str) -> bool:
    """Called with the (user, address) of a valid verification link."""
    return ctx.store.notification_settings.verify_email(user_id, email)


def unsubscribe_email(ctx: ServiceContext, user_id: str) -> None:
    """One-click unsubscribe from a notification mail: no more notification mail."""
    if ctx.store.users.get(user_id) is not None:
        ctx.store.notification_settings.update(user_id, email_mode="off")


# The browsers' push services. The server POSTs to subscription endpoints, so any other host
# (an internal address, say) is refused unless the operator adds it (LNK_PUSH_HOSTS).
PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "jmt17.google.com",  # Chromium's endpoint for subscriptions made with a VAPID key
    "android.googleapis.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
)


def push_endpoint_allowed(endpoint: str, extra_hosts: Iterable[str] = ()) -> bool:
    """An https URL on a known push service, or on a host the operator listed (which may also
    be plain http: a local push service in development and tests)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if host in {h.lower() for h in extra_hosts}:
        return parts.scheme in ("https", "http")
    known = any(host == h or host.endswith("." + h) for h in PUSH_SERVICE_HOSTS)
    return parts.scheme == "https" and known


def add_push_subscription(
    ctx: ServiceContext,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    extra_hosts: Iterable[str] = (),
) -> PushSubscription:
    if not push_endpoint_allowed(endpoint, extra_hosts):
        raise ValidationFailed.field("endpoint", "must be an https URL of a browser push service")
    if len(_b64url(p256dh)) != 65 or _b64url(p256dh)[:1] != b"\x04":
        raise ValidationFailed.field("keys.p256dh", "must be an uncompressed P-256 public key")
    if len(_b64url(auth)) != 16:
        raise ValidationFailed.field("keys.auth", "must be a 16-byte secret")
    return ctx.store.push_subscriptions.add(user.id, endpoint, p256dh, auth, ctx.clock.now())


def _b64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return b""


def remove_push_subscription(ctx: ServiceContext, user: User, endpoint: str) -> bool:
    return ctx.store.push_subscriptions.remove(user.id, endpoint)


# --- from events to the outbox -------------------------------------------------------------------


def plan(
    ctx: ServiceContext, event: DomainEvent, presence: PresenceProbe, policy: NotifyPolicy
) -> list[NewNotification]:
    """The outbox items an event causes (nothing for users with a socket connected now)."""
    if isinstance(event, MessageSent):
        message = event.message
        if message.type == "system":
            return []
        recipients = [u for u in event.audience if u != message.sender_id]
        reason = REASON_DEAL if message.type in DEAL_TYPES else REASON_MESSAGE
    elif isinstance(event, MessageUpdated) and event.action in ("offer", "booking"):
        message = event.message
        recipients = deal_update_recipients(message, event.audience)
        reason = REASON_DEAL_UPDATE
    else:
        return []
    if not recipients:
        return []
    online = presence.connected(recipients)
    offline = [u for u in dict.fromkeys(recipients) if u not in online]
    if not offline:
        return []
    return _items_for(ctx, offline, message, reason, policy)


def deal_update_recipients(message: Message, audience: Iterable[str]) -> list[str]:
    """Who did not cause a deal's state change: the sender of an offer or request hears of
    acceptance, confirmation and declines; the other side hears of withdrawals and
    cancellations; both hear that it expired."""
    deal = message.service_offer or message.booking_request
    if deal is None:
        return []
    others = [u for u in audience if u != message.sender_id]
    if deal.status in ("accepted", "confirmed", "declined"):
        return [message.sender_id]
    if deal.status in ("withdrawn", "cancelled"):
        return others
    if deal.status == "expired":
        return [message.sender_id, *others]
    return []


def wants_email(settings: NotificationSettings, reason: str) -> bool:
    if not settings.email or not settings.email_verified or settings.email_mode == "off":
        return False
    return settings.email_mode == "all" or reason != REASON_MESSAGE


def _items_for(
    ctx: ServiceContext,
    user_ids: list[str],
    message: Message,
    reason: str,
    policy: NotifyPolicy,
) -> list[NewNotification]:
    store = ctx.store
    settings = store.notification_settings.get_many(user_ids)
    subscribed = store.push_subscriptions.subscribed(user_ids)
    delay = policy.message_delay if reason == REASON_MESSAGE else policy.deal_delay
    due_at = ctx.clock.now() + delay
    entry = (OutboxEntry(message.id, reason),)
    items = []
    for user_id in user_ids:
        choice = settings.get(user_id) or NotificationSettings(user_id)
        channels = []
        if policy.email_enabled and wants_email(choice, reason):
            channels.append("email")
        if choice.push and user_id in subscribed:
            channels.append("push")
        items.extend(
            NewNotification(
                kind=KIND_CONVERSATION,
                channel=channel,
                user_id=user_id,
                conversation_id=message.conversation_id,
                due_at=due_at,
                entries=entry,
            )
            for channel in channels
        )
    return items


class NotificationPlanner:
    """Subscribes to the event bus; writes what ``plan`` decides into the outbox (a quick store
    write after the message's own write committed; the sending happens in the worker)."""

    def __init__(self, ctx: ServiceContext, presence: PresenceProbe, policy: NotifyPolicy):
        self.ctx = ctx
        self.presence = presence
        self.policy = policy

    def __call__(self, event: DomainEvent) -> None:
        items = plan(self.ctx, event, self.presence, self.policy)
        if items:
            self.ctx.store.outbox.enqueue(items, self.ctx.clock.now())


# --- retention ----------------------------------------------------------------------------------

# Ended outbox items are kept this long for support questions ("was I e-mailed?"), then deleted.
OUTBOX_RETENTION = timedelta(days=14)
PURGE_BATCH = 1000


def purge_finished(ctx: ServiceContext, *, max_batches: int = 20) -> int:
    """Deletes outbox items that ended more than ``OUTBOX_RETENTION`` ago, in bounded batches (a
    periodic job: one call never holds the store for long); returns how many went."""
    before = ctx.clock.now() - OUTBOX_RETENTION
    total = 0
    for _ in range(max_batches):
        removed = ctx.store.outbox.purge_finished(before, PURGE_BATCH)
        total += removed
        if removed < PURGE_BATCH:
            break
    return total
