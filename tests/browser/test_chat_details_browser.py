"""The details a person trips over in the chat: where a conversation with unread messages opens,
links in messages, refusals that must be seen, the editor's focus, sizes in human units, archive
with undo."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, artifact
from tests.browser.test_chat_browser import (  # noqa: F401
    _record_requests,
    open_conversation,
    pair,
)

pytestmark = pytest.mark.slow


def test_unread_messages_open_at_the_first_unread_under_a_divider(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    for n in range(1, 46):
        api.send(bob, conversation_id, f"Unread number {n}")
    alice_page = signed_in(alice)
    open_conversation(alice_page, conversation_id)

    divider = alice_page.locator("#unread-divider")
    expect(divider).to_have_text("46 unread messages")  # the greeting and the 45
    first_unread = alice_page.locator("#unread-divider + li.msg, #unread-divider + li.day + li.msg")
    expect(first_unread.locator(".text")).to_have_text("Hi Alice, are you free on Thursday?")
    expect(divider).to_be_in_viewport()
    expect(first_unread).to_be_in_viewport()
    last = alice_page.locator("#messages li.msg").last
    expect(last.locator(".text")).to_have_text("Unread number 45")
    expect(last).not_to_be_in_viewport()

    # read now: opening it again lands at the newest message, with no divider
    expect(alice_page.locator(f"#conversation-{conversation_id} .badge")).to_have_count(0)
    alice_page.reload()
    expect(alice_page.locator("#messages li.msg").last).to_be_in_viewport()
    expect(alice_page.locator("#unread-divider")).to_have_count(0)


SENT_WITH_LINKS = (
    "Photos at https://example.com/sink?id=4&x=<b> or mail me@example.org, not javascript:alert(1)"
)


def test_addresses_in_messages_become_safe_links(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    api.send(bob, conversation_id, SENT_WITH_LINKS)
    alice_page = signed_in(alice)
    open_conversation(alice_page, conversation_id)
    text = alice_page.locator("#messages li.msg").last.locator(".text")
    expect(text).to_have_text(SENT_WITH_LINKS)
    links = text.locator("a")
    expect(links).to_have_count(2)
    web = links.first
    expect(web).to_have_attribute("href", "https://example.com/sink?id=4&x=")
    expect(text.locator("b")).to_have_count(0)  # the markup stays text
    expect(web).to_have_attribute("target", "_blank")
    expect(web).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(links.last).to_have_attribute("href", "mailto:me@example.org")


def test_a_group_without_a_name_says_so(api, pair, signed_in):  # noqa: F811
    alice, bob, _, _ = pair
    carol = api.register("carol", display_name="Carol Client")
    page = signed_in(alice)
    page.wait_for_function("() => window.lnk.chat.connected()")
    page.get_by_role("button", name="New conversation").first.click()
    dialog = page.locator("#dialog")
    expect(dialog.get_by_text("Needed when you pick two or more people.")).to_be_visible()
    for person in (bob, carol):
        search = dialog.get_by_label("Find people")
        search.fill("")
        search.press_sequentially(person.username, delay=20)
        dialog.locator(f"[data-pick='{person.id}']").click()
    dialog.get_by_role("button", name="Start conversation").click()
    expect(page.locator("#toasts .toast--error")).to_have_text(
        "Title: a group needs a name of 1-100 characters"
    )
    expect(dialog).to_be_visible()  # still there to fix
    dialog.get_by_label("Group name").fill("Sink crew")
    dialog.get_by_role("button", name="Start conversation").click()
    expect(page.locator("#conversation-title")).to_have_text("Sink crew")


def _editor_of(page, message_id: str):
    """Opens the editor of one of the viewer's messages from its menu."""
    mine = page.locator(f"#message-{message_id}")
    mine.hover()
    mine.locator("summary").click()
    mine.get_by_role("button", name="Edit").click()
    return mine


