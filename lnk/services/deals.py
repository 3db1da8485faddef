"""What service offers and booking requests share: where they may be sent, loading one for a
response, and the compare-and-set transitions that make every response happen exactly once.

Each transition is one compare-and-set on the stored status (``update_offer`` /
``update_booking_request`` with ``expected_status``): of two responses racing for the same
pending item, exactly one write succeeds and the other caller gets a 409.
"""

from __future__ import annotations

from dataclasses import replace

from lnk.domain.events import MessageUpdated
from lnk.domain.models import BookingRequest, Conversation, Message, ServiceOffer, User
from lnk.errors import Conflict, ValidationFailed
from lnk.services import analytics
from lnk.services.context import ServiceContext, unit_of_work
from lnk.services.conversations import conversation_by_id
from lnk.services.deadlines import is_past_due
from lnk.services.messages import preview_of, visible_message


class Expired(Conflict):
    """The item was past due: its expiry is stored (and announced) although the answer is
    refused."""

    keeps_writes = True


ACTIONS = {"service_offer": "offer", "booking_request": "booking"}
NOTE_CHARS = 1000


def other_participant(conversation: Conversation, actor: User) -> str:
    """The recipient: offers and requests live only in direct conversations (else 422)."""
    if conversation.type != "direct":
        raise ValidationFailed.field(
            "conversationId", "offers and booking requests are sent only in direct conversations"
        )
    others = [uid for uid in conversation.participant_ids if uid != actor.id]
    if len(others) != 1:
        raise ValidationFailed.field("conversationId", "this conversation has no other participant")
    return others[0]


def clean_note(note: str | None) -> str | None:
    text = (note or "").strip()
    if len(text) > NOTE_CHARS:
        raise ValidationFailed.field("note", f"must be at most {NOTE_CHARS} characters")
    return text or None


def load(
    ctx: ServiceContext, actor: User, message_id: str, kind: str
) -> tuple[Message, Conversation]:
    """A visible message carrying a ``kind`` item: 404 if the actor may not see it, 422 if it
    carries something else, 409 if it was deleted."""
    message, _ = visible_message(ctx, actor, message_id)
    conversation = conversation_by_id(ctx, message.conversation_id)
    assert conversation is not None  # the actor's membership was just found
    if message.deleted:
        raise Conflict("this message was deleted")
    item = message.service_offer if kind == "service_offer" else message.booking_request
    if message.type != kind or item is None:
        label = "service offer" if kind == "service_offer" else "booking request"
        raise ValidationFailed.field("id", f"this message is not a {label}")
    return message, conversation


def require_pending(ctx: ServiceContext, message: Message, conversation: Conversation) -> None:
    """409 unless the item is pending and before its deadline (a past-due one is expired now)."""
    item = message.service_offer or message.booking_request
    assert item is not None
    if item.status == "pending" and is_past_due(message, ctx.clock.now()):
        expire(ctx, message, conversation)
        raise Expired("this has expired")
    if item.status != "pending":
        raise Conflict(f"this is already {item.status}")


def transition(
    ctx: ServiceContext, message: Message, expected: str, item: ServiceOffer | BookingRequest
) -> Message | None:
    """Compare-and-set of the message's offer or request; None when another writer won."""
    draft = (
        replace(message, service_offer=item)
        if isinstance(item, ServiceOffer)
        else replace(message, booking_request=item)
    )
    if isinstance(item, ServiceOffer):
        return ctx.store.messages.update_offer(message.id, expected, item, preview_of(draft))
    return ctx.store.messages.update_booking_request(message.id, expected, item, preview_of(draft))


def respond(ctx: ServiceContext, message: Message, item: ServiceOffer | BookingRequest) -> Message:
    """Moves a pending item to ``item``'s state exactly once; 409 for the loser of a race."""
    updated = transition(ctx, message, "pending", item)
    if updated is None:
        raise Conflict("this was already answered")
    analytics.count_answer(ctx, updated)
    return updated


def announce(ctx: ServiceContext, conversation: Conversation, message: Message) -> None:
    ctx.events.publish(
        [MessageUpdated(message, ACTIONS[message.type], tuple(conversation.participant_ids))]
    )


@unit_of_work
def expire(
    ctx: ServiceContext, message: Message, conversation: Conversation | None = None
) -> Message | None:
    """Stores a past-due pending item as expired and announces it; None if already answered."""
    if message.service_offer is not None:
        item: ServiceOffer | BookingRequest = replace(message.service_offer, status="expired")
    else:
        assert message.booking_request is not None
        item = replace(message.booking_request, status="expired")
    updated = transition(ctx, message, "pending", item)
    if updated is None:
        return None
    conversation = conversation or ctx.store.conversations.get(message.conversation_id)
    if conversation is not None:
        announce(ctx, conversation, updated)
    return updated
