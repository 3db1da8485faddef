"""Blocking from the chat: Block (after a confirmation that says what it does) and Unblock in a
direct conversation's menu, Unblock in the composer's notice and on the account page.

The answers carry what now stands between the two (``lnk:block``, the payload of the socket's
``blockUpdated``), so the page that acted applies it by the same path as every other screen."""

from __future__ import annotations

import json

from flask import Response, g, make_response, render_template, request

from lnk.domain.models import User
from lnk.domain.safety import BlockState
from lnk.errors import Blocked, LnkError
from lnk.presenters import block_json
from lnk.services import accounts, blocks, conversations
from lnk.web import limits
from lnk.web.chat.blueprint import bp, error_response, is_htmx, signed_in
from lnk.web.chat.threads import block_state
from lnk.web.context import ctx


def _with_state(response: Response, other_id: str, state: BlockState, **more: dict) -> Response:
    """``lnk:block`` carries ``blockUpdated``'s payload (presence stays with the socket)."""
    response.headers["HX-Trigger"] = json.dumps({"lnk:block": block_json(other_id, state), **more})
    return response


def _answer(user: User, other_id: str, toast: str, html: str = "") -> Response:
    state = blocks.state(ctx(), user.id, other_id)
    return _with_state(make_response(html), other_id, state, **{"lnk:toast": {"message": toast}})


@bp.get("/chat/users/<user_id>/block")
@signed_in
def block_dialog(user: User, user_id: str) -> Response:
    """The confirmation: what blocking does, before it is done."""
    other = accounts.get_user(ctx(), user_id)
    return make_response(render_template("_block_dialog.html", other=other))


@bp.post("/chat/users/<user_id>/block")
@signed_in
@limits.REPORT
def block(user: User, user_id: str) -> Response:
    found, _ = blocks.block(ctx(), user, user_id)
    return _answer(user, user_id, f"You blocked {found.user.display_name}.")


@bp.post("/chat/users/<user_id>/unblock")
@signed_in
@limits.REPORT
def unblock(user: User, user_id: str) -> Response:
    """With ``list=1`` (the account page) the answer is the fresh list of blocked people."""
    blocks.unblock(ctx(), user, user_id)
    other = accounts.get_user(ctx(), user_id)
    html = ""
    if request.form.get("list") == "1":
        html = render_template("_blocked_list.html", blocked=blocks.blocked_users(ctx(), user))
    return _answer(user, user_id, f"You unblocked {other.display_name}.", html)


REFUSED = {
    "blocking": "You blocked {name}. Unblock them to send messages here.",
    "blocked_by": "You can't send messages to {name} in this conversation.",
}


@bp.errorhandler(Blocked)
def refused_as_blocked(error: Blocked) -> Response:
    """A send into a direct conversation refused by a block: the toast says which side blocked,
    and the answer carries the state, so the composer gives way to the notice (a page that
    missed the push learns it here)."""
    user = g.get("lnk_user")
    conversation_id = (request.view_args or {}).get("conversation_id")
    if not (is_htmx() and user is not None and conversation_id):
        return error_response(error)
    try:
        conversation = conversations.get_conversation(ctx(), user, conversation_id)
    except LnkError:
        return error_response(error)
    state = block_state(user, conversation)
    if state is None or not state.any:
        return error_response(error)
    other = next(i for i in conversation.participant_ids if i != user.id)
    name = accounts.get_user(ctx(), other).display_name
    text = REFUSED["blocking" if state.blocking else "blocked_by"].format(name=name)
    return _with_state(error_response(Blocked(text)), other, state)
