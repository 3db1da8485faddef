"""Two people chatting in two browsers: what one does appears on the other's screen without a
reload, and survives one."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, artifact

pytestmark = pytest.mark.slow


@pytest.fixture
def pair(api):
    """Alice (a provider with a service package) and Bob, in a direct conversation."""
    alice = api.register("alice", display_name="Alice Provider")
    bob = api.register("bob", display_name="Bob Client")
    conversation = api.direct(alice, bob)
    api.send(bob, conversation["id"], "Hi Alice, are you free on Thursday?")
    package = api.json(
        "POST",
        "/api/service-packages",
        alice,
        json={
            "title": "Kitchen sink repair",
            "description": "Fix leaks and clogs",
            "price": 49.5,
            "currency": "EUR",
            "durationMinutes": 90,
        },
    )
    return alice, bob, conversation["id"], package


def open_conversation(page, conversation_id: str) -> None:
    """Opens it from the list (an HTMX swap, no reload) once the page's socket is connected."""
    page.wait_for_function("() => window.lnk.chat.connected()")
    page.click(f"#conversation-{conversation_id} a")
    expect(page.locator("#conversation")).to_have_attribute("data-conversation-id", conversation_id)


def test_a_sent_message_appears_live_with_an_unread_badge_then_a_read_receipt(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)

    alice_page.fill("#composer-text", "Yes! <script>alert('x')</script>\nsecond line")
    alice_page.press("#composer-text", "Enter")

    mine = alice_page.locator("#messages li.msg--mine").last
    expect(mine.locator(".text")).to_have_text("Yes! <script>alert('x')</script>\nsecond line")
    item = bob_page.locator(f"#conversation-{conversation_id}")
    expect(item.locator(".badge")).to_contain_text("1")
    expect(item.locator(".conv-preview")).to_contain_text("Yes! <script>")
    expect(bob_page.locator("#conversation-list > li").first).to_have_id(
        f"conversation-{conversation_id}"
    )

    open_conversation(bob_page, conversation_id)
    expect(bob_page.locator("#messages li.msg").last.locator(".text")).to_contain_text(
        "second line"
    )
    expect(item.locator(".badge")).to_have_count(0)
    expect(mine.locator(".receipt")).to_have_class(re.compile("receipt--read"))

    # a message sent while Bob is reading arrives in place and is announced
    alice_page.fill("#composer-text", "See you then")
    alice_page.keyboard.press("Enter")
    expect(bob_page.locator("#messages li.msg").last.locator(".text")).to_have_text("See you then")
    expect(bob_page.locator("#announcer")).to_contain_text("See you then")


