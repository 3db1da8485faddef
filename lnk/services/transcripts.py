"""Signed conversation transcripts a dispute team can check later.

A transcript is one JSON document: the conversation, its participants, the messages as the
exporting user sees them (edits marked, deletions as tombstones, offers and booking requests with
their states, attachments listed) and the bookings they led to. Each message carries ``hash``, a
SHA-256 chain link: ``hash_0 = SHA-256("lnk-transcript:" + conversation id)`` and
``hash_i = SHA-256(hash_{i-1} + canonical JSON of message i without its hash)``; ``chainHead`` is
the last link. ``signature`` is an HMAC-SHA256 by the server over the canonical JSON of the whole
document without its ``signature``. Canonical JSON: keys sorted, no spaces, UTF-8.

Changing, removing, reordering or inserting a message breaks the chain; changing anything else
breaks the signature. Only a holder of the server's transcript key can sign, so ``verify`` (the
``flask verify-transcript`` command) runs on the server side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from lnk.domain.models import Conversation, Message, User
from lnk.errors import NotFound
from lnk.presenters import booking_json, iso, message_json
from lnk.services import accounts, audit, messages
from lnk.services.admin import require_admin
from lnk.services.context import ServiceContext
from lnk.services.deadlines import as_seen

FORMAT = "lnk-transcript/1"
ALGORITHM = "HMAC-SHA256"
PAGE = 200
KEY_CONTEXT = b"lnk transcript signing key v1"


def derive_key(signing_secret: str, dedicated: str | None = None) -> bytes:
    """The transcript key: ``LNK_TRANSCRIPT_KEY`` if set, else derived from the app's signing
    secret (so a deployment keeps verifying its transcripts as long as it keeps that secret)."""
    if dedicated:
        return hashlib.sha256(dedicated.encode()).digest()
    return hmac.new(signing_secret.encode(), KEY_CONTEXT, hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"key-id:" + key).hexdigest()[:16]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    messages: int = 0


def export(ctx: ServiceContext, actor: User, conversation_id: str) -> dict:
    """The caller's view of the whole conversation, chained and signed."""
    conversation = ctx.store.conversations.get(conversation_id)
    if conversation is None or conversation.participant(actor.id) is None:
        raise NotFound("conversation not found")
    items: list[Message] = []
    after = 0
    while True:
        page, cursor = messages.list_messages(
            ctx, actor, conversation_id, after_seq=after, limit=PAGE
        )
        items.extend(page)
        if cursor is None or not page:
            break
        after = page[-1].seq
    return _document(ctx, conversation, actor, items)


def export_as_admin(ctx: ServiceContext, actor: User, conversation_id: str) -> dict:
    """Every message of the conversation (an admin is no participant); recorded in the audit
    log."""
    require_admin(actor)
    conversation = ctx.store.conversations.get(conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    items: list[Message] = []
    after = 0
    now = ctx.clock.now()
    while True:
        page = ctx.store.messages.page(conversation_id, actor.id, after_seq=after, limit=PAGE)
        items.extend(as_seen(m, now) for m in page)
        if len(page) < PAGE:
            break
        after = page[-1].seq
    document = _document(ctx, conversation, actor, items)
    audit.record(
        ctx,
        actor,
        "conversation.export",
        "conversation",
        conversation_id,
        {"messages": len(items), "chainHead": document["chainHead"]},
    )
    return document


def _document(
    ctx: ServiceContext, conversation: Conversation, actor: User, items: list[Message]
) -> dict:
    people = accounts.users_by_id(ctx, set(conversation.participant_ids))
    entries = []
    booking_ids: list[str] = []
    for m in items:
        entry = message_json(m)
        entry["edited"] = m.edited_at is not None
        entries.append(entry)
        for deal in (m.service_offer, m.booking_request):
            if deal is not None and deal.booking_id:
                booking_ids.append(deal.booking_id)
    bookings = [ctx.store.bookings.get(b) for b in dict.fromkeys(booking_ids)]
    document: dict[str, Any] = {
        "format": FORMAT,
        "conversation": {
            "id": conversation.id,
            "type": conversation.type,
            "title": conversation.title,
            "participants": [
                {
                    "id": p.user_id,
                    "username": people[p.user_id].username if p.user_id in people else None,
                    "displayName": people[p.user_id].display_name if p.user_id in people else None,
                    "role": p.role,
                }
                for p in conversation.participants
            ],
        },
        "exportedFor": {"id": actor.id, "username": actor.username},
        "exportedAt": iso(ctx.clock.now()),
        "messages": entries,
        "bookings": [booking_json(b) for b in bookings if b is not None],
    }
    key = ctx.transcript_key
    return ctx.workers.run(_seal, document, key)


def _seal(document: dict, key: bytes) -> dict:
    """Chains the messages and signs the document (CPU work: runs in the worker pool)."""
    link = _start(document["conversation"]["id"])
    for entry in document["messages"]:
        link = _next(link, entry)
        entry["hash"] = link
    document["chainHead"] = link
    document["signature"] = {
        "alg": ALGORITHM,
        "keyId": key_id(key),
        "value": _sign(document, key),
    }
    return document


def _start(conversation_id: str) -> str:
    return hashlib.sha256(f"lnk-transcript:{conversation_id}".encode()).hexdigest()


def _next(previous: str, entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(previous.encode() + canonical(body)).hexdigest()


def _sign(document: dict, key: bytes) -> str:
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    return hmac.new(key, canonical(unsigned), hashlib.sha256).hexdigest()


def verify(document: Any, key: bytes) -> Verdict:
    """Checks the chain link by link, then the signature."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return Verdict(False, f"not an {FORMAT} document")
    try:
        entries = document["messages"]
        link = _start(document["conversation"]["id"])
        for index, entry in enumerate(entries):
            link = _next(link, entry)
            if entry.get("hash") != link:
                return Verdict(False, f"message {index + 1} (seq {entry.get('seq')}) was altered")
        if document.get("chainHead") != link:
            return Verdict(False, "the chain head does not match: messages were removed or added")
        signature = document["signature"]
        if signature.get("alg") != ALGORITHM:
            return Verdict(False, "unknown signature algorithm")
        if signature.get("keyId") != key_id(key):
            return Verdict(False, "signed with another key")
        if not hmac.compare_digest(str(signature.get("value")), _sign(document, key)):
            return Verdict(False, "the signature does not match: the document was altered")
    except (KeyError, TypeError, AttributeError):
        return Verdict(False, "the document is incomplete")
    return Verdict(True, "intact and signed by this server", len(entries))


def from_text(text: str) -> Any:
    """The document from a JSON export, or from an HTML export (which embeds it)."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return json.loads(stripped)
    marker = '<script type="application/json" id="lnk-transcript">'
    start = text.find(marker)
    end = text.find("</script>", start)
    if start < 0 or end < 0:
        raise ValueError("no transcript found in the file")
    return json.loads(text[start + len(marker) : end])
