"""Business rules that are pure functions of domain objects: stated once here, used by the
services, by both storage adapters (through what the services store) and by the pages."""

from __future__ import annotations


def counts_unread(message_type: str) -> bool:
    """Whether a message counts as unread for the other participants until they read it:
    every message but the system's notes about the conversation itself. Decided when the
    message is sent and stored with it."""
    return message_type != "system"
