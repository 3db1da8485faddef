"""Notification settings in the account menu: the address, what is mailed, and Web Push."""

from __future__ import annotations

from flask import Response, current_app, render_template, request

from lnk.domain.models import User
from lnk.services import notifications
from lnk.web.chat.blueprint import bp, signed_in
from lnk.web.context import ctx


def _dialog(user: User, note: str | None = None) -> Response:
    settings = notifications.get_settings(ctx(), user)
    return render_template(
        "_notification_settings.html",
        settings=settings,
        note=note,
        email_enabled=bool(current_app.config["LNK_SETTINGS"].smtp_url),
    )


@bp.get("/chat/notifications")
@signed_in
def notification_settings(user: User) -> Response:
    return _dialog(user)


@bp.post("/chat/notifications")
@signed_in
def save_notification_settings(user: User) -> Response:
    form = request.form
    address = form.get("email_address", "").strip()
    current = notifications.get_settings(ctx(), user)
    note = "Saved."
    if address != (current.email or ""):
        notifications.set_email(ctx(), user, address or None)
        if address:
            note = f"Saved. We sent a link to {address}: open it to confirm the address."
    notifications.update_settings(
        ctx(), user, email_mode=form.get("email_mode") or None, push=form.get("push") == "on"
    )
    return _dialog(user, note)