def test_edit_puts_the_focus_in_the_editor_and_escape_cancels(api, pair, signed_in):  # noqa: F811
    alice, _, conversation_id, _ = pair
    message = api.send(alice, conversation_id, "Thursday at 3pm works")
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    mine = _editor_of(page, message["id"])
    expect(mine.locator("textarea")).to_be_focused()
    page.keyboard.press("Escape")
    expect(mine.locator("textarea")).to_have_count(0)
    expect(mine.locator(".text")).to_have_text("Thursday at 3pm works")

    _editor_of(page, message["id"])
    expect(mine.locator("textarea")).to_be_focused()
    page.keyboard.type(", or 4pm")  # typed at the end, with no click
    page.keyboard.press("Enter")
    expect(mine.locator(".text")).to_have_text("Thursday at 3pm works, or 4pm")
    expect(mine.locator("textarea")).to_have_count(0)
    assert page.url.endswith(f"/chat/{conversation_id}")  # saved in place, never a page load


EDITED_PRIVATELY = "Thursday at 4pm, door code 4711"


def test_an_editor_submitted_as_it_opens_saves_in_place(api, pair, signed_in):  # noqa: F811
    """Enter pressed the moment the editor is swapped in, before htmx has wired the new form (it
    does when the swap settles): saved through htmx, the page stays, nothing typed in a URL."""
    alice, _, conversation_id, _ = pair
    message = api.send(alice, conversation_id, "Thursday at 3pm works")
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.evaluate(
        """text => {
            const wired = new WeakSet();
            document.addEventListener("htmx:afterProcessNode", e => wired.add(e.target));
            document.addEventListener("htmx:afterSwap", function early(e) {
                const box = e.detail.target;
                const form = box.querySelector && box.querySelector("form.edit-form");
                if (!form) return;
                document.removeEventListener("htmx:afterSwap", early);
                window.editorWired = wired.has(form);
                form.querySelector("textarea").value = text;
                form.requestSubmit();
            });
        }""",
        EDITED_PRIVATELY,
    )
    mine = _editor_of(page, message["id"])
    expect(mine.locator(".text")).to_have_text(EDITED_PRIVATELY)
    assert page.evaluate("window.editorWired") is False  # the race this test is about
    assert page.url.endswith(f"/chat/{conversation_id}")
    assert not [u for u in urls if "4711" in u or "content=" in u], urls
    saved = api.json("GET", f"/api/messages/{message['id']}", alice)
    assert saved["content"] == EDITED_PRIVATELY and saved["editedAt"]


def test_the_edit_form_posted_by_the_browser_itself_saves_and_shows_the_page_again(
    api,
    pair,  # noqa: F811
    signed_in,
):
    """With no script in the way (``form.submit()`` fires no submit event, as with scripts
    off), the edit is a POST with the form's CSRF token; the answer is the page it came from."""
    alice, _, conversation_id, _ = pair
    message = api.send(alice, conversation_id, "Thursday at 3pm works")
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    mine = _editor_of(page, message["id"])
    expect(mine.locator("textarea")).to_be_focused()
    sent: list[tuple[str, str]] = []
    page.on("request", lambda request: sent.append((request.method, request.url)))
    with page.expect_navigation():
        page.evaluate(
            """([id, text]) => {
                const form = document.querySelector(`#message-${id} form.edit-form`);
                form.querySelector("textarea").value = text;
                HTMLFormElement.prototype.submit.call(form);
            }""",
            [message["id"], EDITED_PRIVATELY],
        )
    expect(page.locator("#conversation")).to_have_attribute("data-conversation-id", conversation_id)
    assert page.url.endswith(f"/chat/{conversation_id}")
    expect(mine.locator(".text")).to_have_text(EDITED_PRIVATELY)
    expect(mine.locator(".edited")).to_be_visible()
    assert sent[0][0] == "POST" and sent[0][1].endswith(f"/chat/messages/{message['id']}/edit")
    assert not [url for _, url in sent if "4711" in url or "content=" in url], sent
    saved = api.json("GET", f"/api/messages/{message['id']}", alice)
    assert saved["content"] == EDITED_PRIVATELY


