"""Trust-and-safety API: reporting messages and users."""

from __future__ import annotations

from flask import Blueprint, jsonify

from lnk.domain.models import User
from lnk.presenters import report_json
from lnk.services import reports
from lnk.web.api import safety_schemas as s
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_safety", __name__, url_prefix="/api")
TAG = "safety"
REPORT_LIMIT = "30/minute"
REPEATED_REPORT = {200: "The caller already has an open report of this target: that report."}


def _answer(result: reports.ReportResult):
    return jsonify(report_json(result.report)), 201 if result.created else 200


@endpoint(
    bp,
    "/messages/<id>/report",
    "POST",
    summary="Report a message",
    tag=TAG,
    operation_id="reportMessage",
    status=201,
    also=REPEATED_REPORT,
    body=s.ReportBody,
    response=s.ReportOut,
    limit=REPORT_LIMIT,
    errors=(404, 422),
)
def report_message(user: User, id: str, body: s.ReportBody):
    """A message the caller can see, not its own. When enough different users have reported a
    message (`LNK_REPORT_HIDE_THRESHOLD`, default 3) it is hidden from everyone but its sender
    (`heldForReview`) until a moderator decides."""
    return _answer(reports.report_message(ctx(), user, id, body.reason, body.note))


@endpoint(
    bp,
    "/users/<id>/report",
    "POST",
    summary="Report a user",
    tag=TAG,
    operation_id="reportUser",
    status=201,
    also=REPEATED_REPORT,
    body=s.ReportBody,
    response=s.ReportOut,
    limit=REPORT_LIMIT,
    errors=(404, 422),
)
def report_user(user: User, id: str, body: s.ReportBody):
    """Another user; moderators see the report in the admin console."""
    return _answer(reports.report_user(ctx(), user, id, body.reason, body.note))
