"""Periodic background work of a server process: the offer and booking-request expiry sweep.

Runs as a Socket.IO background task (a greenlet under gevent, a thread otherwise). Every process
may run it: the sweep's compare-and-set writes make concurrent sweeps harmless.
"""

from __future__ import annotations

import logging

from flask import Flask

from lnk.extensions import socketio
from lnk.services.context import ServiceContext
from lnk.services.expiry import expire_due

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30


def start_jobs(app: Flask) -> None:
    """Starts the sweep, except under tests (they call ``expire_due`` themselves)."""
    if app.config["LNK_SETTINGS"].env == "testing":
        return
    ctx: ServiceContext = app.extensions["lnk"]

    def sweep_forever() -> None:
        while True:
            socketio.sleep(SWEEP_SECONDS)
            try:
                count = expire_due(ctx)
            except Exception:  # keep sweeping; a storage hiccup must not end the loop
                log.exception("expiry sweep failed")
                continue
            if count:
                log.info("expired %d offer(s) and booking request(s)", count)

    socketio.start_background_task(sweep_forever)
