"""Closing the sockets of revoked logins, on every process.

Each socket joins the room of the login its token belongs to (``login:<id>``). Closing a login
room disconnects its members: ``close_room`` already travels through the message queue to every
process (python-socketio's pub/sub managers), so one call ends the login's sockets wherever they
are connected. ``DisconnectLoginRooms`` adds that behaviour to login rooms only; the client
managers of ``lnk.realtime.queue`` include it.
"""

from __future__ import annotations

import socketio

LOGIN_ROOM_PREFIX = "login:"


def login_room(login_id: str) -> str:
    return LOGIN_ROOM_PREFIX + login_id


class DisconnectLoginRooms:
    """Mixin for a python-socketio client manager: closing a login room disconnects its
    sockets (those of this process; the pub/sub manager runs this on every process)."""

    server: socketio.Server

    def basic_close_room(self, room, namespace):  # type: ignore[no-untyped-def]
        if isinstance(room, str) and room.startswith(LOGIN_ROOM_PREFIX):
            for sid, _eio_sid in list(self.get_participants(namespace, room)):  # type: ignore[attr-defined]
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        return super().basic_close_room(room, namespace)  # type: ignore[misc]
