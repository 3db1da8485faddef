"""Entry point: ``python app.py`` serves HTTP and Socket.IO on one port (PORT, default 3001)."""

from lnk import create_app

app = create_app()

if __name__ == "__main__":
    from lnk.extensions import socketio

    settings = app.config["LNK_SETTINGS"]
    socketio.run(app, host="0.0.0.0", port=settings.port)
