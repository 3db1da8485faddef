"""The JSON module of the Socket.IO server: the standard library's, except that a packet too
deeply nested to parse still reaches the namespace, as the event ``UNPARSEABLE``.

Python's parser gives up on deep nesting with RecursionError, which python-socketio does not
expect: the packet would be dropped and the client left waiting for its acknowledgement. Turned
into an event, it keeps its ack id, so the client gets an error ack and the socket stays up.
"""

from __future__ import annotations

import json
from typing import Any

UNPARSEABLE = "lnk:unparseable"

dumps = json.dumps


def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
    try:
        return json.loads(text, *args, **kwargs)
    except RecursionError:
        return [UNPARSEABLE]
