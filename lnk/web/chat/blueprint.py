"""The chat blueprint: sign-in enforcement, HTMX-aware errors, security headers, filters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
)
from linkify_it import LinkifyIt
from markupsafe import Markup, escape

from lnk.domain import search_text
from lnk.errors import LnkError
from lnk.web.auth import session
from lnk.web.errors import render_error
from lnk.web.locales import locale_tag, page_lang, viewer_locale
from lnk.web.money import currency_choices, price_text

# The viewer's zone and the time helpers live in lnk.web.times; importing them from here works too.
from lnk.web.times import day_label as day_label
from lnk.web.times import local as local
from lnk.web.times import short_time as short_time
from lnk.web.times import time_text, zone_label
from lnk.web.times import viewer_tz as viewer_tz
from lnk.web.times import zone_named as zone_named

bp = Blueprint("chat", __name__)


QUICK_REACTIONS = ("👍", "❤️", "😂", "😮", "😢", "🙏")


class SignInRequired(Exception):
    """The request has no valid session."""


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def signed_in(view: Callable) -> Callable:
    """Runs the view with ``user`` (the signed-in user); otherwise sends to the login page."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        user = session.page_user()
        if user is None:
            raise SignInRequired()
        return view(user=user, **kwargs)

    return wrapper


@bp.errorhandler(SignInRequired)
def redirect_to_sign_in(_error: SignInRequired) -> Response:
    """Renew the session (or else to the login page) and back here afterwards (``HX-Redirect``
    for an HTMX request)."""
    target = request.full_path.rstrip("?") if request.method == "GET" else "/chat"
    if is_htmx():
        page = request.headers.get("HX-Current-URL", "")
        path = "/" + page.split("/", 3)[3] if page.count("/") >= 3 else "/chat"
        response = make_response("", 401)
        response.headers["HX-Redirect"] = session.sign_in_url(path)
        return response
    return redirect(session.sign_in_url(target))


@bp.errorhandler(LnkError)
def error_response(error: LnkError) -> Any:
    """The toast partial for an HTMX request, the error page otherwise."""
    if is_htmx():
        response = make_response(render_template("_toast.html", error=error), error.status)
        for name, value in error.headers.items():
            response.headers[name] = value
        return response
    return render_error(error)


@bp.after_request
def after_a_plain_form_post(response: Response) -> Response:
    """A form the browser posted itself (scripts off, or submitted before htmx wired it) gets
    the page it was sent from again, with the change (303 See Other), instead of a bare partial:
    the change is saved and the address bar never holds what was typed."""
    if request.method != "POST" or is_htmx() or not 200 <= response.status_code < 300:
        return response
    return redirect(page_sent_from(), 303)


def page_sent_from() -> str:
    """The same-origin page that sent this request (its ``Referer``), else the chat."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return "/chat"
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return session.safe_next(path)


def refuse_plain_form(error: LnkError) -> None:
    """A form re-rendered with its field errors is a partial for htmx; a form the browser
    posted itself gets the error page instead, saying what was wrong."""
    if not is_htmx():
        raise error


def initials(name: str | None) -> str:
    parts = [p for p in (name or "?").replace("_", " ").replace(".", " ").split() if p]
    letters = "".join(p[0] for p in parts[:2]) or "?"
    return letters.upper()


def hue(key: str | None) -> int:
    """One of eight avatar colours, stable for an id."""
    return sum(ord(ch) for ch in (key or "")) % 8


def file_size(size: int | None) -> str:
    size = size or 0
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"


def price(amount: Decimal, currency: str) -> str:
    return price_text(amount, currency)


def duration(minutes: int | None) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def highlight(text: str | None, q: str) -> Markup:
    """The text, escaped, with each word that search found marked: a word whose folded form
    starts with a term (the domain's tokeniser, so ``Café`` is marked for ``cafe``)."""
    terms = search_text.query_terms(q)
    if not terms or not text:
        return escape(text or "")
    text = unicodedata.normalize("NFC", text)
    parts, last = [], 0
    for match in _WORD.finditer(text):
        if any(w.startswith(t) for w in search_text.words(match.group(0)) for t in terms):
            parts.append(escape(text[last : match.start()]))
            parts.append(Markup("<mark>%s</mark>") % match.group(0))
            last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


_WORD = re.compile(r"[^\W_]+")


_LINKS = LinkifyIt()
LINK_SCHEMES = ("http://", "https://", "mailto:")


def linkify(text: str | None) -> Markup:
    """The text, escaped, with web addresses and e-mail addresses as links that open in a new
    tab and pass on neither the opener nor the referrer (``javascript:`` and other schemes stay
    plain text)."""
    if not text:
        return Markup("")
    parts, last = [], 0
    for match in _LINKS.match(text) or []:
        if not match.url.lower().startswith(LINK_SCHEMES):
            continue
        parts.append(escape(text[last : match.index]))
        parts.append(
            Markup('<a href="%s" target="_blank" rel="noopener noreferrer nofollow">%s</a>')
            % (match.url, match.text)
        )
        last = match.last_index
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def expires_in(dt: datetime | None, now: datetime) -> str:
    """``in 47 h`` (whole hours, rounded down, from an hour up), ``in 35 min``, or ``now``."""
    if dt is None:
        return ""
    minutes = int((dt - now).total_seconds() // 60)
    if minutes < 1:
        return "now"
    return f"in {minutes // 60} h" if minutes >= 60 else f"in {minutes} min"


def install_filters(app: Flask) -> None:
    from lnk.presenters import iso, reactions_json
    from lnk.services.messages import preview_of

    app.jinja_env.filters.update(
        initials=initials,
        hue=hue,
        file_size=file_size,
        iso=iso,
        price=price,
        duration=duration,
        highlight=highlight,
        linkify=linkify,
        time_text=time_text,
        user_name=lambda user_id, thread: thread.name(user_id),
    )
    app.jinja_env.globals.update(
        zone_label=zone_label,
        page_lang=page_lang,
        page_locale=lambda: locale_tag(viewer_locale()),
        expires_in=lambda dt: expires_in(dt, current_app.extensions["lnk"].clock.now()),
        currency_choices=currency_choices,
        preview=preview_of,
        reactions=lambda m: reactions_json(m.reactions),
        quick_reactions=QUICK_REACTIONS,
    )
