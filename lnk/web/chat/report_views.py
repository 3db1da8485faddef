"""Reporting from the chat: a message from its menu, the other person from the header."""

from __future__ import annotations

import json

from flask import Response, make_response, request

from lnk.domain.models import User
from lnk.services import reports
from lnk.web import limits
from lnk.web.chat.blueprint import bp, signed_in
from lnk.web.context import ctx


def _reported(result: reports.ReportResult) -> Response:
    message = "Reported. Thank you — a moderator will review it."
    if not result.created:
        message = "You have already reported this; a moderator will review it."
    response = make_response("", 201 if result.created else 200)
    response.headers["HX-Trigger"] = json.dumps({"lnk:toast": {"message": message}})
    return response


@bp.post("/chat/messages/<message_id>/report")
@signed_in
@limits.REPORT
def report_message(user: User, message_id: str) -> Response:
    form = request.form
    return _reported(
        reports.report_message(ctx(), user, message_id, form.get("reason", ""), form.get("note"))
    )


@bp.post("/chat/users/<user_id>/report")
@signed_in
@limits.REPORT
def report_user(user: User, user_id: str) -> Response:
    form = request.form
    return _reported(
        reports.report_user(ctx(), user, user_id, form.get("reason", ""), form.get("note"))
    )
