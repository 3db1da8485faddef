"""Account & security: change the password, sign out of other devices or everywhere, and the
people the user blocked. The rules are the services' (``sessions``, ``blocks``); these views
only show their answers."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import Forbidden, ValidationFailed
from lnk.services import accounts, blocks, sessions
from lnk.web import limits
from lnk.web.auth import session
from lnk.web.chat.blueprint import bp, is_htmx, refuse_plain_form, signed_in
from lnk.web.context import ctx

PASSWORD_CHANGED = "Password changed. Every other device was signed out; this one stays signed in."
OTHERS_SIGNED_OUT = "Every other device was signed out; this one stays signed in."


def _password_form(errors: dict, status: int = 200, note: str | None = None) -> Response:
    return make_response(
        render_template(
            "_password_form.html",
            errors=errors,
            note=note,
            password_rule=accounts.PASSWORD_RULE,
        ),
        status,
    )


@bp.get("/account")
@signed_in
def account_page(user: User) -> Response:
    response = make_response(
        render_template(
            "account.html",
            user=user,
            errors={},
            note=None,
            password_rule=accounts.PASSWORD_RULE,
            blocked=blocks.blocked_users(ctx(), user),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/password")
@signed_in
@limits.PASSWORD
def change_password(user: User) -> Response:
    """Field errors come back in the form (422); success ends every other login of the user
    (their sockets close) and keeps this session's login, so this page stays signed in. The
    values typed are never sent back."""
    form = request.form
    current, new = form.get("currentPassword", ""), form.get("newPassword", "")
    errors: dict[str, list[str]] = {}
    if not current:
        errors["currentPassword"] = ["Enter your current password"]
    if new != form.get("confirmPassword", ""):
        errors["confirmPassword"] = ["The two new passwords differ"]
    if not errors:
        try:
            sessions.change_password(ctx(), user, current, new, keep=session.page_login())
        except Forbidden as error:  # the current password is wrong
            errors["currentPassword"] = [_sentence(error.message)]
        except ValidationFailed as error:
            for name, messages in (error.errors or {"newPassword": [error.message]}).items():
                errors[name] = [_sentence(m) for m in messages]
    if errors:
        # a form the browser posted itself gets the error page, saying what was wrong
        refuse_plain_form(ValidationFailed(" ".join(sum(errors.values(), [])), errors=errors))
        return _password_form(errors, 422)
    return _password_form({}, note=PASSWORD_CHANGED)


@bp.post("/account/sign-out-others")
@signed_in
@limits.ACTIONS
def sign_out_others(user: User) -> Response:
    sessions.end_all_logins(ctx(), user.id, keep=session.page_login())
    return make_response(render_template("_sign_out_panel.html", note=OTHERS_SIGNED_OUT))


@bp.post("/account/sign-out-everywhere")
@signed_in
@limits.ACTIONS
def sign_out_everywhere(user: User) -> Response:
    """This session ends too: to the login page."""
    response = make_response("", 200 if is_htmx() else 303)
    session.sign_out_everywhere(response, user)
    response.headers["HX-Redirect" if is_htmx() else "Location"] = "/login"
    return response


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
