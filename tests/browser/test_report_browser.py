"""Reporting a message from its menu in the browser, and finding it in the admin queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lnk.store.sqlite import SqliteStore

pytestmark = pytest.mark.slow


def test_a_reported_message_reaches_the_admin_queue(api, live_server, signed_in):
    alice = api.register("reporter", display_name="Rita Reporter")
    bob = api.register("pusher", display_name="Pete Pusher")
    moderator = api.register("moderator", display_name="Mo Moderator")
    store = SqliteStore(str(live_server.sqlite_path), upload_dir=str(live_server.upload_dir))
    try:
        store.users.update(moderator.id, role="admin")
    finally:
        store.close()
    conversation = api.direct(bob, alice)
    message = api.send(bob, conversation["id"], "Pay me by wire, skip the platform fees")

    page = signed_in(alice)
    page.wait_for_function("() => window.lnk.chat.connected()")
    page.click(f"#conversation-{conversation['id']} a")
    bubble = page.locator(f"#message-{message['id']}")
    bubble.hover()
    bubble.locator("summary").first.click()
    bubble.get_by_label("Report message").select_option("off_platform")
    bubble.get_by_label("Note for the moderators").fill("wants to avoid fees")
    bubble.get_by_role("button", name="Send report").click()
    expect(page.locator("#toasts")).to_contain_text("Reported")

    admin_page = signed_in(moderator)
    admin_page.goto(live_server.url + "/admin/reports")
    case = admin_page.locator(f"#admin-report-message-{message['id']}")
    expect(case).to_contain_text("Pay me by wire, skip the platform fees")
    expect(case).to_contain_text("off platform")
    expect(case).to_contain_text("wants to avoid fees")
    expect(case).to_contain_text("@" + alice.username)

    case.get_by_role("button", name="Dismiss").click()
    expect(case).to_contain_text("Decided: dismiss")
    admin_page.goto(live_server.url + "/admin/audit")
    expect(admin_page.locator("#admin-audit")).to_contain_text("report.dismiss")
