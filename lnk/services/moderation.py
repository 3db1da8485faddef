"""Marketplace safety net: spotting contact details shared before a booking is confirmed.

Rule: in a conversation that has no confirmed booking yet, a message whose text holds an email
address or a phone number is still sent, but the sender gets a ``contact_info`` warning and the
message is flagged for moderators. Taking a deal off the platform before it is booked is how
clients and providers get defrauded; once a booking is confirmed, sharing contacts is expected.
A phone number is 7-15 digits, optionally led by ``+`` and separated by spaces, dots, dashes or
parentheses (dates such as 2026-12-01 are not); prices rarely match that shape, and a false
positive only costs a warning.
"""

from __future__ import annotations

import re

from lnk.services.context import ServiceContext

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{5,20}\d(?!\w)")
DATE_RE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")

CONTACT_WARNING = {
    "code": "contact_info",
    "message": "Sharing contact details before a booking is confirmed is flagged for review; "
    "keep the deal on LNK to stay protected.",
}


def has_contact_info(text: str) -> bool:
    if EMAIL_RE.search(text):
        return True
    for match in PHONE_RE.finditer(text):
        candidate = match.group().strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if 7 <= digits <= 15 and not DATE_RE.fullmatch(candidate):
            return True
    return False


def screen_text(ctx: ServiceContext, conversation_id: str, text: str) -> list[dict]:
    """Warnings for a message about to be sent (empty when nothing is wrong)."""
    if not text or not has_contact_info(text):
        return []
    if ctx.store.bookings.has_confirmed_in_conversation(conversation_id):
        return []
    return [dict(CONTACT_WARNING)]