def test_the_no_packages_note_goes_with_the_first_package(api, signed_in, live_server):
    dana = api.register("dana", display_name="Dana Provider")
    page = signed_in(dana)
    page.goto(live_server.url + "/packages")
    expect(page.get_by_text("No packages yet.")).to_be_visible()
    page.get_by_label("Title").fill("Boiler service")
    page.get_by_label("Price").fill("80")
    page.get_by_role("button", name="Create package").click()
    expect(page.locator("#package-list li")).to_have_count(1)
    expect(page.get_by_text("No packages yet.")).to_be_hidden()


def test_a_file_over_the_limit_is_refused_in_megabytes(api, pair, signed_in, tmp_path):  # noqa: F811
    alice, _, conversation_id, _ = pair
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(26 * 1024 * 1024)
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    page.set_input_files("#file-input", str(big))
    expect(page.locator("#toasts .toast--error")).to_have_text(
        "big.bin: files are limited to 25 MB each"
    )


def _live(page) -> None:
    """The page's socket is connected and the list it asked for on connecting is in place (a push
    from now on lands on the list that stays)."""
    page.wait_for_function(
        "() => window.lnk.chat.connected() && !document.querySelector('#list-wrap[aria-busy]')"
    )


def test_archive_offers_undo_and_the_archived_tab_counts_unread(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    page = signed_in(alice)
    open_conversation(page, conversation_id)
    page.locator("#conversation-actions summary").click()
    page.get_by_role("button", name="Archive").click()
    toast = page.locator("#toasts .toast", has_text="Archived")
    expect(toast).to_contain_text("Archived · Undo")
    expect(page.locator(f"#conversation-{conversation_id}")).to_have_count(0)
    expect(page.locator("#conversation")).to_have_count(0)
    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_have_count(0)
    expect(page.locator(f"#conversation-{conversation_id}")).to_be_visible()
    expect(page.locator("#conversation")).to_have_attribute("data-conversation-id", conversation_id)
    assert api.json("GET", f"/api/conversations/{conversation_id}", alice)["archived"] is False

    page.locator("#conversation-actions summary").click()
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(f"#conversation-{conversation_id}")).to_have_count(0)
    _live(page)
    asked = _record_requests(page)
    api.send(bob, conversation_id, "Still there?")
    tab = page.get_by_role("link", name=re.compile("^Archived"))
    expect(tab.locator(".tab-count")).to_be_visible()
    expect(tab).to_have_accessible_name("Archived , 1 with unread messages")
    expect(page.locator(f"#conversation-{conversation_id}")).to_have_count(0)  # stays archived
    assert asked == []  # from the push alone
    page.reload()
    expect(tab.locator(".tab-count")).to_contain_text("1")  # what the server counts too


def test_the_archived_tab_counts_live_as_people_write_and_as_chats_are_read(api, pair, signed_in):  # noqa: F811
    """Archived conversations stay archived when a message arrives: the Chats tab's Archived
    count goes up and down with the pushes alone (new messages, reading, unarchiving and
    archiving elsewhere), never by asking the server."""
    alice, bob, first, _ = pair
    carol = api.register("carol", display_name="Carol Client")
    second = api.direct(carol, alice)["id"]
    for cid in (first, second):
        api.json("POST", f"/api/conversations/{cid}/messages/bulk-mark-read", alice, json={})
        api.json("PUT", f"/api/conversations/{cid}/archive", alice)
    page = signed_in(alice)
    _live(page)
    count = page.locator("#archived-unread")
    shown = count.locator("[aria-hidden=true]")
    expect(count).to_be_hidden()
    asked = _record_requests(page)

    api.send(bob, first, "Still there?")
    expect(count).to_be_visible()
    expect(shown).to_have_text("1")
    api.send(bob, first, "Hello?")  # the same conversation: still one
    api.send(carol, second, "Me too")
    expect(shown).to_have_text("2")
    expect(count.locator(".visually-hidden")).to_have_text(", 2 with unread messages")
    expect(page.locator(f"#conversation-{first}, #conversation-{second}")).to_have_count(0)

    api.json("POST", f"/api/conversations/{first}/messages/bulk-mark-read", alice, json={})
    expect(shown).to_have_text("1")  # read on another device
    assert asked == [], asked
    api.json("PUT", f"/api/conversations/{second}/unarchive", alice)
    expect(count).to_be_hidden()
    # back in the Chats list with its badge (that item is fetched: a push carries no item)
    expect(page.locator(f"#conversation-{second} .badge")).to_contain_text("1")
    assert [r.split("?")[0] for r in asked] == [f"GET chat/partials/conversations/{second}"]
    api.json("PUT", f"/api/conversations/{second}/archive", alice)
    expect(shown).to_have_text("1")
    expect(page.locator(f"#conversation-{second}")).to_have_count(0)

    page.reload()
    expect(page.locator("#archived-unread [aria-hidden=true]")).to_have_text("1")