def test_reactions_and_edits_appear_live(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    message = api.send(alice, conversation_id, "Thursday at 3pm works")
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    open_conversation(bob_page, conversation_id)

    bob_message = bob_page.locator(f"#message-{message['id']}")
    bob_message.hover()
    bob_message.locator("summary").click()
    bob_message.get_by_role("button", name="React 👍").click()
    alice_message = alice_page.locator(f"#message-{message['id']}")
    expect(alice_message.locator(".reactions .chip")).to_contain_text("👍 1")

    alice_message.hover()
    alice_message.locator("summary").click()
    alice_message.get_by_role("button", name="Edit").click()
    editor = alice_message.locator("textarea")
    expect(editor).to_be_focused()  # the editor is in place (the page focuses it on the swap)
    editor.fill("Thursday at 4pm works")
    editor.press("Enter")
    expect(alice_message.locator(".text")).to_have_text("Thursday at 4pm works")
    assert alice_page.url.endswith(f"/chat/{conversation_id}")  # saved in place
    expect(bob_message.locator(".text")).to_have_text("Thursday at 4pm works")
    expect(bob_message.locator(".edited")).to_be_visible()
    expect(bob_message.locator(".reactions .chip")).to_contain_text("👍 1")


def test_typing_shows_and_clears(pair, signed_in):
    alice, bob, conversation_id, _ = pair
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    open_conversation(bob_page, conversation_id)

    alice_page.locator("#composer-text").press_sequentially("On my w")
    expect(bob_page.locator("#typing")).to_have_text("Alice is typing…")
    alice_page.locator("#composer-text").press("Enter")
    expect(bob_page.locator("#typing")).to_have_text("")
    expect(bob_page.locator("#messages li.msg").last.locator(".text")).to_have_text("On my w")


def test_an_offer_accepted_from_its_card_updates_both_screens_and_survives_reload(
    api, pair, signed_in
):
    alice, bob, conversation_id, package = pair
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    open_conversation(bob_page, conversation_id)

    alice_page.click(".composer-menu summary")
    alice_page.get_by_role("button", name="Service offer").click()
    dialog = alice_page.locator("#dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Custom price (optional)").fill("45")
    dialog.get_by_label("Note (optional)").fill("Including parts")
    dialog.get_by_role("button", name="Send offer").click()
    expect(dialog).to_be_hidden()

    alice_card = alice_page.locator(".card--offer").last
    bob_card = bob_page.locator(".card--offer").last
    expect(alice_card.locator(".status")).to_have_text("Pending")
    expect(alice_card.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(bob_card).to_contain_text("€45.00")
    expect(bob_card.locator(".status")).to_have_text("Pending")

    expect(bob_card).to_contain_text("Expiresin 47 h")  # dt, then dd
    asked = []
    bob_page.on("dialog", lambda d: (asked.append(d.message), d.accept()))
    bob_card.get_by_role("button", name="Accept").click()
    expect(bob_card.locator(".status")).to_have_text("Accepted")
    assert asked == [
        "Accept Kitchen sink repair for €45.00 (1 h 30 min)? This books it; you agree the time"
        " in this chat."
    ]  # asked once, with what, and for how much
    expect(bob_card).to_contain_text("Booked · time to be agreed in this chat")
    expect(alice_card.locator(".status")).to_have_text("Accepted")
    expect(alice_card.get_by_role("button", name="Withdraw")).to_have_count(0)

    bob_page.reload()
    expect(bob_page.locator(".card--offer").last.locator(".status")).to_have_text("Accepted")
    expect(bob_page.locator(f"#conversation-{conversation_id} .badge")).to_have_count(0)
    assert api.json("GET", "/api/bookings", bob)["items"][0]["status"] == "confirmed"


def test_a_dropped_connection_catches_up_without_a_gap(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    bob_page = signed_in(bob)
    open_conversation(bob_page, conversation_id)

    bob_page.evaluate("window.lnk.chat.socket().io.engine.close()")  # the network drops
    sent = [api.send(alice, conversation_id, f"missed {n}")["id"] for n in range(3)]
    bob_page.wait_for_function("() => window.lnk.chat.connected()")
    for message_id in sent:
        expect(bob_page.locator(f"#message-{message_id}")).to_be_visible()
    seqs = bob_page.eval_on_selector_all(
        "#messages li.msg[data-seq]", "els => els.map(e => Number(e.dataset.seq))"
    )
    assert seqs == list(range(1, len(seqs) + 1))


def test_screenshots_at_phone_and_desktop_width(api, pair, signed_in):
    alice, bob, conversation_id, package = pair
    reply_to = api.send(alice, conversation_id, "Sure, Thursday afternoon is free.")
    api.json("POST", f"/api/messages/{reply_to['id']}/reaction", bob, json={"emoji": "👍"})
    api.send(bob, conversation_id, "Great! What would it cost?", replyToId=reply_to["id"])
    api.json(
        "POST",
        f"/api/conversations/{conversation_id}/messages/service-offer",
        alice,
        json={"servicePackageId": package["id"], "note": "Parts included"},
    )
    desktop = signed_in(bob)
    open_conversation(desktop, conversation_id)
    expect(desktop.locator("#messages li.msg")).to_have_count(4)
    expect(desktop.locator(f"#conversation-{conversation_id} .badge")).to_have_count(0)
    desktop.screenshot(path=artifact("chat-desktop.png"))

    phone = signed_in(alice, PHONE)
    phone.screenshot(path=artifact("chat-phone-list.png"))
    open_conversation(phone, conversation_id)
    expect(phone.locator("#composer-text")).to_be_visible()
    expect(phone.locator(".sidebar")).to_be_hidden()
    expect(phone.locator(".card--offer .status")).to_have_text("Pending")
    phone.screenshot(path=artifact("chat-phone.png"))
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"]


def test_group_from_the_people_picker_with_a_photo_a_reply_and_search_in_context(
    api, pair, signed_in, tmp_path
):
    from PIL import Image

    alice, bob, _, _ = pair
    carol = api.register("carol", display_name="Carol Client")
    photo = tmp_path / "sink.png"
    Image.new("RGB", (480, 320), (40, 120, 200)).save(photo)
    alice_page, carol_page = signed_in(alice), signed_in(carol)
    alice_page.wait_for_function("() => window.lnk.chat.connected()")

    alice_page.get_by_role("button", name="New conversation").first.click()
    dialog = alice_page.locator("#dialog")
    for person in (bob, carol):
        search = dialog.get_by_label("Find people")
        search.fill("")
        # typed key by key, as a person would: the dialog may still be wiring htmx up when
        # the first key lands, and a single fill() event could go unheard
        search.press_sequentially(person.username, delay=20)
        dialog.locator(f"[data-pick='{person.id}']").click()
    dialog.get_by_label("Group name").fill("Sink crew")
    dialog.get_by_role("button", name="Start conversation").click()
    expect(dialog).to_be_hidden()
    expect(alice_page.locator("#conversation-title")).to_have_text("Sink crew")
    group_id = alice_page.locator("#conversation").get_attribute("data-conversation-id")
    expect(carol_page.locator(f"#conversation-{group_id}")).to_contain_text("Sink crew")

    alice_page.set_input_files("#file-input", str(photo))
    expect(alice_page.locator("#attachment-tray li img")).to_be_visible()
    alice_page.wait_for_function(
        "() => document.querySelector('#attachment-tray li').dataset.fileId"
    )
    alice_page.fill("#composer-text", "Before the repair")
    alice_page.press("#composer-text", "Enter")
    expect(alice_page.locator("#messages .attachment-image img")).to_be_visible()

    carol_page.click(f"#conversation-{group_id} a")
    photo_message = carol_page.locator("#messages li.msg--media")
    expect(photo_message.locator(".attachment-image img")).to_be_visible()
    photo_message.hover()
    photo_message.locator("summary").click()
    photo_message.get_by_role("button", name="Reply").click()
    expect(carol_page.locator("#reply-preview")).to_be_visible()
    carol_page.fill("#composer-text", "Looks leaky")
    carol_page.press("#composer-text", "Enter")
    reply = alice_page.locator("#messages li.msg").last
    expect(reply.locator(".quote")).to_contain_text("Before the repair")
    expect(reply.locator(".text")).to_have_text("Looks leaky")

    alice_page.fill("#search-input", "leak")
    alice_page.locator(".result").first.click()
    expect(alice_page.locator(".msg--target .text")).to_have_text("Looks leaky")


FAVICON = "/static/icons/logo.svg"


def _record_requests(page) -> list[str]:
    """The page's HTTP requests from now on (the socket's websocket is not one, nor the
    browser's own fetch of the favicon when tab-alerts.js puts the plain icon back after an
    unread count)."""
    seen: list[str] = []
    page.on(
        "request",
        lambda r: (
            seen.append(f"{r.method} {r.url.split('//', 1)[1].split('/', 1)[1]}")
            if r.url.startswith("http") and FAVICON not in r.url
            else None
        ),
    )
    return seen


def test_pushes_update_both_screens_without_a_request_per_message(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    alice_page, bob_page = signed_in(alice), signed_in(bob)
    open_conversation(alice_page, conversation_id)
    bob_page.wait_for_function("() => window.lnk.chat.connected()")
    alice_requests, bob_requests = _record_requests(alice_page), _record_requests(bob_page)

    # Bob's list: preview, order and an unread badge counted up on the page
    sent = [api.send(alice, conversation_id, f"pushed {n}")["id"] for n in range(3)]
    item = bob_page.locator(f"#conversation-{conversation_id}")
    expect(item.locator(".badge")).to_contain_text("3")
    expect(item.locator(".conv-preview")).to_have_text("pushed 2")
    for message_id in sent:  # Alice's own view, from the push alone
        expect(alice_page.locator(f"#message-{message_id}.msg--mine")).to_be_visible()
    assert alice_requests == [] and bob_requests == []

    open_conversation(bob_page, conversation_id)
    expect(item.locator(".badge")).to_have_count(0)
    mine = alice_page.locator(f"#message-{sent[-1]} .receipt")
    expect(mine).to_have_class(re.compile("receipt--read"))
    bob_requests.clear()
    alice_requests.clear()

    # with both open: messages land, reads go over the socket, receipts follow messageRead
    more = [api.send(alice, conversation_id, f"live {n}")["id"] for n in range(3)]
    for message_id in more:
        expect(bob_page.locator(f"#message-{message_id} .text")).to_be_visible()
    expect(alice_page.locator(f"#message-{more[-1]} .receipt")).to_have_class(
        re.compile("receipt--read")
    )
    expect(alice_page.locator(f"#message-{more[-1]} .receipt")).to_have_attribute("title", "Read")
    expect(item.locator(".badge")).to_have_count(0)
    assert alice_requests == [] and bob_requests == []


def test_the_icon_sprite_is_fetched_at_most_once_per_page_load(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    bob_page = signed_in(bob)
    requests = _record_requests(bob_page)
    bob_page.reload()
    open_conversation(bob_page, conversation_id)
    for n in range(3):
        message = api.send(alice, conversation_id, f"icons {n}")
        expect(bob_page.locator(f"#message-{message['id']}")).to_be_visible()
    sprite = [r for r in requests if "/static/icons/sprite.svg" in r]
    assert len(sprite) <= 1, sprite
    assert all("?v=" in r for r in requests if "/static/" in r), requests


def test_read_marks_are_coalesced_to_one_per_second_per_conversation(api, pair, signed_in):
    alice, bob, conversation_id, _ = pair
    bob_page = signed_in(bob)
    open_conversation(bob_page, conversation_id)
    posts = _record_requests(bob_page)
    bob_page.evaluate(
        """() => {  // the page's own clock for each read mark it sends
            window.readMarks = [];
            const socket = window.lnk.chat.socket();
            const emit = socket.emit.bind(socket);
            socket.emit = function (event, ...rest) {
                if (event === "markAsRead") window.readMarks.push(performance.now());
                return emit(event, ...rest);
            };
        }"""
    )
    sent = []
    for n in range(8):  # one every 0.25 s: eight messages in two seconds
        sent.append(api.send(alice, conversation_id, f"quick {n}")["id"])
        expect(bob_page.locator(f"#message-{sent[-1]}")).to_be_attached()
        time.sleep(0.25)
    deadline = time.monotonic() + 5  # the last, folded read mark goes out within a second
    while api.json("GET", f"/api/conversations/{conversation_id}", bob)["unreadCount"]:
        assert time.monotonic() < deadline, "the last messages were never marked read"
        time.sleep(0.1)

    marks = bob_page.evaluate("window.readMarks")
    gaps = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    assert 2 <= len(marks) <= 4, marks  # not one per message (8)
    assert all(gap >= 990 for gap in gaps), gaps
    assert [r for r in posts if r.endswith("/read")] == []
    expect(bob_page.locator(f"#conversation-{conversation_id} .badge")).to_have_count(0)
