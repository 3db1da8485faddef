"""The bookings page: upcoming and past bookings, as client and as provider, in the viewer's
time zone, with the price, the other person, the conversation and a calendar file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, artifact
from tests.browser.test_chat_browser import pair  # noqa: F401

pytestmark = pytest.mark.slow

BERLIN = ZoneInfo("Europe/Berlin")


def _book(api, alice, bob, conversation_id, package, start: datetime) -> str:
    sent = api.json(
        "POST",
        f"/api/conversations/{conversation_id}/messages/booking-request",
        bob,
        json={
            "servicePackageId": package["id"],
            "requestedStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    confirmed = api.json("POST", f"/api/messages/{sent['id']}/booking/confirm", alice)
    return confirmed["bookingRequest"]["bookingId"]


def test_bookings_page_lists_both_sides_with_a_calendar_file(api, pair, signed_in, live_server):  # noqa: F811
    alice, bob, conversation_id, package = pair
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    booking_id = _book(api, alice, bob, conversation_id, package, start)

    page = signed_in(bob, timezone_id="Europe/Berlin", locale="en-GB")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Bookings").click()
    expect(page.get_by_role("heading", name="Bookings", level=1)).to_be_visible()
    row = page.locator(f"#upcoming #booking-{booking_id}")
    expect(row).to_contain_text("Kitchen sink repair")
    expect(row).to_contain_text(start.astimezone(BERLIN).strftime("%H:%M"))
    expect(row).to_contain_text("Europe/Berlin")
    expect(row).to_contain_text("€49.50")
    expect(row).to_contain_text("with Alice Provider")
    expect(row).to_contain_text("you are the client")
    expect(row.get_by_role("link", name="Conversation")).to_have_attribute(
        "href", f"/chat/{conversation_id}"
    )
    with page.expect_download() as download:
        row.get_by_role("link", name="Add to calendar").click()
    path = download.value.path()
    [event] = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert str(event["summary"]) == "Kitchen sink repair with Alice Provider"
    page.screenshot(path=artifact("bookings-desktop.png"), full_page=True)

    provider = signed_in(alice, PHONE)
    provider.goto(live_server.url + "/bookings")
    mine = provider.locator(f"#upcoming #booking-{booking_id}")
    expect(mine).to_contain_text("for Bob Client")
    expect(mine).to_contain_text("you are the provider")
    provider.screenshot(path=artifact("bookings-phone.png"), full_page=True)
    assert provider.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_booking_request_shows_its_price_asks_once_and_says_when_it_is_booked_for(
    api,
    pair,  # noqa: F811
    signed_in,
    live_server,
):
    from tests.browser.test_chat_browser import open_conversation

    alice, bob, conversation_id, package = pair
    start = (datetime.now(UTC) + timedelta(days=4)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    api.json(
        "POST",
        f"/api/conversations/{conversation_id}/messages/booking-request",
        bob,
        json={
            "servicePackageId": package["id"],
            "requestedStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    page = signed_in(alice, timezone_id="Europe/Berlin", locale="en-GB")
    open_conversation(page, conversation_id)
    card = page.locator(".card--booking").last
    expect(card).to_contain_text("€49.50")  # the price of the request
    expect(card).to_contain_text("in 23 h")  # to answer
    local = start.astimezone(BERLIN)
    this_year = local.year == datetime.now(BERLIN).year
    when = local.strftime("%a %-d %b, %H:%M" if this_year else "%a, %-d %b %Y, %H:%M")  # en-GB
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    card.get_by_role("button", name="Confirm").click()
    expect(card.locator(".status")).to_have_text("Confirmed")
    assert asked == [
        f"Confirm Kitchen sink repair on {when} (Europe/Berlin) for €49.50? This books it."
    ]
    expect(card.locator(".card-outcome")).to_contain_text(f"Booked for {when}")

    # the currency is picked from a list, labelled in the viewer's language
    page.goto(live_server.url + "/packages")
    currency = page.get_by_label("Currency")
    expect(currency).to_have_value("USD")
    currency.select_option("GBP")
    expect(currency.locator("option:checked")).to_have_text("GBP · British Pound")
    page.get_by_label("Title").fill("Boiler service")
    page.get_by_label("Price").fill("80")
    page.get_by_role("button", name="Create package").click()
    expect(page.locator("#package-list li").first).to_contain_text("£80.00")


def test_a_request_declined_for_an_overlap_says_so(api, pair, signed_in):  # noqa: F811
    from tests.browser.test_chat_browser import open_conversation

    alice, bob, conversation_id, package = pair
    start = (datetime.now(UTC) + timedelta(days=5)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    sent = []
    for at in (start, start + timedelta(minutes=30)):
        sent.append(
            api.json(
                "POST",
                f"/api/conversations/{conversation_id}/messages/booking-request",
                bob,
                json={
                    "servicePackageId": package["id"],
                    "requestedStart": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            )
        )
    page = signed_in(bob)
    open_conversation(page, conversation_id)
    api.json("POST", f"/api/messages/{sent[0]['id']}/booking/confirm", alice)
    declined = page.locator(f"#message-{sent[1]['id']} .card--booking")
    expect(declined.locator(".status")).to_have_text("Declined")
    expect(declined).to_contain_text(
        "Declined: the time overlapped a booking the provider had just confirmed"
    )
