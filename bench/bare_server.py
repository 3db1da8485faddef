"""The reference for bench/fanout.py: a bare Flask-SocketIO broadcast server, no auth, no store.

A socket joins the room named in its ``auth.room``; ``POST /send {room, content}`` emits
``newMessage`` to that room. Same async mode, runner (TCP_NODELAY, gc.freeze) and namespace as
the app, so the ratio measures what the app adds.

    PORT=3100 .venv/bin/python bench/bare_server.py
"""

import os

_ASYNC_MODE = os.environ.get("LNK_ASYNC_MODE", "gevent")
if _ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

from lnk.realtime.server import serve  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(app, async_mode=_ASYNC_MODE)
counter = 0


@socketio.on("connect", namespace="/messaging")
def connect(auth=None):
    room = (auth or {}).get("room")
    if not isinstance(room, str):
        return False
    join_room(room)
    return None


@app.post("/send")
def send():
    global counter
    body = request.get_json(force=True)
    counter += 1
    message = {"id": str(counter), "content": body["content"], "createdAt": time.time()}
    socketio.emit(
        "newMessage",
        {"conversationId": body["room"], "message": message},
        to=body["room"],
        namespace="/messaging",
    )
    return jsonify(message), 201


if __name__ == "__main__":
    serve(app, socketio, host="127.0.0.1", port=int(os.environ.get("PORT", "3100")))
