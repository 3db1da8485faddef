"""Presence as notifications need it, answered by the realtime layer's presence registry.

``connected``: the users announced online (a socket is connected, or the last one went away less
than the offline grace ago). ``page_visible``: the registry does not track page visibility, so an
open socket stands for a visible page.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask


class RealtimePresence:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _registry(self):  # the hub is created by init_realtime; its registry lazily
        hub = self.app.extensions.get("lnk_realtime")
        return hub.presence if hub is not None else None

    def connected(self, user_ids: Iterable[str]) -> set[str]:
        registry = self._registry()
        return registry.online(user_ids) if registry is not None else set()

    def page_visible(self, user_id: str) -> bool:
        return bool(self.connected([user_id]))
