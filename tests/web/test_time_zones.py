"""Pages show times in the reader's zone, read from the URL-encoded ``tz`` cookie the page script
sets; a booking time typed into a form is taken in that zone, stored in UTC, and shown with its
zone's name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from test_marketplace_pages import create_package

NEW_YORK = ZoneInfo("America/New_York")


def typed_start() -> datetime:
    """10:00 New York time, a few days ahead (a naive wall-clock time, as a form sends it)."""
    day = (datetime.now(NEW_YORK) + timedelta(days=3)).date()
    return datetime(day.year, day.month, day.day, 10, 0)


def test_a_booking_time_typed_in_new_york_is_stored_as_that_instant(client, pair):
    alice, bob, conversation_id = pair
    package = create_package(client, alice)
    for browser in (alice, bob):
        browser.client.set_cookie("tz", "America%2FNew_York")  # as encodeURIComponent writes it
    form = bob.get(f"/chat/{conversation_id}/booking", htmx=True)
    assert "In your time zone, America/New_York" in form.text
    start = typed_start()
    sent = bob.post(
        f"/chat/{conversation_id}/booking",
        {"servicePackageId": package["id"], "requestedStart": start.strftime("%Y-%m-%dT%H:%M")},
    )
    assert sent.status_code == 201, sent.text
    message_id = re.search(r'id="message-([0-9a-f]{24})"', sent.text).group(1)
    stored = client.get(f"/api/messages/{message_id}", headers=bob.account.headers).get_json()
    expected = start.replace(tzinfo=NEW_YORK).astimezone(UTC)
    assert stored["bookingRequest"]["requestedStart"] == expected.strftime("%Y-%m-%dT%H:%M:00.000Z")
    card = alice.get(f"/chat/messages/{message_id}").text
    when = re.search(r"<dt>When</dt><dd>(.*?)</dd>", card, re.S).group(1)
    assert "10:00 AM" in when and "America/New_York" in when  # en-US: no Accept-Language
    assert f'datetime="{expected.strftime("%Y-%m-%dT%H:%M:00.000Z")}"' in when


def test_another_reader_sees_the_same_booking_in_its_own_zone(client, pair):
    alice, bob, conversation_id = pair
    package = create_package(client, alice)
    bob.client.set_cookie("tz", "America%2FNew_York")
    alice.client.set_cookie("tz", "Europe%2FBerlin")
    start = typed_start()
    sent = bob.post(
        f"/chat/{conversation_id}/booking",
        {"servicePackageId": package["id"], "requestedStart": start.strftime("%Y-%m-%dT%H:%M")},
    )
    message_id = re.search(r'id="message-([0-9a-f]{24})"', sent.text).group(1)
    berlin = start.replace(tzinfo=NEW_YORK).astimezone(ZoneInfo("Europe/Berlin"))
    card = alice.get(f"/chat/messages/{message_id}", headers={"Accept-Language": "en-GB"})
    when = re.search(r"<dt>When</dt><dd>(.*?)</dd>", card.text, re.S)
    assert berlin.strftime("%H:%M") in when.group(1) and "Europe/Berlin" in when.group(1)


def test_message_times_follow_the_cookie_zone_and_a_bad_cookie_falls_back_to_utc(pair):
    alice, _, conversation_id = pair
    alice.client.set_cookie("tz", "Asia%2FKolkata")  # UTC+05:30: no whole-hour coincidence
    page = alice.get(f"/chat/{conversation_id}").text
    stamp = re.search(r'data-ts="(\d+)"[^>]*data-day="([0-9-]+)"', page)
    created = datetime.fromtimestamp(int(stamp.group(1)) / 1000, UTC)
    assert stamp.group(2) == created.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%d")
    for junk in ("Not%2FA_Zone", "..%2F..%2Fetc%2Fpasswd", "%E0%A4"):
        alice.client.set_cookie("tz", junk)
        assert alice.get(f"/chat/{conversation_id}").status_code == 200
