"""Realtime: the /messaging Socket.IO namespace, presence, typing and the event broadcaster.

Modules: ``namespace`` (client events), ``broadcaster`` (domain events to emits), ``hub`` (the
per-app state and upkeep), ``queue`` (the Socket.IO client managers: outbox, listener, resync),
``ordering`` (seq order per conversation), ``presence`` and ``redis_presence``, ``stalls``
(cutting off clients that stopped reading), ``typing``, ``ratelimit``, ``auth`` (socket
authentication) and ``server`` (the gevent runner with TCP_NODELAY and GC tuning).
"""

from __future__ import annotations

import logging
import sys

from flask import Flask

from lnk.config import Settings
from lnk.extensions import socketio

log = logging.getLogger(__name__)

# Socket.IO's own default; a client event above MAX_PAYLOAD_BYTES but below this gets an error ack.
ENGINE_MAX_PAYLOAD = 1_000_000


def _patched_by(mode: str) -> bool:
    if mode == "gevent" and "gevent.monkey" in sys.modules:
        from gevent import monkey

        return bool(monkey.is_module_patched("socket"))
    if mode == "eventlet" and "eventlet.patcher" in sys.modules:
        from eventlet import patcher

        return bool(patcher.is_monkey_patched("socket"))
    return False


def choose_async_mode(settings: Settings) -> str:
    """``LNK_ASYNC_MODE`` (gevent by default) when this process was monkey-patched for it, as
    ``app.py`` and gunicorn's gevent worker do; otherwise threading (in-process test clients,
    ``flask`` CLI commands), where an unpatched gevent server would block."""
    mode = settings.async_mode
    if mode in ("gevent", "eventlet") and not _patched_by(mode):
        if settings.env != "testing":
            log.warning(
                "LNK_ASYNC_MODE=%s but the process is not monkey-patched: "
                "Socket.IO runs in threading mode (start with `python app.py`)",
                mode,
            )
        return "threading"
    return mode


def init_realtime(app: Flask, settings: Settings) -> None:
    from lnk.realtime import wire_json
    from lnk.realtime.broadcaster import Broadcaster
    from lnk.realtime.hub import Hub
    from lnk.realtime.namespace import MessagingNamespace
    from lnk.realtime.ordering import SeqGate
    from lnk.realtime.queue import OrderedManager, QueueManager
    from lnk.web.chat.push import PageFragments
    from lnk.web.cors import socket_origins

    ctx = app.extensions["lnk"]
    hub = Hub(ctx, settings, socketio)
    gate = SeqGate(hold=settings.order_hold)
    manager = (
        QueueManager(
            settings.redis_url,
            gate,
            hub.resync,
            max_events=settings.outbox_max_events,
            max_age=settings.outbox_max_age,
        )
        if settings.redis_url
        else OrderedManager(gate)
    )
    socketio.init_app(
        app,
        async_mode=choose_async_mode(settings),
        client_manager=manager,
        message_queue=None,
        max_http_buffer_size=ENGINE_MAX_PAYLOAD,
        json=wire_json,
        cors_allowed_origins=socket_origins(settings.cors_origins),
        logger=False,
        engineio_logger=False,
    )
    hub.manager = manager
    app.extensions["lnk_realtime"] = hub
    socketio.on_namespace(MessagingNamespace(hub))
    ctx.events.subscribe(Broadcaster(hub, PageFragments(app)))
