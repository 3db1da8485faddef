"""Reports of messages and users, and hiding a message that enough people reported.

Rules:
- A user may report a message it can see (not its own, not a system message) or another user,
  with one of ``REPORT_REASONS`` and an optional note. One open report per reporter and target:
  repeating it changes nothing and answers the first report.
- A message reported by ``rules.report_hide_threshold`` different users is held: everyone but
  its sender sees it as "hidden pending review" (no content, files, location or deal), until a
  moderator decides (``report_review``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lnk.domain.events import MessageUpdated
from lnk.domain.models import Conversation, Message, User
from lnk.domain.safety import REPORT_REASONS, Report
from lnk.errors import NotFound, ValidationFailed
from lnk.services import conversations
from lnk.services.context import ServiceContext

MAX_NOTE_CHARS = 1000
HELD_PREVIEW = "Hidden pending review"


@dataclass(frozen=True)
class ReportResult:
    report: Report
    created: bool


def _check(reason: str, note: str | None) -> str:
    if reason not in REPORT_REASONS:
        raise ValidationFailed.field("reason", "must be one of " + ", ".join(REPORT_REASONS))
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationFailed.field("note", f"must be at most {MAX_NOTE_CHARS} characters")
    return note


def report_message(
    ctx: ServiceContext, actor: User, message_id: str, reason: str, note: str | None = None
) -> ReportResult:
    from lnk.services.messages import visible_message  # messages imports this module

    note = _check(reason, note)
    message, _ = visible_message(ctx, actor, message_id)
    if message.sender_id == actor.id:
        raise ValidationFailed.field("id", "you cannot report your own message")
    if message.type == "system":
        raise ValidationFailed.field("id", "system messages cannot be reported")
    report, created = ctx.store.reports.create(
        Report(
            id="",
            reporter_id=actor.id,
            target_type="message",
            target_id=message.id,
            subject_id=message.sender_id,
            conversation_id=message.conversation_id,
            reason=reason,
            note=note,
            created_at=ctx.clock.now(),
        )
    )
    if created and not message.deleted:
        _hold_if_reported_enough(ctx, message)
    return ReportResult(report, created)


def report_user(
    ctx: ServiceContext, actor: User, user_id: str, reason: str, note: str | None = None
) -> ReportResult:
    note = _check(reason, note)
    if user_id == actor.id:
        raise ValidationFailed.field("id", "you cannot report yourself")
    if ctx.store.users.get(user_id) is None:
        raise NotFound("no such user")
    report, created = ctx.store.reports.create(
        Report(
            id="",
            reporter_id=actor.id,
            target_type="user",
            target_id=user_id,
            subject_id=user_id,
            reason=reason,
            note=note,
            created_at=ctx.clock.now(),
        )
    )
    return ReportResult(report, created)


def _hold_if_reported_enough(ctx: ServiceContext, message: Message) -> None:
    if ctx.store.reports.count_open("message", message.id) < ctx.rules.report_hide_threshold:
        return
    if ctx.store.reports.hold(message.id, ctx.clock.now()):
        publish_held(ctx, message)


def publish_held(ctx: ServiceContext, message: Message) -> None:
    """Tells everyone but the sender that the message is now hidden pending review."""
    ctx.events.publish([MessageUpdated(held_copy(message), "held", _others(ctx, message))])


def _others(ctx: ServiceContext, message: Message) -> tuple[str, ...]:
    return tuple(
        u for u in conversations.audience_of(ctx, message.conversation_id) if u != message.sender_id
    )


def held_copy(message: Message) -> Message:
    """What a viewer other than the sender sees of a held message."""
    return replace(
        message,
        held=True,
        content="",
        attachments=[],
        location=None,
        service_offer=None,
        booking_request=None,
        reply_to=None,
        reactions={},
    )


def as_seen_by(ctx: ServiceContext, viewer_id: str, items: list[Message]) -> list[Message]:
    """``items`` as ``viewer_id`` may see them: held messages of others come without content;
    the sender's own are marked held but kept whole. One lookup for the whole page."""
    if not items:
        return items
    held = ctx.store.reports.held_among(m.id for m in items)
    if not held:
        return items
    return [
        m
        if m.id not in held
        else (replace(m, held=True) if m.sender_id == viewer_id else held_copy(m))
        for m in items
    ]


def release(ctx: ServiceContext, message_id: str) -> None:
    """Shows a held message again to everyone (a moderator dismissed the reports)."""
    if not ctx.store.reports.release(message_id):
        return
    message = ctx.store.messages.get(message_id)
    if message is None or message.deleted:
        return
    ctx.events.publish([MessageUpdated(message, "released", _others(ctx, message))])


def previews_as_seen_by(
    ctx: ServiceContext, viewer_id: str, items: list[Conversation]
) -> list[Conversation]:
    """Conversations whose last message is held show others a neutral preview."""
    last_ids = [c.last_message.id for c in items if c.last_message is not None]
    held = ctx.store.reports.held_among(last_ids) if last_ids else set()
    if not held:
        return items
    return [
        replace(c, last_message=replace(c.last_message, preview=HELD_PREVIEW))
        if c.last_message is not None
        and c.last_message.id in held
        and c.last_message.sender_id != viewer_id
        else c
        for c in items
    ]


def update_events(
    ctx: ServiceContext, message: Message, action: str, audience: tuple[str, ...]
) -> list[MessageUpdated]:
    """The ``MessageUpdated`` events for a change to ``message``: while it is held, everyone but
    the sender is told of it without its content."""
    if not ctx.store.reports.held_among([message.id]):
        return [MessageUpdated(message, action, audience)]
    sender = tuple(u for u in audience if u == message.sender_id)
    others = tuple(u for u in audience if u != message.sender_id)
    events = [MessageUpdated(held_copy(message), action, others)] if others else []
    if sender:
        events.append(MessageUpdated(replace(message, held=True), action, sender))
    return events
