"""A booking time typed in New York is booked for that instant and shown to a reader in Berlin
in Berlin time, each screen labelling the time with its own zone and writing it in its own
locale (real Chromium with Playwright's ``timezone_id`` and ``locale``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat_browser import open_conversation, pair  # noqa: F401

pytestmark = pytest.mark.slow

NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


def test_a_booking_typed_in_new_york_is_that_instant_everywhere(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, package = pair
    bob_page = signed_in(bob, timezone_id="America/New_York", locale="en-US")
    alice_page = signed_in(alice, timezone_id="Europe/Berlin", locale="en-GB")
    open_conversation(bob_page, conversation_id)
    open_conversation(alice_page, conversation_id)

    day = (datetime.now(NEW_YORK) + timedelta(days=3)).date()
    typed = datetime(day.year, day.month, day.day, 10, 0)
    bob_page.click(".composer-menu summary")
    bob_page.get_by_role("button", name="Booking request").click()
    dialog = bob_page.locator("#dialog")
    expect(dialog).to_contain_text("America/New_York")
    dialog.get_by_label("Start").fill(typed.strftime("%Y-%m-%dT%H:%M"))
    dialog.get_by_role("button", name="Send request").click()
    expect(dialog).to_be_hidden()

    instant = typed.replace(tzinfo=NEW_YORK).astimezone(UTC)
    [sent] = [
        m
        for m in api.json("GET", f"/api/conversations/{conversation_id}/messages", bob)["items"]
        if m["type"] == "booking_request"
    ]
    assert sent["bookingRequest"]["requestedStart"] == instant.strftime("%Y-%m-%dT%H:%M:00.000Z")

    bob_when = bob_page.locator(".card--booking").last.locator("dd").first
    expect(bob_when).to_contain_text("10:00 AM")
    expect(bob_when).to_contain_text("America/New_York")
    berlin = instant.astimezone(BERLIN).strftime("%H:%M")
    alice_when = alice_page.locator(".card--booking").last.locator("dd").first
    expect(alice_when).to_contain_text(berlin)  # pushed, then shown in the reader's zone
    expect(alice_when).to_contain_text("Europe/Berlin")
    # the pushed card's Confirm asks about that time in Berlin too (the push was rendered in UTC)
    asked = []
    alice_page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    alice_page.locator(".card--booking").last.get_by_role("button", name="Confirm").click()
    assert len(asked) == 1 and f", {berlin} (Europe/Berlin) for €49.50?" in asked[0], asked
    alice_page.reload()
    reloaded = alice_page.locator(".card--booking").last.locator("dd").first
    expect(reloaded).to_contain_text(berlin)  # rendered by the server from the tz cookie
    expect(reloaded).to_contain_text("Europe/Berlin")
