"""Admin console pages (overview, users, flagged messages) and their HTMX row actions."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import ValidationFailed
from lnk.services import admin
from lnk.web.admin.blueprint import admin_required, bp, row_response
from lnk.web.chat.blueprint import is_htmx
from lnk.web.context import ctx

PAGE_SIZE = 25
USER_RESULTS_ID = "admin-user-results"


def _cursor() -> str | None:
    return request.args.get("cursor") or None


@bp.get("")
@admin_required
def overview(user: User) -> Response:
    counts = admin.overview(ctx(), user)
    return make_response(
        render_template("admin/overview.html", section="overview", user=user, counts=counts)
    )


@bp.get("/users")
@admin_required
def users(user: User) -> Response:
    q = (request.args.get("q") or "").strip()
    found, next_cursor = admin.list_users(ctx(), user, q, PAGE_SIZE, _cursor())
    context = {"user": user, "users": found, "q": q, "next_cursor": next_cursor}
    if is_htmx() and request.headers.get("HX-Target") == USER_RESULTS_ID:
        return make_response(render_template("admin/_user_results.html", **context))
    return make_response(render_template("admin/users.html", section="users", **context))


@bp.post("/users/<user_id>/suspend")
@admin_required
def suspend(user: User, user_id: str) -> Response:
    value = request.form.get("suspended")
    if value not in ("0", "1"):
        raise ValidationFailed.field("suspended", "must be 0 or 1")
    suspended = value == "1"
    changed = admin.set_suspended(ctx(), user, user_id, suspended)
    verb = "Suspended" if suspended else "Reinstated"
    return row_response(
        "admin/_user_row.html", account=changed, user=user, toast=f"{verb} @{changed.username}"
    )


@bp.post("/users/<user_id>/role")
@admin_required
def role(user: User, user_id: str) -> Response:
    changed = admin.set_role(ctx(), user, user_id, request.form.get("role", ""))
    toast = f"@{changed.username} is now {'an admin' if changed.is_admin else 'a user'}"
    return row_response("admin/_user_row.html", account=changed, user=user, toast=toast)


@bp.get("/flagged")
@admin_required
def flagged(user: User) -> Response:
    items, next_cursor = admin.flagged_messages(ctx(), user, PAGE_SIZE, _cursor())
    return make_response(
        render_template(
            "admin/flagged.html",
            section="flagged",
            user=user,
            items=items,
            next_cursor=next_cursor,
            first_page=_cursor() is None,
        )
    )


@bp.post("/flagged/<message_id>/delete")
@admin_required
def delete_flagged(user: User, message_id: str) -> Response:
    item = admin.delete_flagged(ctx(), user, message_id)
    return row_response("admin/_flag_row.html", item=item, toast="Message deleted for everyone")


@bp.post("/flagged/<message_id>/dismiss")
@admin_required
def dismiss_flag(user: User, message_id: str) -> Response:
    item = admin.dismiss_flag(ctx(), user, message_id)
    return row_response("admin/_flag_row.html", item=item, toast="Flag dismissed")
