"""Offline sending: what is typed while the network is down waits, and goes by itself, in order
and once each, when it is back; a message the server refuses goes back to the composer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat_browser import open_conversation, pair  # noqa: F401

pytestmark = pytest.mark.slow


def test_messages_typed_offline_are_sent_on_reconnect_once_each(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    open_conversation(bob_page, conversation_id)

    alice_page.context.set_offline(True)
    for text in ("first while offline", "second while offline"):
        alice_page.fill("#composer-text", text)
        alice_page.press("#composer-text", "Enter")
    waiting = alice_page.locator("#messages li.msg--pending")
    expect(waiting).to_have_count(2)
    expect(waiting.first.locator(".meta")).to_have_text("Waiting for connection…")
    expect(waiting.last.locator(".meta")).to_have_text("Waiting for connection…")
    expect(alice_page.get_by_role("button", name="Retry")).to_have_count(0)

    alice_page.context.set_offline(False)
    theirs = bob_page.locator("#messages li.msg .text")
    expect(theirs.filter(has_text="while offline")).to_have_count(2)
    expect(theirs.nth(-2)).to_have_text("first while offline")
    expect(theirs.last).to_have_text("second while offline")
    expect(alice_page.locator("#messages li.msg--pending")).to_have_count(0)
    expect(
        alice_page.locator("#messages li.msg .text").filter(has_text="while offline")
    ).to_have_count(2)
    stored = [
        m["content"]
        for m in api.json("GET", f"/api/conversations/{conversation_id}/messages", bob)["items"]
        if "while offline" in (m.get("content") or "")
    ]
    assert sorted(stored) == ["first while offline", "second while offline"]


def test_long_text_is_counted_never_cut_and_a_refused_message_stays_editable(api, pair, signed_in):  # noqa: F811
    alice, _, conversation_id, _ = pair
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    long_text = "x" * 4100
    page.locator("#composer-text").fill(long_text)  # as a paste: one input event
    expect(page.locator("#composer-text")).to_have_value(long_text)  # nothing cut
    expect(page.locator("#composer-count")).to_have_text("100 characters over the 4,000 limit")
    page.press("#composer-text", "Enter")
    expect(page.locator("#composer-error")).to_contain_text("limited to 4,000 characters")
    expect(page.locator("#messages li.msg--pending")).to_have_count(0)

    page.locator("#composer-text").fill("x" * 3990)
    expect(page.locator("#composer-count")).to_have_text("3,990 / 4,000")
    page.locator("#composer-text").fill("")
    expect(page.locator("#composer-count")).to_be_hidden()

    # a message the server refuses (here: a reply to a message that does not exist) comes back
    # to the composer instead of offering a Retry that cannot succeed
    page.evaluate(
        "() => { document.getElementById('reply-to-id').value = '0123456789abcdef01234567'; }"
    )
    page.fill("#composer-text", "About that message")
    page.press("#composer-text", "Enter")
    failed = page.locator("#messages li.msg--failed")
    expect(failed).to_have_count(1)
    expect(failed.get_by_role("button", name="Retry")).to_have_count(0)
    failed.get_by_role("button", name="Edit").click()
    expect(page.locator("#messages li.msg--failed")).to_have_count(0)
    expect(page.locator("#composer-text")).to_have_value("About that message")
    expect(page.locator("#composer-text")).to_be_focused()
