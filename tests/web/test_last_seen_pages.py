""" "Last seen" in the pages: the direct chat's header and the person's details show the stored
instant in the reader's zone (inside a ``<time>`` the browser re-labels), only to the people who
share the conversation and never across a block."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lnk.presenters import iso
from lnk.services import last_seen
from lnk.web.times import time_text

KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+05:30: no whole-hour coincidence


def presence_line(html: str, user_id: str) -> str:
    return re.search(rf'<span data-presence-text="{user_id}".*?</span>', html, re.S).group(0)


def test_the_header_shows_when_the_other_person_was_last_seen(app, ctx, clock, pair):
    alice, bob, conversation_id = pair
    assert ">offline</span>" in presence_line(bob.get(f"/chat/{conversation_id}").text, alice.id)
    when = clock.now()
    last_seen.record(ctx, {alice.id: when})
    bob.client.set_cookie("tz", "Asia%2FKolkata")
    british = {"Accept-Language": "en-GB"}
    for page in (
        bob.get(f"/chat/{conversation_id}", headers=british),
        bob.get(f"/chat/{conversation_id}", htmx=True, headers=british),
        bob.get(f"/chat/{conversation_id}/settings", htmx=True, headers=british),  # the details
    ):
        line = presence_line(page.text, alice.id)
        local = when.astimezone(KOLKATA).strftime("%H:%M")
        assert f'data-last-seen-at="{iso(when)}"' in line
        assert f'last seen <time datetime="{iso(when)}" data-format="seen">{local}</time>' in line


def test_a_block_hides_last_seen_from_both(client, ctx, clock, pair):
    alice, bob, conversation_id = pair
    last_seen.record(ctx, {alice.id: clock.now(), bob.id: clock.now()})
    blocked = client.post(f"/api/users/{bob.id}/block", headers=alice.account.headers)
    assert blocked.status_code == 201
    for viewer, other in ((bob, alice), (alice, bob)):
        line = presence_line(viewer.get(f"/chat/{conversation_id}").text, other.id)
        assert "last seen" not in line and ">offline</span>" in line


def test_an_older_instant_names_its_weekday_or_its_date(app):
    now = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # Saturday 5 Dec 01:30 in Kolkata
    headers = {"Cookie": "tz=Asia%2FKolkata", "Accept-Language": "en-GB"}
    with app.test_request_context("/", headers=headers):
        assert time_text(datetime(2026, 12, 4, 19, 0, tzinfo=UTC), "seen", now) == "00:30"
        assert time_text(datetime(2026, 12, 4, 18, 0, tzinfo=UTC), "seen", now) == "Fri 23:30"
        assert time_text(datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "seen", now) == "20 Nov"
        assert time_text(datetime(2025, 12, 30, 9, 0, tzinfo=UTC), "seen", now) == "30 Dec 2025"
