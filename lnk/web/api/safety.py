"""Trust-and-safety API: reporting messages and users, blocking users."""

from __future__ import annotations

from flask import Blueprint, jsonify

from lnk.domain.models import User
from lnk.presenters import iso, report_json, user_json
from lnk.services import blocks, reports
from lnk.web import limits
from lnk.web.api import safety_schemas as s
from lnk.web.api.routing import endpoint
from lnk.web.context import ctx

bp = Blueprint("api_safety", __name__, url_prefix="/api")
TAG = "safety"
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
    limit=limits.REPORT,
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
    limit=limits.REPORT,
    errors=(404, 422),
)
def report_user(user: User, id: str, body: s.ReportBody):
    """Another user; moderators see the report in the admin console."""
    return _answer(reports.report_user(ctx(), user, id, body.reason, body.note))


def _block_json(found: blocks.BlockedUser) -> dict:
    return {"user": user_json(found.user), "blockedAt": iso(found.blocked_at)}


@endpoint(
    bp,
    "/users/<id>/block",
    "POST",
    summary="Block a user",
    tag=TAG,
    operation_id="blockUser",
    status=201,
    also={200: "The user was already blocked: the existing block."},
    response=s.BlockOut,
    limit=limits.REPORT,
    errors=(404, 422),
)
def block_user(user: User, id: str):
    """While either of two people blocks the other, neither can start a direct conversation
    with the other or send into their direct conversation (403 `blocked`), and neither sees the
    other's presence or typing. Shared groups are unchanged."""
    found, created = blocks.block(ctx(), user, id)
    return jsonify(_block_json(found)), 201 if created else 200


@endpoint(
    bp,
    "/users/<id>/block",
    "DELETE",
    summary="Unblock a user",
    tag=TAG,
    operation_id="unblockUser",
    status=204,
    limit=limits.REPORT,
    errors=(404, 422),
)
def unblock_user(user: User, id: str):
    """Idempotent: unblocking a user who is not blocked is also a 204."""
    blocks.unblock(ctx(), user, id)
    return "", 204


@endpoint(
    bp,
    "/users/me/blocks",
    "GET",
    summary="The users the caller blocked",
    tag=TAG,
    operation_id="listBlockedUsers",
    response=s.BlockListOut,
)
def list_blocks(user: User):
    """Newest block first."""
    return jsonify({"items": [_block_json(b) for b in blocks.blocked_users(ctx(), user)]})
