"""HTMX partials and actions for conversations: the list and its items, starting a direct or
group conversation, group settings, archive, mute, delete for me, and message search."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import LnkError, ValidationFailed
from lnk.services import accounts, conversations, last_seen, permissions, search
from lnk.web import limits
from lnk.web.chat import threads
from lnk.web.chat.blueprint import bp, is_htmx, signed_in
from lnk.web.chat.fragments import item_html
from lnk.web.chat.viewmodels import conversation_title, users_for
from lnk.web.context import ctx

USER_RESULTS = 8


def _go_to(user: User, conversation_id: str | None) -> Response:
    """Shows a conversation (or none) after an action. For HTMX: the pane, with the whole list
    out of band (a new, left, archived or deleted conversation shows at once) and the URL pushed;
    otherwise a redirect."""
    path = f"/chat/{conversation_id}" if conversation_id else "/chat"
    if not is_htmx():
        response = make_response("", 303)
        response.headers["Location"] = path
        return response
    page = threads.load_latest(user, conversation_id) if conversation_id else None
    listing = threads.load_list(user, active_id=conversation_id)
    html = render_template("_conversation_pane.html", page=page, user=user) + render_template(
        "_conversation_list.html", listing=listing, oob=True
    )
    response = make_response(html)
    response.headers.update({"HX-Retarget": "#pane", "HX-Reswap": "innerHTML", "HX-Push-Url": path})
    return response


@bp.get("/chat/partials/conversations")
@signed_in
def conversation_list(user: User) -> Response:
    listing = threads.load_list(
        user,
        archived=request.args.get("archived") == "1",
        cursor=request.args.get("cursor") or None,
        active_id=request.args.get("active") or None,
    )
    template = "_conversation_items.html" if request.args.get("more") else "_conversation_list.html"
    return make_response(render_template(template, listing=listing))


@bp.get("/chat/partials/conversations/<conversation_id>")
@signed_in
def conversation_item(user: User, conversation_id: str) -> Response:
    """One list item, fresh; empty when the viewer left or deleted the conversation."""
    try:
        conversation = conversations.get_conversation(ctx(), user, conversation_id)
    except LnkError:
        return make_response("", 200)
    me = conversation.participant(user.id)
    if me is None or me.deleted_at is not None:
        return make_response("", 200)
    return make_response(
        item_html(conversation, user, active_id=request.args.get("active") or None)
    )


@bp.get("/chat/new")
@signed_in
def new_conversation(user: User) -> Response:
    return make_response(render_template("_new_conversation.html", user=user))


@bp.get("/chat/partials/users")
@signed_in
@limits.USER_SEARCH
def user_results(user: User) -> Response:
    """People matching ``q`` (username or display-name prefix), for pickers."""
    q = (request.args.get("q") or "").strip()
    exclude = set(request.args.getlist("exclude")) | {user.id}
    found = []
    if q:
        people, _ = accounts.search_users(ctx(), q, USER_RESULTS + len(exclude), None)
        found = [p for p in people if p.id not in exclude][:USER_RESULTS]
    return make_response(
        render_template(
            "_user_results.html",
            people=found,
            q=q,
            mode=request.args.get("mode", "new"),
            conversation_id=request.args.get("conversationId"),
        )
    )


@bp.post("/chat/new")
@signed_in
@limits.CREATE_CONVERSATION
def create_conversation(user: User) -> Response:
    ids = [i for i in request.form.getlist("userIds") if i]
    title = (request.form.get("title") or "").strip()
    kind = "group" if len(ids) > 1 or title else "direct"
    if not ids:
        raise ValidationFailed.field("userIds", "pick at least one person")
    conversation, _ = conversations.create_conversation(ctx(), user, kind, ids, title or None)
    return _go_to(user, conversation.id)


def _settings(user: User, conversation_id: str) -> Response:
    conversation = conversations.get_conversation(ctx(), user, conversation_id)
    users = users_for([conversation])
    me = conversation.participant(user.id)
    direct = conversation.type == "direct"  # the group's member list shows no presence
    seen = last_seen.in_conversation(ctx(), user, conversation, users) if direct else {}
    return make_response(
        render_template(
            "_conversation_settings.html",
            conversation=conversation,
            users=users,
            me=me,
            user=user,
            title=conversation_title(conversation, user, users),
            manager=permissions.manages(conversation, me),
            last_seen=seen,
        )
    )


@bp.get("/chat/<conversation_id>/settings")
@signed_in
def settings(user: User, conversation_id: str) -> Response:
    return _settings(user, conversation_id)


def _updated(user: User, conversation_id: str, **changes: object) -> Response:
    conversations.update_conversation(ctx(), user, conversation_id, **changes)
    return _settings(user, conversation_id)


def _leave(user: User, conversation_id: str) -> Response:
    conversations.update_conversation(ctx(), user, conversation_id, remove_ids=[user.id])
    return _go_to(user, None)


@bp.post("/chat/<conversation_id>/title")
@signed_in
@limits.ACTIONS
def rename(user: User, conversation_id: str) -> Response:
    return _updated(user, conversation_id, title=request.form.get("title", ""))


@bp.post("/chat/<conversation_id>/members")
@signed_in
@limits.ACTIONS
def add_members(user: User, conversation_id: str) -> Response:
    ids = [i for i in request.form.getlist("userIds") if i]
    if not ids:
        raise ValidationFailed.field("userIds", "pick at least one person")
    return _updated(user, conversation_id, add_ids=ids)


@bp.post("/chat/<conversation_id>/members/<member_id>/remove")
@signed_in
@limits.ACTIONS
def remove_member(user: User, conversation_id: str, member_id: str) -> Response:
    if member_id == user.id:
        return _leave(user, conversation_id)
    return _updated(user, conversation_id, remove_ids=[member_id])


@bp.post("/chat/<conversation_id>/leave")
@signed_in
@limits.ACTIONS
def leave(user: User, conversation_id: str) -> Response:
    return _leave(user, conversation_id)


@bp.post("/chat/<conversation_id>/mute")
@signed_in
@limits.ACTIONS
def mute(user: User, conversation_id: str) -> Response:
    muted = request.form.get("muted", "1") == "1"
    conversation = conversations.update_conversation(ctx(), user, conversation_id, muted=muted)
    actions = render_template(
        "_conversation_actions.html",
        conversation=conversation,
        me=conversation.participant(user.id),
        block=threads.block_state(user, conversation),
    )
    return make_response(
        actions + item_html(conversation, user, oob=True, active_id=conversation_id)
    )


@bp.post("/chat/<conversation_id>/archive")
@signed_in
@limits.ACTIONS
def archive(user: User, conversation_id: str) -> Response:
    archived = request.form.get("archived", "1") == "1"
    conversations.set_archived(ctx(), user, conversation_id, archived)
    response = _go_to(user, None if archived else conversation_id)
    if archived and is_htmx():  # "Archived · Undo"
        response.headers["HX-Trigger"] = json.dumps({"lnk:archived": {"id": conversation_id}})
    return response


@bp.post("/chat/<conversation_id>/delete")
@signed_in
@limits.ACTIONS
def delete_for_me(user: User, conversation_id: str) -> Response:
    conversations.delete_for_me(ctx(), user, conversation_id)
    return _go_to(user, None)


@bp.get("/chat/search")
@signed_in
@limits.SEARCH
def search_messages(user: User) -> Response:
    """Messages matching every word of ``q``; each result opens the message in context."""
    q = (request.args.get("q") or "").strip()
    hits, error = [], None
    if q:
        try:
            hits, _ = search.search_messages(ctx(), user, q, limit=30)
        except ValidationFailed as failure:
            error = "; ".join(m for ms in (failure.errors or {}).values() for m in ms)
    users = users_for([c for _, c in hits], [m for m, _ in hits])
    results = [(m, c, conversation_title(c, user, users)) for m, c in hits]
    return make_response(
        render_template(
            "_search_results.html", q=q, results=results, users=users, error=error, user=user
        )
    )
