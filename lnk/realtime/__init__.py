"""Realtime: the /messaging Socket.IO namespace, presence, typing and the event broadcaster."""

from __future__ import annotations

from flask import Flask

from lnk.config import Settings
from lnk.extensions import socketio


def init_realtime(app: Flask, settings: Settings) -> None:
    socketio.init_app(app, async_mode=settings.async_mode if settings.env != "testing"
                      else "threading", message_queue=settings.redis_url)
