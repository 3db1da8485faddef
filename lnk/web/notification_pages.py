"""Pages reached from outside a session: the address verification link, one-click unsubscribe
(RFC 8058: a POST from the mail client with ``List-Unsubscribe=One-Click``, no cookies, no CSRF
token; the signed token is the authority), and the service worker at the root scope."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, make_response, render_template, request

from lnk.extensions import csrf, limiter
from lnk.services import notifications
from lnk.web.context import ctx

bp = Blueprint("notify_pages", __name__)

LINK_LIMIT = "30/minute"


def _tokens():
    return current_app.extensions["lnk_notify"].tokens


def _page(title: str, message: str, status: int = 200, form_token: str | None = None) -> Response:
    response = make_response(
        render_template(
            "notification_page.html", title=title, message=message, form_token=form_token
        ),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@bp.get("/verify-email")
@limiter.limit(LINK_LIMIT)
def verify_email() -> Response:
    found = _tokens().read_verify_token(request.args.get("token", ""))
    if found is None:
        return _page("Link not valid", "This confirmation link is broken or has expired.", 400)
    user_id, email = found
    if not notifications.verify_email(ctx(), user_id, email):
        return _page("Link not valid", "This address is no longer the one on your account.", 400)
    return _page("Address confirmed", f"LNK may now send notifications to {email}.")


@bp.get("/unsubscribe")
@limiter.limit(LINK_LIMIT)
def unsubscribe_form() -> Response:
    """A GET never unsubscribes (link scanners follow links); it shows a button that POSTs."""
    token = request.args.get("token", "")
    if _tokens().read_unsubscribe_token(token) is None:
        return _page("Link not valid", "This unsubscribe link is broken or has expired.", 400)
    return _page(
        "Stop notification mail?",
        "LNK will send no more notification mail to you.",
        form_token=token,
    )


@bp.post("/unsubscribe")
@csrf.exempt
@limiter.limit(LINK_LIMIT)
def unsubscribe() -> Response:
    token = request.args.get("token") or request.form.get("token", "")
    user_id = _tokens().read_unsubscribe_token(token)
    if user_id is None:
        return _page("Link not valid", "This unsubscribe link is broken or has expired.", 400)
    notifications.unsubscribe_email(ctx(), user_id)
    return _page(
        "Unsubscribed",
        "You will get no more notification mail. Turn it on again in the account menu.",
    )


@bp.get("/sw.js")
def service_worker() -> Response:
    """From the root, so that its scope is the whole site."""
    path = os.path.join(current_app.static_folder or "static", "js", "sw.js")
    with open(path, "rb") as f:
        response = make_response(f.read())
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
