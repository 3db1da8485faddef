"""What the page says about the connection and the people in it: a suspended account is told so
(not "Reconnecting…" forever), a removed member is told so (the chat does not just vanish),
nobody shows "online" while the page itself is offline, presence times use the messages'
format (24-hour in en-GB; tests/browser/test_times_browser.py has en-US), and "last seen"
survives a reload, in the viewer's zone."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import artifact
from tests.browser.test_chat_browser import open_conversation, pair  # noqa: F401
from tests.support.net import wait_until

pytestmark = pytest.mark.slow


def test_a_suspended_account_is_told_so(api, pair, signed_in, live_server):  # noqa: F811
    from lnk.store.sqlite import SqliteStore

    alice, bob, conversation_id, _ = pair
    page = signed_in(bob)
    open_conversation(page, conversation_id)
    store = SqliteStore(str(live_server.sqlite_path), upload_dir=str(live_server.upload_dir))
    try:
        store.users.update(bob.id, suspended=True)
    finally:
        store.close()
    page.evaluate("window.lnk.chat.socket().io.engine.close()")  # the next connect is refused
    banner = page.locator("#connection")
    expect(banner).to_contain_text("Your account is suspended")
    expect(banner).not_to_contain_text("Reconnecting")
    expect(page.locator("#composer-text")).to_be_disabled()


def test_a_removed_member_is_told_which_group(api, signed_in):
    owner = api.register("olga", display_name="Olga Owner")
    member = api.register("mo", display_name="Mo Member")
    other = api.register("pat", display_name="Pat Member")
    group = api.group(owner, [member, other], title="Garden crew")
    api.send(owner, group["id"], "Welcome")
    page = signed_in(member)
    open_conversation(page, group["id"])
    api.json(
        "PUT",
        f"/api/conversations/{group['id']}",
        owner,
        json={"removeParticipantIds": [member.id]},
    )
    expect(page.locator("#removed-note h1")).to_have_text("You were removed from Garden crew")
    expect(page.locator(f"#conversation-{group['id']}")).to_have_count(0)
    expect(page.get_by_role("link", name="Back to your chats")).to_be_visible()


def test_nobody_shows_online_while_the_page_is_offline(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    alice_page = signed_in(alice)
    bob_page = signed_in(bob, locale="en-GB")
    open_conversation(bob_page, conversation_id)
    status = bob_page.locator(f"#conversation [data-presence-text='{alice.id}']")
    expect(status).to_have_text("online")

    bob_page.context.set_offline(True)
    bob_page.evaluate("window.lnk.chat.socket().io.engine.close()")
    expect(bob_page.locator("#connection")).to_be_visible()
    expect(status).not_to_have_text("online")
    bob_page.context.set_offline(False)
    expect(status).to_have_text("online")

    alice_page.close()  # Alice goes: "last seen" in the messages' format, 24-hour in en-GB
    expect(status).to_have_text(re.compile(r"^last seen \d\d:\d\d$"), timeout=20_000)


def test_last_seen_survives_a_reload_in_the_viewers_zone(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    zone = "Asia/Kolkata"  # half an hour off any whole-hour zone: a wrong zone shows
    alice_page = signed_in(alice)
    bob_page = signed_in(bob, timezone_id=zone, locale="en-GB")
    open_conversation(bob_page, conversation_id)
    status = bob_page.locator(f"#conversation [data-presence-text='{alice.id}']")
    expect(status).to_have_text("online")

    alice_page.close()
    expect(status).to_have_text(re.compile(r"^last seen \d\d:\d\d$"), timeout=20_000)
    stored: list[str] = []

    def recorded() -> bool:
        stored[:] = [api.json("GET", f"/api/users/{alice.id}", bob)["lastSeenAt"]]
        return stored[0] is not None

    wait_until(recorded, timeout=10, message="alice's last seen stored")
    instant = datetime.fromisoformat(stored[0].replace("Z", "+00:00"))
    # today's time of day (the weekday before it, should the zone's midnight fall in between)
    shown = re.compile(rf"^last seen (\w{{3}} )?{instant.astimezone(ZoneInfo(zone)):%H:%M}$")
    expect(status).to_have_text(shown)  # the push and the stored instant agree

    bob_page.goto(f"{bob_page.url.split('/chat')[0]}/chat/{conversation_id}")
    status = bob_page.locator(f"#conversation [data-presence-text='{alice.id}']")
    expect(status).to_have_text(shown)  # rendered by the server from the stored instant
    expect(status.locator("time")).to_have_attribute("datetime", stored[0])
    bob_page.locator("#conversation .conv-header").screenshot(path=artifact("last-seen.png"))

    # back online, then the viewer's page goes offline: the stored line, never a stale "online"
    alice_page = signed_in(alice)
    expect(status).to_have_text("online")
    bob_page.context.set_offline(True)
    bob_page.evaluate("window.lnk.chat.socket().io.engine.close()")
    expect(bob_page.locator("#connection")).to_be_visible()
    expect(status).to_have_text(shown)
    bob_page.context.set_offline(False)
    expect(status).to_have_text("online")
