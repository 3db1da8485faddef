"""Periodic background work of a server process: the offer and booking-request expiry sweep,
and (every ``UPLOAD_SWEEP_EVERY`` rounds) the removal of uploads never attached to a message and
of revocations and logins whose tokens have expired anyway, and of notification outbox items
that ended more than two weeks ago.

Runs as a Socket.IO background task (a greenlet under gevent, a thread otherwise). Every process
may run it: the sweep's compare-and-set writes make concurrent sweeps harmless.
"""

from __future__ import annotations

import logging

from flask import Flask

from lnk.extensions import socketio
from lnk.services import files, notifications, sessions
from lnk.services.context import ServiceContext
from lnk.services.expiry import expire_due

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30
UPLOAD_SWEEP_EVERY = 20  # rounds: every 10 minutes


def start_jobs(app: Flask) -> None:
    """Starts the sweeps, except under tests (they call ``expire_due`` and
    ``files.remove_unattached`` themselves)."""
    if app.config["LNK_SETTINGS"].env == "testing":
        return
    ctx: ServiceContext = app.extensions["lnk"]

    def sweep_forever() -> None:
        rounds = 0
        while True:
            socketio.sleep(SWEEP_SECONDS)
            rounds += 1
            try:
                count = expire_due(ctx)
                if count:
                    log.info("expired %d offer(s) and booking request(s)", count)
                if rounds % UPLOAD_SWEEP_EVERY == 0:
                    removed = files.remove_unattached(ctx)
                    if removed:
                        log.info("removed %d upload(s) never attached to a message", removed)
                    sessions.forget_expired(ctx)
                    notifications.purge_finished(ctx)
            except Exception:  # keep sweeping; a storage hiccup must not end the loop
                log.exception("background sweep failed")

    socketio.start_background_task(sweep_forever)
