"""Reusable end-to-end test support: real servers, real clients.

- ``free_port()``: a free TCP port on 127.0.0.1 (``tests.support.net``).
- ``LiveServer``: ``python app.py`` in a subprocess on a free port, with its own SQLite file and
  upload directory (or shared ones, for several processes), waiting for readiness and torn down
  (``tests.support.live_server``).
- ``RedisServer``: a private ``redis-server`` on a free port, no persistence
  (``tests.support.redis_server``).
- ``Api`` / ``TestUser``: register users and call the JSON API over HTTP (``tests.support.api``).
- ``SocketClient``: a python-socketio client on ``/messaging`` that records every server event and
  waits for them (``tests.support.sockets``).
- pytest fixtures built from these live in ``tests.support.fixtures``; import the ones you need
  into your ``conftest.py``.
"""
