"""The outbox worker: one per server process, claiming due items and sending them.

Claims are compare-and-set writes in the store, so several processes never send one item twice;
a process that dies mid-send loses its lease and another process sends the item later (delivery is
at-least-once only across such a crash). Temporary failures are retried with exponential backoff;
after ``MAX_ATTEMPTS`` claims an item is given up as ``failed``.
"""

from __future__ import annotations

import logging
import os
import random
import uuid
from datetime import timedelta

from flask import Flask

from lnk.domain.notifications import (
    KIND_CONVERSATION,
    KIND_VERIFY_EMAIL,
    STATUS_CANCELLED,
    STATUS_FAILED,
    STATUS_SENT,
    OutboxItem,
)
from lnk.notify.mailer import DeliveryError, SmtpMailer
from lnk.notify.messages import digest_email, push_payload, verification_email
from lnk.notify.tokens import LinkTokens
from lnk.notify.webpush import WebPushSender
from lnk.services.context import ServiceContext
from lnk.services.notification_digests import compose
from lnk.services.notifications import PresenceProbe

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
BATCH = 20
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 15.0
BACKOFF_MAX_S = 3600.0


def backoff(attempts: int) -> timedelta:
    """15 s, 30 s, 1 min, ... at most an hour, with +-20 % jitter so retries do not bunch up."""
    seconds = min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_MAX_S)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


class OutboxWorker:
    def __init__(
        self,
        app: Flask,
        *,
        mailer: SmtpMailer | None,
        pusher: WebPushSender | None,
        presence: PresenceProbe,
        tokens: LinkTokens,
        base_url: str,
        sender: str,
    ) -> None:
        self.app = app
        self.ctx: ServiceContext = app.extensions["lnk"]
        self.mailer = mailer
        self.pusher = pusher
        self.presence = presence
        self.tokens = tokens
        self.base_url = base_url
        self.sender = sender
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def run_once(self) -> int:
        """Claims and handles the due items (one batch); returns how many were claimed."""
        now = self.ctx.clock.now()
        items = self.ctx.store.outbox.claim_due(now, self.worker_id, now + LEASE, BATCH)
        if not items:
            return 0
        with self.app.app_context():
            for item in items:
                self._handle(item)
        return len(items)

    def drain(self, max_rounds: int = 100) -> int:
        """Runs batches until nothing is due (tests and the CLI)."""
        total = 0
        for _ in range(max_rounds):
            claimed = self.run_once()
            if not claimed:
                break
            total += claimed
        return total

    def _handle(self, item: OutboxItem) -> None:
        outbox = self.ctx.store.outbox
        try:
            status = self._deliver(item)
        except DeliveryError as exc:
            self._failed(item, str(exc), temporary=exc.temporary)
            return
        except Exception as exc:  # a bug or a store hiccup: keep the item, try again later
            log.exception("notification %s could not be handled", item.id)
            self._failed(item, repr(exc), temporary=True)
            return
        outbox.finish(item.id, self.worker_id, status, self.ctx.clock.now())

    def _failed(self, item: OutboxItem, error: str, *, temporary: bool) -> None:
        now = self.ctx.clock.now()
        if temporary and item.attempts < MAX_ATTEMPTS:
            due = now + backoff(item.attempts)
            log.warning("notification %s failed (%s); retrying at %s", item.id, error, due)
            self.ctx.store.outbox.retry(item.id, self.worker_id, due, error[:500])
        else:
            log.error("notification %s failed for good: %s", item.id, error)
            self.ctx.store.outbox.finish(item.id, self.worker_id, STATUS_FAILED, now, error[:500])

    def _deliver(self, item: OutboxItem) -> str:
        if item.kind == KIND_VERIFY_EMAIL:
            return self._verify_email(item)
        if item.kind != KIND_CONVERSATION:
            return STATUS_CANCELLED
        if item.channel == "push" and self.presence.page_visible(item.user_id):
            return STATUS_CANCELLED  # the open page shows it already
        digest = compose(self.ctx, item)
        if digest is None:
            return STATUS_CANCELLED
        if item.channel == "email":
            if self.mailer is None:
                return STATUS_CANCELLED
            message = digest_email(
                digest, base_url=self.base_url, sender=self.sender, tokens=self.tokens
            )
            self.mailer.send(message)
            return STATUS_SENT
        if self.pusher is None:
            return STATUS_CANCELLED
        subscriptions = self.ctx.store.push_subscriptions.for_user(item.user_id)
        if not subscriptions:
            return STATUS_CANCELLED
        result = self.pusher.send(subscriptions, push_payload(digest))
        for endpoint in result.gone or []:
            self.ctx.store.push_subscriptions.remove_endpoint(endpoint)
        if result.delivered:
            return STATUS_SENT
        if result.temporary_error:
            raise DeliveryError(result.temporary_error, temporary=True)
        if result.permanent_error:
            raise DeliveryError(result.permanent_error, temporary=False)
        return STATUS_CANCELLED  # every subscription was gone

    def _verify_email(self, item: OutboxItem) -> str:
        email = item.payload.get("email")
        settings = self.ctx.store.notification_settings.get(item.user_id)
        user = self.ctx.store.users.get(item.user_id)
        if self.mailer is None or user is None or not email or settings.email != email:
            return STATUS_CANCELLED  # the address changed since
        if settings.email_verified:
            return STATUS_CANCELLED
        message = verification_email(
            user.id,
            user.display_name,
            email,
            base_url=self.base_url,
            sender=self.sender,
            tokens=self.tokens,
        )
        self.mailer.send(message)
        return STATUS_SENT
