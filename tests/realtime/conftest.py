"""Realtime tests: a real gevent server in a subprocess, real python-socketio clients."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # ``tests.support`` is imported from the repository root
    sys.path.insert(0, str(ROOT))

from tests.support.fixtures import api, live_server, redis_server, socket_factory  # noqa: E402, F401
