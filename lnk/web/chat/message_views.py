"""HTMX partials and actions for messages: history pages, one message, send, edit, delete,
react, read receipts. Every action answers with the message's partial (the same one a socket
push fetches), so applying either twice changes nothing."""

from __future__ import annotations

from flask import Response, abort, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import ValidationFailed
from lnk.services import conversations, messages, reads
from lnk.services.pagination import check_seq
from lnk.web import limits
from lnk.web.chat import threads
from lnk.web.chat.blueprint import bp, refuse_plain_form, signed_in
from lnk.web.chat.fragments import item_html, message_response, removed_response
from lnk.web.context import ctx

CATCH_UP_LIMIT = 100


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = max(0, int(raw))
    except ValueError:
        raise ValidationFailed.field(name, "must be a whole number") from None
    return check_seq(value, name)


def _float_field(name: str) -> float:
    try:
        return float(request.form.get(name, ""))
    except ValueError:
        raise ValidationFailed.field(name, "must be a number") from None


@bp.get("/chat/<conversation_id>/messages")
@signed_in
def history(user: User, conversation_id: str) -> Response:
    """``before=<messageId>``: the older page (infinite scroll). ``afterSeq=<n>``: what came
    after (catch-up after a reconnect, or the newer side of a search result)."""
    after_seq = _int_arg("afterSeq")
    if after_seq is not None:
        limit = min(_int_arg("limit") or CATCH_UP_LIMIT, CATCH_UP_LIMIT)
        page = threads.load_newer(user, conversation_id, after_seq, limit)
        response = make_response(render_template("_messages.html", page=page))
        response.headers["X-Lnk-More"] = "1" if page.newer_than else "0"
        response.headers["X-Lnk-Fragment"] = "messages"
        return response
    before = request.args.get("before")
    if not before:
        abort(400)
    page = threads.load_older(user, conversation_id, before)
    return make_response(render_template("_messages.html", page=page))


@bp.get("/chat/messages/<message_id>")
@signed_in
def message(user: User, message_id: str) -> Response:
    return message_response(threads.load_one(user, message_id))


@bp.post("/chat/<conversation_id>/messages")
@signed_in
@limits.SEND
def send(user: User, conversation_id: str) -> Response:
    result = messages.send_message(
        ctx(),
        user,
        conversation_id,
        content=request.form.get("content", ""),
        attachment_ids=[i for i in request.form.getlist("attachmentIds") if i] or None,
        reply_to_id=request.form.get("replyToId") or None,
        client_id=(request.form.get("clientId") or None),
    )
    toast = "; ".join(w["message"] for w in result.warnings) or None
    return message_response(
        threads.page_of(user, result.message), 201 if result.created else 200, toast=toast
    )


@bp.get("/chat/<conversation_id>/location")
@signed_in
def location_form(user: User, conversation_id: str) -> Response:
    conversations.get_conversation(ctx(), user, conversation_id)
    return make_response(
        render_template(
            "_location_form.html", conversation_id=conversation_id, errors={}, values={}
        )
    )


@bp.post("/chat/<conversation_id>/location")
@signed_in
@limits.SEND
def send_location(user: User, conversation_id: str) -> Response:
    try:
        result = messages.send_location(
            ctx(),
            user,
            conversation_id,
            latitude=_float_field("latitude"),
            longitude=_float_field("longitude"),
            name=request.form.get("name"),
            address=request.form.get("address"),
            client_id=request.form.get("clientId") or None,
        )
    except ValidationFailed as error:
        refuse_plain_form(error)
        response = make_response(
            render_template(
                "_location_form.html",
                conversation_id=conversation_id,
                errors=error.errors or {},
                values=request.form,
            ),
            422,
        )
        response.headers["HX-Retarget"] = "#dialog-body"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    toast = "; ".join(w["message"] for w in result.warnings) or None
    return message_response(
        threads.page_of(user, result.message), 201 if result.created else 200, toast=toast
    )


@bp.post("/chat/<conversation_id>/read")
@signed_in
@limits.ACTIONS
def mark_read(user: User, conversation_id: str) -> Response:
    """Marks everything read; answers with the list item (out of band) showing no badge."""
    reads.mark_read(ctx(), user, conversation_id)
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    return make_response(item_html(conversation, user, oob=True, active_id=conversation_id))


@bp.get("/chat/<conversation_id>/receipts")
@signed_in
def receipts(user: User, conversation_id: str) -> Response:
    """Fresh read receipts (out of band) of the viewer's messages from ``fromSeq`` on."""
    from_seq = _int_arg("fromSeq") or 1
    page = threads.load_newer(user, conversation_id, from_seq - 1, CATCH_UP_LIMIT)
    return make_response(render_template("_receipts.html", page=page))


@bp.get("/chat/messages/<message_id>/edit")
@signed_in
def edit_form(user: User, message_id: str) -> Response:
    page = threads.load_one(user, message_id)
    return make_response(render_template("_message_edit.html", page=page, m=page.messages[0]))


@bp.post("/chat/messages/<message_id>/edit")
@signed_in
@limits.ACTIONS
def edit(user: User, message_id: str) -> Response:
    edited, warnings = messages.edit_message(
        ctx(), user, message_id, request.form.get("content", "")
    )
    toast = "; ".join(w["message"] for w in warnings) or None
    return message_response(threads.page_of(user, edited), toast=toast)


@bp.post("/chat/messages/<message_id>/delete")
@signed_in
@limits.ACTIONS
def delete(user: User, message_id: str) -> Response:
    messages.delete_message(ctx(), user, message_id)
    return message_response(threads.load_one(user, message_id))


@bp.post("/chat/messages/<message_id>/hide")
@signed_in
@limits.ACTIONS
def hide(user: User, message_id: str) -> Response:
    messages.delete_for_me(ctx(), user, message_id)
    return removed_response(f"message-{message_id}")


@bp.post("/chat/messages/<message_id>/reaction")
@signed_in
@limits.ACTIONS
def react(user: User, message_id: str) -> Response:
    """``emoji`` sets the viewer's reaction (replacing its previous one); none removes it."""
    emoji = (request.form.get("emoji") or "").strip() or None
    return message_response(threads.page_of(user, messages.react(ctx(), user, message_id, emoji)))


@bp.get("/chat/messages/<message_id>/actions")
@signed_in
def actions(user: User, message_id: str) -> Response:
    """The message's action menu, loaded when it is first opened (keeps history pages light)."""
    page = threads.load_one(user, message_id)
    return make_response(render_template("_message_actions.html", page=page, m=page.messages[0]))
