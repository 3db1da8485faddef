"""The browser chat: server-rendered pages and HTMX partials, kept live by Socket.IO pushes."""

from __future__ import annotations

from flask import Flask

from lnk.extensions import csrf


def register_pages(app: Flask) -> None:
    """Registers the sign-in pages and the chat (pages, partials and the packages page)."""
    from lnk.web import notification_pages
    from lnk.web.auth import views as auth_views
    from lnk.web.chat import (  # noqa: F401  (their routes attach to ``bp`` on import)
        account_views,
        block_views,
        conversation_views,
        marketplace_views,
        message_views,
        notification_views,
        pages,
        report_views,
    )
    from lnk.web.chat.blueprint import bp, install_filters

    # Chat actions are authenticated by the JWT cookie and protected by its double-submit CSRF
    # token (X-CSRF-TOKEN, checked in page_user); Flask-WTF guards the sign-in forms.
    csrf.exempt(bp)
    csrf.exempt(auth_views.refresh)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a login page may stay open for hours
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(bp)
    app.register_blueprint(notification_pages.bp)
    install_filters(app)
