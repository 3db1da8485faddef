"""The yardstick for send throughput: a bare Flask endpoint that inserts one row into SQLite
(WAL, synchronous=NORMAL, like LNK's store), served by the same gevent stack as LNK
(``lnk.realtime.server.serve``: TCP_NODELAY listener, gevent-websocket handler).

    PORT=3999 DB=/tmp/bare.sqlite3 .venv/bin/python bench/bare_insert_server.py
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, ".")

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402

from lnk.realtime.server import serve  # noqa: E402

app = Flask(__name__)
db = sqlite3.connect(
    os.environ.get("DB", "/tmp/bare.sqlite3"), check_same_thread=False, isolation_level=None
)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT, at INTEGER)")
lock = threading.Lock()


@app.post("/insert")
def insert():
    body = request.get_json(force=True)
    with lock:
        cur = db.execute(
            "INSERT INTO rows (body, at) VALUES (?, ?)",
            (body.get("content", ""), int(time.time() * 1000)),
        )
    return jsonify({"id": cur.lastrowid}), 201


@app.get("/health")
def health():
    return "ok"


if __name__ == "__main__":
    serve(
        app,
        SocketIO(app, async_mode="gevent"),
        host="127.0.0.1",
        port=int(os.environ.get("PORT", "3999")),
    )
