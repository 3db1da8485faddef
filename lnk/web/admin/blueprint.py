"""The admin blueprint: the chat's session, errors and page headers, plus the admin check."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, make_response, render_template

from lnk.domain.models import User
from lnk.errors import LnkError
from lnk.services import admin
from lnk.web.chat.blueprint import (
    SignInRequired,
    error_response,
    redirect_to_sign_in,
    signed_in,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_error_handler(SignInRequired, redirect_to_sign_in)
bp.register_error_handler(LnkError, error_response)


def admin_required(view: Callable) -> Callable:
    """Runs the view with ``user``, a signed-in platform admin. Anonymous: to the login page;
    anyone else: 403 (the services check again)."""

    @signed_in
    @wraps(view)
    def wrapper(user: User, **kwargs: Any) -> Any:
        admin.require_admin(user)
        return view(user=user, **kwargs)

    return wrapper


def row_response(template: str, *, toast: str | None = None, **context: Any) -> Response:
    """One re-rendered row for an HTMX action, with an optional confirmation toast."""
    response = make_response(render_template(template, **context))
    if toast:
        response.headers["HX-Trigger"] = json.dumps({"lnk:toast": {"message": toast}})
    return response
