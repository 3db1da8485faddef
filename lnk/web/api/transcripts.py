"""Conversation transcripts: the signed export of a conversation as the caller sees it."""

from __future__ import annotations

from typing import Literal

from flask import Blueprint

from lnk.domain.models import User
from lnk.services import transcripts
from lnk.web import limits
from lnk.web.api.routing import endpoint
from lnk.web.api.schemas import Schema
from lnk.web.context import ctx
from lnk.web.transcript_files import transcript_response

bp = Blueprint("api_transcripts", __name__, url_prefix="/api/conversations")


class ExportQuery(Schema):
    format: Literal["json", "html"] = "json"


@endpoint(
    bp,
    "/<id>/export",
    "GET",
    summary="Export a signed transcript",
    tag="conversations",
    operation_id="exportTranscript",
    query=ExportQuery,
    binary=("application/json", "text/html"),
    limit=limits.EXPORT,
    errors=(404, 422),
)
def export(user: User, id: str, query: ExportQuery):
    """The caller's view of the whole conversation as a download: messages (edits marked,
    deletions as tombstones, offers and booking requests with their states, attachments
    listed) and bookings, with a SHA-256 hash chain over the messages and the server's
    HMAC-SHA256 signature. `format=html` gives a readable page that embeds the same document.
    `flask verify-transcript FILE` checks either."""
    return transcript_response(transcripts.export(ctx(), user, id), query.format)
