"""Full pages: the chat (list + open conversation). With ``HX-Request`` the open conversation
comes back alone, for swapping into the page without a reload."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.web.chat import threads
from lnk.web.chat.blueprint import bp, is_htmx, signed_in
from lnk.web.context import ctx


def _render_chat(user: User, conversation_id: str | None) -> Response:
    archived = request.args.get("archived") == "1"
    page = None
    if conversation_id:
        at = request.args.get("at")
        page = (
            threads.load_around(user, conversation_id, at)
            if at
            else threads.load_latest(user, conversation_id)
        )
    if is_htmx() and request.headers.get("HX-Target") == "pane":
        return make_response(render_template("_conversation_pane.html", page=page, user=user))
    listing = threads.load_list(user, archived=archived, active_id=conversation_id)
    return make_response(
        render_template("chat.html", listing=listing, page=page, user=user, now=ctx().clock.now())
    )


@bp.get("/chat")
@signed_in
def index(user: User) -> Response:
    return _render_chat(user, None)


@bp.get("/chat/<conversation_id>")
@signed_in
def conversation(user: User, conversation_id: str) -> Response:
    return _render_chat(user, conversation_id)