def _photo(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, "PNG")
    return out.getvalue()


def test_photos_open_in_a_viewer_with_the_keyboard_and_pdfs_in_a_new_tab(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    uploads = [
        ("red.png", _photo((200, 30, 30))),
        ("blue.png", _photo((30, 30, 200))),
        ("quote.pdf", pdf),
    ]
    ids = []
    for name, body in uploads:
        answer = api.json("POST", "/api/upload/chat-files", bob, files={"files": (name, body)})
        ids.append(answer["files"][0]["id"])
    api.send(bob, conversation_id, "", attachmentIds=ids[:2])
    api.send(bob, conversation_id, "", attachmentIds=ids[2:])
    page = signed_in(alice)
    open_conversation(page, conversation_id)

    photos = page.locator("#messages a[data-view-image]")
    expect(photos).to_have_count(2)
    photos.first.click()
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    expect(page.locator("#viewer-image")).to_have_attribute("src", f"/api/files/{ids[0]}")
    expect(page.locator("#viewer-caption")).to_have_text("red.png (1 of 2)")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#viewer-image")).to_have_attribute("src", f"/api/files/{ids[1]}")
    expect(page.locator("#viewer-caption")).to_have_text("blue.png (2 of 2)")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#viewer-caption")).to_have_text("red.png (1 of 2)")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(photos.first).to_be_focused()
    assert len(page.context.pages) == 1  # nothing opened beside the chat

    pdf_link = page.locator("#messages a.attachment-file", has_text="quote.pdf")
    expect(pdf_link).to_have_attribute("target", "_blank")
    expect(pdf_link).not_to_have_attribute("download", re.compile(".*"))
    served = api.request("GET", f"/api/files/{ids[2]}", alice)
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("inline")


def test_an_incoming_message_menu_fits_a_phone_screen(api, pair, signed_in):  # noqa: F811
    alice, bob, conversation_id, _ = pair
    message = api.send(
        bob, conversation_id, "A long enough message to fill most of the bubble width"
    )
    page = signed_in(alice, PHONE)
    open_conversation(page, conversation_id)
    incoming = page.locator(f"#message-{message['id']}")
    incoming.locator("summary").click()
    items = incoming.locator(".menu-list .emoji-btn, .menu-list .menu-item")
    expect(incoming.get_by_role("button", name="Delete for me")).to_be_visible()
    width = PHONE["width"]
    for i in range(items.count()):
        box = items.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box)
    cut = page.evaluate(
        "() => Array.from(document.querySelectorAll('.msg-menu[open] .menu-item'))"
        ".filter(b => b.scrollWidth > b.clientWidth).length"
    )
    assert cut == 0
    incoming.get_by_role("button", name="React 🙏").click()
    expect(incoming.locator(".reactions .chip")).to_contain_text("🙏 1")
    page.screenshot(path=artifact("message-menu-phone.png"))
