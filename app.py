"""Entry point: ``python app.py`` serves HTTP and Socket.IO on one port (PORT, default 3001).

``app`` stays importable for gunicorn (see the Procfile). Under gevent (the default
``LNK_ASYNC_MODE``) the standard library is monkey-patched before anything else is imported.
"""

import os

_ASYNC_MODE = os.environ.get("LNK_ASYNC_MODE", "gevent")
if _ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
elif _ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()

from lnk import create_app  # noqa: E402

app = create_app()

if __name__ == "__main__":
    from lnk.extensions import socketio
    from lnk.realtime.server import serve

    settings = app.config["LNK_SETTINGS"]
    serve(app, socketio, host=settings.host, port=settings.port)
