"""The moderators' side of reports: the open-report queue with its context, and decisions.

A case is one reported target (a message or a user) with all its open reports. Deciding closes
them all, and every decision goes to the audit log:

- ``dismiss``: nothing was wrong; a held message is shown again;
- ``delete``: the message is deleted for everyone;
- ``hide``: the message stays hidden from everyone but its sender;
- ``suspend``: the reported user (a message's sender) is suspended and signed out everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lnk.domain.models import Booking, Message, User
from lnk.domain.safety import Report
from lnk.errors import NotFound, ValidationFailed
from lnk.services import accounts, audit, messages, reports
from lnk.services.admin import require_admin
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.pagination import clamp_limit, decode_cursor, encode_cursor

ACTIONS = ("dismiss", "delete", "hide", "suspend")
MESSAGE_ONLY = ("delete", "hide")
CONTEXT_EACH_SIDE = 5
DEAL_LOOKBACK = 100  # the subject's most recent bookings searched for ones with a reporter


@dataclass
class Case:
    target_type: str
    target_id: str
    subject: User | None
    reports: list[Report]
    reporters: dict[str, User]
    message: Message | None = None
    held: bool = False
    context: list[Message] = field(default_factory=list)  # the message and around it, by seq
    offers: list[Message] = field(default_factory=list)  # offers/requests among the context
    bookings: list[Booking] = field(default_factory=list)  # between the subject and a reporter


def queue(
    ctx: ServiceContext, actor: User, limit: int | None, cursor: str | None
) -> tuple[list[Case], str | None]:
    """Cases with open reports, newest report first, a page of reports at a time."""
    require_admin(actor)
    limit = clamp_limit(limit, 25)
    before = decode_cursor(cursor, r=str)["r"] if cursor else None
    found = ctx.store.reports.list_open(limit + 1, before_id=before)
    page = found[:limit]
    next_cursor = encode_cursor({"r": page[-1].id}) if len(found) > limit else None
    targets = list(dict.fromkeys((r.target_type, r.target_id) for r in page))
    return [case(ctx, actor, t, i) for t, i in targets], next_cursor


def case(ctx: ServiceContext, actor: User, target_type: str, target_id: str) -> Case:
    require_admin(actor)
    open_reports = ctx.store.reports.open_for_target(target_type, target_id)
    subject_id = open_reports[0].subject_id if open_reports else target_id
    message = None
    if target_type == "message":
        message = ctx.store.messages.get(target_id)
        if message is None:
            raise NotFound("message not found")
        subject_id = message.sender_id
    people = accounts.users_by_id(ctx, {subject_id} | {r.reporter_id for r in open_reports})
    found = Case(
        target_type,
        target_id,
        people.get(subject_id),
        open_reports,
        {r.reporter_id: people[r.reporter_id] for r in open_reports if r.reporter_id in people},
        message=message,
    )
    if message is not None:
        found.held = bool(ctx.store.reports.held_among([message.id]))
        found.context = _around(ctx, message)
        found.offers = [m for m in found.context if m.service_offer or m.booking_request]
    reporter_ids = {r.reporter_id for r in open_reports}
    found.bookings = [
        b
        for b in ctx.store.bookings.list_for_user(subject_id, None, DEAL_LOOKBACK)
        if {b.client_id, b.provider_id} & reporter_ids
    ]
    return found


def _around(ctx: ServiceContext, message: Message) -> list[Message]:
    repo = ctx.store.messages
    # viewed as the sender: nothing it deleted for itself is missing from its side of the story
    before = repo.page(
        message.conversation_id,
        message.sender_id,
        before_seq=message.seq,
        limit=CONTEXT_EACH_SIDE,
    )
    after = repo.page(
        message.conversation_id,
        message.sender_id,
        after_seq=message.seq,
        limit=CONTEXT_EACH_SIDE,
    )
    return [*reversed(before), message, *after]


@unit_of_work
def decide(ctx: ServiceContext, actor: User, target_type: str, target_id: str, action: str) -> Case:
    """Applies a moderator's decision to a reported target and records it, all in one unit of
    work: the decision, the closed reports and the audit entry commit together or not at all."""
    require_admin(actor)
    if target_type not in ("message", "user"):
        raise NotFound("no such report target")
    if action not in ACTIONS:
        raise ValidationFailed.field("action", "must be one of " + ", ".join(ACTIONS))
    if action in MESSAGE_ONLY and target_type != "message":
        raise ValidationFailed.field("action", f"{action} applies to reported messages")
    current = case(ctx, actor, target_type, target_id)
    if current.subject is None:
        raise NotFound("the reported user is gone")
    if action == "dismiss" and target_type == "message":
        reports.release(ctx, target_id)
    elif action == "delete":
        messages.delete_message(ctx, actor, target_id)
        ctx.store.reports.release(target_id)
    elif action == "hide":
        assert current.message is not None
        if ctx.store.reports.hold(target_id, ctx.clock.now()):
            reports.publish_held(ctx, current.message)
    elif action == "suspend":
        accounts.set_suspended(ctx, actor, current.subject.id, True)
    closed = ctx.store.reports.close_for_target(
        target_type, target_id, action, actor.id, ctx.clock.now()
    )
    audit.record(
        ctx,
        actor,
        f"report.{action}",
        target_type,
        target_id,
        {
            "subjectId": current.subject.id,
            "reports": closed,
            "reasons": sorted({r.reason for r in current.reports}),
        },
    )
    return case(ctx, actor, target_type, target_id)
