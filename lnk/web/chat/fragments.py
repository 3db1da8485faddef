"""Responses that carry partials: one message (or several), a list item, a toast."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template

from lnk.domain.models import Conversation, User
from lnk.web.chat.threads import MessagePage
from lnk.web.chat.viewmodels import conversation_items

MESSAGE_FRAGMENT = "message"


def message_response(page: MessagePage, status: int = 200, *, toast: str | None = None) -> Response:
    """Messages as ``_message.html`` items; the page script upserts them by their stable id."""
    html = render_template("_message_items.html", page=page)
    response = make_response(html, status)
    response.headers["X-Lnk-Fragment"] = MESSAGE_FRAGMENT
    if toast:
        response.headers["HX-Trigger"] = json.dumps({"lnk:toast": {"message": toast}})
    return response


def removed_response(element_id: str) -> Response:
    response = make_response("", 200)
    response.headers["X-Lnk-Remove"] = element_id
    return response


def item_html(
    conversation: Conversation, user: User, *, oob: bool = False, active_id: str | None = None
) -> str:
    item = conversation_items([conversation], user, active_id)[0]
    return render_template("_conversation_item.html", item=item, oob=oob)
