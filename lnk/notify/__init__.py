"""Offline notifications: email digests over SMTP and Web Push, sent from a durable outbox.

Modules: ``presence`` (what the realtime layer tells about who is online), ``tokens`` (signed
links), ``messages`` (mails from Jinja templates, push payloads), ``mailer`` (SMTP), ``vapid`` and
``webpush`` (Web Push), ``worker`` (the per-process outbox worker). The rules live in
``lnk.services.notifications`` and ``lnk.services.notification_digests``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cached_property

from flask import Flask

from lnk.config import Settings
from lnk.extensions import socketio
from lnk.notify.presence import RealtimePresence
from lnk.notify.tokens import LinkTokens

log = logging.getLogger(__name__)


class Notifications:
    """The per-app notification machinery (``app.extensions["lnk_notify"]``)."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.presence = RealtimePresence(app)
        self.tokens = LinkTokens(settings.jwt_secret)
        self.base_url = settings.public_url or f"http://localhost:{settings.port}"
        self._running = False

    @cached_property
    def vapid(self):
        from lnk.notify.vapid import load_vapid

        return load_vapid(self.settings.vapid_private_key, self.app.instance_path)

    @cached_property
    def application_server_key(self) -> str:
        from lnk.notify.vapid import application_server_key

        return application_server_key(self.vapid)

    @cached_property
    def worker(self):
        from lnk.notify.mailer import SmtpMailer
        from lnk.notify.webpush import WebPushSender
        from lnk.notify.worker import OutboxWorker

        return OutboxWorker(
            self.app,
            mailer=SmtpMailer(self.settings.smtp_url) if self.settings.smtp_url else None,
            pusher=WebPushSender(self.vapid, self.settings.vapid_subject),
            presence=self.presence,
            tokens=self.tokens,
            base_url=self.base_url,
            sender=self.settings.mail_from,
        )

    def start(self) -> None:
        """The background loop: a greenlet under gevent (its sockets are cooperative, so SMTP
        and push calls never block a request), a thread otherwise."""
        if self._running:
            return
        self._running = True
        worker = self.worker
        poll = self.settings.notify_poll_s

        def run_forever() -> None:
            while True:
                try:
                    worker.drain()
                except Exception:  # a storage hiccup must not end the loop
                    log.exception("notification worker round failed")
                socketio.sleep(poll)

        socketio.start_background_task(run_forever)


def init_notifications(app: Flask, settings: Settings) -> Notifications:
    from lnk.services.notifications import NotificationPlanner, NotifyPolicy

    if settings.smtp_url:
        from lnk.notify.mailer import SmtpConfig

        SmtpConfig.parse(settings.smtp_url)  # a malformed SMTP_URL fails at startup
    notifications = Notifications(app, settings)
    app.extensions["lnk_notify"] = notifications
    policy = NotifyPolicy(
        message_delay=timedelta(seconds=settings.notify_delay_s),
        deal_delay=timedelta(seconds=settings.notify_deal_delay_s),
        email_enabled=bool(settings.smtp_url),
    )
    ctx = app.extensions["lnk"]
    ctx.events.subscribe(NotificationPlanner(ctx, notifications.presence, policy))
    if settings.notify_worker:
        notifications.start()
    return notifications
