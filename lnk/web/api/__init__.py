"""The JSON API under /api, its OpenAPI document and Swagger UI."""

from __future__ import annotations

from flask import Flask

from lnk.extensions import csrf


def register_api(app: Flask) -> None:
    from lnk.web.api import (
        asyncapi,
        auth,
        conversations,
        files,
        marketplace,
        messages,
        notifications,
        openapi,
        safety,
        transcripts,
    )
    from lnk.web.api.routing import ObjectIdConverter

    app.url_map.converters["oid"] = ObjectIdConverter

    modules = (
        auth,
        conversations,
        messages,
        marketplace,
        files,
        notifications,
        safety,
        transcripts,
    )
    for module in modules:
        # API calls are authenticated by Bearer token or by the JWT cookie, whose own CSRF
        # double-submit check (flask-jwt-extended) protects them; Flask-WTF guards the forms.
        csrf.exempt(module.bp)
        app.register_blueprint(module.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(asyncapi.bp)
