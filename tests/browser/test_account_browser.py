"""Account & security in the browser: a changed password or "sign out everywhere" signs the
other browsers out at once, and blocking from a conversation's menu stops the other person's
sends with a message they can read, until an unblock lets them through again."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, artifact
from tests.browser.test_accessibility_browser import serious_violations
from tests.browser.test_chat_browser import open_conversation

pytestmark = pytest.mark.slow

LOGIN = re.compile(r".*/login(\?.*)?$")


def chatting(api, signed_in, first_words: str):
    """Alice (a provider) and Bob (a client) in their direct conversation, Bob's first words
    in it, both pages open on it."""
    alice = api.register("alice", display_name="Alice Provider")
    bob = api.register("bob", display_name="Bob Client")
    conversation_id = api.direct(bob, alice)["id"]
    api.send(bob, conversation_id, first_words)
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    open_conversation(bob_page, conversation_id)
    return alice, bob, conversation_id, alice_page, bob_page


def open_account_page(page) -> None:
    page.locator("summary.user-chip").click()
    page.get_by_role("link", name="Account & security").click()
    expect(page.get_by_role("heading", name="Account & security")).to_be_visible()


def test_a_changed_password_signs_the_other_browser_out(api, signed_in, browser, live_server):
    alice = api.register("alice", display_name="Alice Provider")
    here, elsewhere = signed_in(alice), signed_in(alice)
    elsewhere.wait_for_function("() => window.lnk.chat.connected()")

    open_account_page(here)
    form = here.locator("#password-form")
    form.get_by_label("Current password").fill(alice.password)
    form.get_by_label("New password", exact=True).fill("a-brand-new-secret")
    form.get_by_label("Repeat the new password").fill("a-brand-new-secret")
    form.get_by_role("button", name="Change password").click()
    expect(here.locator("#password-note")).to_contain_text("Password changed")

    # the other browser's socket is closed by the server, cannot come back, and its page goes
    # to the login form by itself
    elsewhere.wait_for_url(LOGIN)
    here.reload()
    expect(here.get_by_role("heading", name="Account & security")).to_be_visible()

    stale = browser.new_context()
    try:
        login = stale.new_page()
        login.goto(live_server.url + "/login")
        login.fill("#username", alice.username)
        login.fill("#password", alice.password)
        login.click("button[type=submit]")
        expect(login.locator(".alert")).to_contain_text("Invalid username or password")
    finally:
        stale.close()
    signed_in(dataclasses.replace(alice, password="a-brand-new-secret"))  # lands on /chat


def test_a_wrong_current_password_is_shown_next_to_the_field(api, signed_in):
    alice = api.register("alice", display_name="Alice Provider")
    page = signed_in(alice)
    open_account_page(page)
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill("not-my-password")
    form.get_by_label("New password", exact=True).fill("short")
    form.get_by_label("Repeat the new password").fill("short")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#f-currentPassword-error")).to_have_text(
        "The current password is not correct"
    )
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Current password").fill(alice.password)
    form.get_by_label("New password", exact=True).fill("short")
    form.get_by_label("Repeat the new password").fill("short")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#f-newPassword-error")).to_have_text("Must be 8-128 characters")


def test_sign_out_everywhere_ends_this_browser_and_the_others(api, signed_in):
    alice = api.register("alice", display_name="Alice Provider")
    here, elsewhere = signed_in(alice), signed_in(alice)
    elsewhere.wait_for_function("() => window.lnk.chat.connected()")
    open_account_page(here)
    here.get_by_role("button", name="Sign out everywhere").click()
    here.wait_for_url(LOGIN)
    elsewhere.wait_for_url(LOGIN)
    here.goto(here.url.split("/login")[0] + "/chat")
    here.wait_for_url(LOGIN)


def test_sign_out_of_other_devices_keeps_this_one(api, signed_in):
    alice = api.register("alice", display_name="Alice Provider")
    here, elsewhere = signed_in(alice), signed_in(alice)
    elsewhere.wait_for_function("() => window.lnk.chat.connected()")
    open_account_page(here)
    here.get_by_role("button", name="Sign out of all other devices").click()
    expect(here.locator("#sign-out-note")).to_contain_text("Every other device was signed out")
    elsewhere.wait_for_url(LOGIN)
    here.reload()
    expect(here.get_by_role("heading", name="Account & security")).to_be_visible()


def test_blocking_from_the_menu_refuses_the_other_side_until_unblocked(api, signed_in):
    alice, bob, conversation_id, alice_page, bob_page = chatting(
        api, signed_in, "Hi Alice, are you free on Thursday?"
    )

    # Bob loses his connection and writes meanwhile: the message waits to be sent
    bob_page.context.set_offline(True)
    bob_page.fill("#composer-text", "Are you there?")
    bob_page.press("#composer-text", "Enter")
    expect(bob_page.locator("li.msg--waiting")).to_have_count(1)

    alice_page.get_by_label("Conversation options").click()
    alice_page.get_by_role("button", name="Block user").click()
    dialog = alice_page.locator("#dialog")
    expect(dialog).to_contain_text("Neither of you can send the other messages")
    expect(dialog).to_contain_text("online or typing")
    dialog.get_by_role("button", name="Block Bob Client").click()
    expect(dialog).to_be_hidden()
    expect(alice_page.locator("#toasts")).to_contain_text("You blocked Bob Client.")
    notice = alice_page.locator("#block-notice")
    expect(notice).to_contain_text("You blocked Bob Client.")
    expect(alice_page.locator("#composer")).to_be_hidden()

    # back online, Bob's waiting message goes and is refused, with a message he can read
    bob_page.context.set_offline(False)
    failed = bob_page.locator("li.msg--failed")
    expect(failed).to_contain_text(
        "Not sent: You can't send messages to Alice Provider in this conversation."
    )
    expect(bob_page.locator("#block-notice")).to_contain_text("You can't send messages to Alice")
    expect(bob_page.locator("#composer")).to_be_hidden()
    bob_page.screenshot(path=artifact("block-refused-desktop.png"))
    stored = api.json("GET", f"/api/conversations/{conversation_id}/messages", bob)["items"]
    assert [m["content"] for m in stored] == ["Hi Alice, are you free on Thursday?"]

    # Alice unblocks from the notice: Bob's composer comes back by push, with no request
    bob_page.wait_for_function("() => window.lnk.chat.connected()")
    requests: list[str] = []
    bob_page.on("request", lambda r: requests.append(r.url))
    notice.get_by_role("button", name="Unblock").click()
    expect(alice_page.locator("#composer")).to_be_visible()
    expect(bob_page.locator("#composer")).to_be_visible()
    expect(bob_page.locator("#block-notice")).to_be_hidden()
    assert requests == []
    bob_page.fill("#composer-text", "Thursday then?")
    bob_page.press("#composer-text", "Enter")
    expect(alice_page.locator("#messages li.msg .text").last).to_have_text("Thursday then?")

    # blocking again reaches Bob's open page by push alone
    requests.clear()
    alice_page.get_by_label("Conversation options").click()
    alice_page.get_by_role("button", name="Block user").click()
    alice_page.locator("#dialog").get_by_role("button", name="Block Bob Client").click()
    expect(bob_page.locator("#block-notice")).to_contain_text("You can't send messages to Alice")
    expect(bob_page.locator("#composer")).to_be_hidden()
    assert requests == []

    # and the account page lists Bob, with Unblock
    open_account_page(alice_page)
    row = alice_page.locator(f"#blocked-{bob.id}")
    expect(row).to_contain_text("Bob Client")
    row.get_by_role("button", name="Unblock Bob Client").click()
    expect(alice_page.locator("#no-blocked")).to_be_visible()
    expect(bob_page.locator("#composer")).to_be_visible()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_account_page_and_block_dialog_have_no_serious_violations(api, signed_in, viewport):
    alice = api.register("alice", display_name="Alice Provider")
    bob = api.register("bob", display_name="Bob Client")
    carol = api.register("carol", display_name="Carol Cleaner")
    conversation_id = api.direct(alice, bob)["id"]
    api.send(bob, conversation_id, "Hi Alice, are you free on Thursday?")
    api.json("POST", f"/api/users/{carol.id}/block", alice)
    width = "phone" if viewport else "desktop"
    page = signed_in(alice, viewport)
    found = {}

    open_conversation(page, conversation_id)
    page.get_by_label("Conversation options").click()
    page.get_by_role("button", name="Block user").click()
    expect(page.locator("#dialog")).to_contain_text("Block Bob Client?")
    found["block dialog"] = serious_violations(page)
    page.screenshot(path=artifact(f"block-dialog-{width}.png"))
    page.locator("#dialog").get_by_role("button", name="Block Bob Client").click()
    expect(page.locator("#block-notice")).to_be_visible()
    found["block notice"] = serious_violations(page)
    page.screenshot(path=artifact(f"block-notice-{width}.png"))

    page.goto(page.url.split("/chat")[0] + "/account")
    form = page.locator("#password-form")
    form.get_by_label("Current password").fill("not-my-password")
    form.get_by_label("New password", exact=True).fill("a-brand-new-secret")
    form.get_by_label("Repeat the new password").fill("a-brand-new-secret")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#f-currentPassword-error")).to_be_visible()
    found["account"] = serious_violations(page)
    page.screenshot(path=artifact(f"account-{width}.png"), full_page=True)
    bad = {where: v for where, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)


def test_a_block_takes_last_seen_off_the_open_page(api, signed_in):
    alice, bob, _, alice_page, bob_page = chatting(api, signed_in, "Hi Alice")
    carol = api.register("carol", display_name="Carol")
    about_bob = alice_page.locator(f"#conversation [data-presence-text='{bob.id}']")
    expect(about_bob).to_have_text("online")

    # Bob's page goes away: Alice's header says when he was last seen
    bob_page.close()
    expect(about_bob).to_have_text(re.compile(r"^last seen "), timeout=20_000)

    api.json("POST", f"/api/users/{bob.id}/block", alice)
    expect(about_bob).to_have_text("offline")  # by the push, without a reload
    alice_page.reload()
    expect(alice_page.locator(f"#conversation [data-presence-text='{bob.id}']")).to_have_text(
        "offline"
    )
    # someone Bob shares nothing with never saw it in the first place
    assert api.json("GET", f"/api/users/{bob.id}", carol).get("lastSeenAt") is None
