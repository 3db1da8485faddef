"""The words of a notification: mails (plain text and HTML from Jinja templates) and push payloads.

Rendering needs the app (its Jinja environment); the worker calls these inside an app context.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import render_template

from lnk.notify.tokens import LinkTokens
from lnk.services.notification_digests import Digest

PUSH_BODY_CHARS = 180


def conversation_path(conversation_id: str) -> str:
    return f"/chat/{conversation_id}"


def _subject(digest: Digest) -> str:
    count = len(digest.lines) + digest.more
    if digest.has_deals and all(line.reason != "message" for line in digest.lines):
        return f"Offer and booking news from {digest.title}"
    if count == 1:
        return f"New message from {digest.lines[0].sender_name} in {digest.title}"
    return f"{count} new messages in {digest.title}"


def _envelope(sender: str, to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    return message


def digest_email(digest: Digest, *, base_url: str, sender: str, tokens: LinkTokens) -> EmailMessage:
    """The mail of a conversation digest, with RFC 8058 one-click unsubscribe headers."""
    assert digest.settings.email
    unsubscribe_url = f"{base_url}/unsubscribe?token={tokens.unsubscribe_token(digest.user.id)}"
    context = {
        "digest": digest,
        "conversation_url": base_url + conversation_path(digest.conversation.id),
        "settings_url": base_url + "/chat",
        "unsubscribe_url": unsubscribe_url,
    }
    message = _envelope(sender, digest.settings.email, _subject(digest))
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template("email/digest.txt", **context))
    message.add_alternative(render_template("email/digest.html", **context), subtype="html")
    return message


def verification_email(
    user_id: str, display_name: str, email: str, *, base_url: str, sender: str, tokens: LinkTokens
) -> EmailMessage:
    context = {
        "display_name": display_name,
        "verify_url": f"{base_url}/verify-email?token={tokens.verify_token(user_id, email)}",
    }
    message = _envelope(sender, email, "Confirm your email address for LNK")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template("email/verify.txt", **context))
    message.add_alternative(render_template("email/verify.html", **context), subtype="html")
    return message


def push_payload(digest: Digest) -> str:
    """The JSON the service worker turns into a notification."""
    last = digest.lines[-1]
    count = len(digest.lines) + digest.more
    body = f"{last.sender_name}: {last.text}"
    if count > 1:
        body = f"{count} new · " + body
    if len(body) > PUSH_BODY_CHARS:
        body = body[: PUSH_BODY_CHARS - 1] + "…"
    return json.dumps(
        {
            "title": digest.title,
            "body": body,
            "url": conversation_path(digest.conversation.id),
            "tag": "conversation-" + digest.conversation.id,
            "conversationId": digest.conversation.id,
        },
        ensure_ascii=False,
    )
