"""Admin console: the open-report queue with its decisions, the audit log, transcript exports
and analytics."""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from lnk.domain.models import User
from lnk.errors import ValidationFailed
from lnk.services import accounts, analytics, audit, report_review, transcripts
from lnk.web.admin.blueprint import admin_required, bp, row_response
from lnk.web.admin.charts import bar_chart
from lnk.web.context import ctx
from lnk.web.transcript_files import transcript_response

PAGE_SIZE = 25
TOASTS = {
    "dismiss": "Reports dismissed",
    "delete": "Message deleted for everyone",
    "hide": "Message hidden pending review",
    "suspend": "Sender suspended",
}


def _cursor() -> str | None:
    return request.args.get("cursor") or None


@bp.get("/reports")
@admin_required
def reports(user: User) -> Response:
    cases, next_cursor = report_review.queue(ctx(), user, PAGE_SIZE, _cursor())
    people = _context_people(cases)
    return make_response(
        render_template(
            "admin/reports.html",
            section="reports",
            user=user,
            cases=cases,
            people=people,
            next_cursor=next_cursor,
            first_page=_cursor() is None,
        )
    )


@bp.post("/reports/<target_type>/<target_id>/<action>")
@admin_required
def decide(user: User, target_type: str, target_id: str, action: str) -> Response:
    case = report_review.decide(ctx(), user, target_type, target_id, action)
    return row_response(
        "admin/_report_case.html",
        case=case,
        people=_context_people([case]),
        decided=action,
        toast=TOASTS.get(action),
    )


@bp.get("/audit")
@admin_required
def audit_log(user: User) -> Response:
    entries, next_cursor = audit.entries(ctx(), user, 50, _cursor())
    actors = accounts.users_by_id(ctx(), {e.actor_id for e in entries})
    return make_response(
        render_template(
            "admin/audit.html",
            section="audit_log",
            user=user,
            entries=entries,
            actors=actors,
            next_cursor=next_cursor,
            first_page=_cursor() is None,
        )
    )


def _context_people(cases: list[report_review.Case]) -> dict[str, User]:
    ids = {m.sender_id for c in cases for m in c.context}
    return accounts.users_by_id(ctx(), ids)


@bp.get("/conversations/<conversation_id>/export")
@admin_required
def export_conversation(user: User, conversation_id: str) -> Response:
    """Any conversation's signed transcript (every message); recorded in the audit log."""
    fmt = request.args.get("format", "html")
    if fmt not in ("json", "html"):
        raise ValidationFailed.field("format", "must be json or html")
    return transcript_response(transcripts.export_as_admin(ctx(), user, conversation_id), fmt)


CHARTS = {
    "messages": "Messages per day",
    "active_users": "Active users per day",
    "offers_sent": "Offers sent per day",
    "offers_accepted": "Offers accepted per day",
    "booking_requests": "Booking requests per day",
    "bookings_confirmed": "Bookings confirmed per day",
}


def _days() -> int:
    raw = request.args.get("days", "30")
    if raw not in ("7", "30", "90"):
        raise ValidationFailed.field("days", "must be 7, 30 or 90")
    return int(raw)


@bp.get("/analytics")
@admin_required
def analytics_page(user: User) -> Response:
    days = _days()
    found = analytics.report(ctx(), user, days)
    charts = [
        (key, label, found.totals[key], bar_chart(label, found.days, found.series[key]))
        for key, label in CHARTS.items()
    ]
    return make_response(
        render_template(
            "admin/analytics.html",
            section="analytics_page",
            user=user,
            report=found,
            charts=charts,
            days=days,
        )
    )


@bp.get("/analytics.csv")
@admin_required
def analytics_csv(user: User) -> Response:
    days = _days()
    response = make_response(analytics.as_csv(analytics.report(ctx(), user, days)))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="lnk-analytics-{days}d.csv"'
    return response
