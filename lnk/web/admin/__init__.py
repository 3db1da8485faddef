"""The admin console: server-rendered pages and HTMX actions for platform admins."""

from __future__ import annotations

from flask import Flask

from lnk.extensions import csrf


def register_admin(app: Flask) -> None:
    """Registers ``/admin``. Like the chat, its actions are protected by the JWT double-submit
    CSRF header (checked in ``page_user``), not by Flask-WTF's form token."""
    from lnk.web.admin import (  # noqa: F401  (their routes attach to ``bp`` on import)
        safety_views,
        views,
    )
    from lnk.web.admin.blueprint import bp

    csrf.exempt(bp)
    app.register_blueprint(bp)
