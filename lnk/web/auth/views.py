"""Register, log in, log out: HTML forms that put the API's tokens in HttpOnly cookies."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, make_response, redirect, render_template, request, url_for

from lnk.errors import Conflict, Forbidden, RateLimited, Unauthorized, ValidationFailed
from lnk.services import accounts
from lnk.web import limits
from lnk.web.auth import session
from lnk.web.auth.forms import LoginForm, LogoutForm, RegisterForm
from lnk.web.context import ctx

bp = Blueprint("auth", __name__)

FIELD_NAMES = {"displayName": "display_name"}


def _signed_in_redirect(user_id: str) -> Response:
    response = redirect(session.safe_next(request.values.get("next")))
    user = accounts.get_user(ctx(), user_id)
    session.sign_in(response, user)
    return response


def _page(template: str, form, status: int = 200) -> Response:
    response = make_response(
        render_template(template, form=form, next=session.safe_next(request.values.get("next"))),
        status,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limits.LOGIN
def login() -> Response:
    session.check_next(request.values.get("next"))
    if request.method == "GET" and session.page_user() is not None:
        return redirect(session.safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = limits.authenticate(form.username.data or "", form.password.data or "")
        except (Unauthorized, Forbidden, RateLimited) as error:
            form.form_errors.append(error.message.capitalize())
            response = _page("login.html", form, error.status)
            response.headers.update(error.headers)
            return response
        return _signed_in_redirect(user.id)
    return _page("login.html", form, 422 if form.errors else 200)


@bp.route("/register", methods=["GET", "POST"])
@limits.REGISTER
def register() -> Response:
    session.check_next(request.values.get("next"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(
                ctx(),
                form.username.data or "",
                form.password.data or "",
                form.display_name.data or None,
            )
        except Conflict as error:
            form.username.errors = [error.message.capitalize()]
            return _page("register.html", form, 409)
        except ValidationFailed as error:
            for name, messages in (error.errors or {}).items():
                field = getattr(form, FIELD_NAMES.get(name, name), None)
                if field is not None:
                    field.errors = [m.capitalize() for m in messages]
                else:
                    form.form_errors.extend(messages)
            return _page("register.html", form, 422)
        return _signed_in_redirect(user.id)
    return _page("register.html", form, 422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@bp.route("/session/logout", methods=["POST"])  # registered first: what url_for gives
def logout() -> Response:
    form = LogoutForm()
    if not form.validate_on_submit():
        raise Forbidden("missing or invalid CSRF token")
    response = redirect(url_for("auth.login"))
    session.sign_out(response)
    return response


@bp.route("/session/refresh", methods=["POST"])
def refresh() -> Response:
    """Keeps a long-open chat page signed in (its socket reconnects with the new cookie)."""
    response = make_response("", 204)
    if not session.renew_access_cookie(response, csrf=True):
        raise Unauthorized("sign in again")
    return response


@bp.route("/session/resume")
def resume() -> Response:
    """A page met an expired access cookie: renew it from the refresh cookie (which only this
    path sees) and go back, or else sign in. Changes nothing but the caller's own cookie."""
    session.check_next(request.args.get("next"))
    target = session.safe_next(request.args.get("next"))
    response = redirect(target)
    if not session.renew_access_cookie(response, csrf=False):
        return redirect(f"/login?next={quote(target)}")
    return response


@bp.route("/")
def root() -> Response:
    return redirect(url_for("chat.index") if session.page_user() else url_for("auth.login"))
