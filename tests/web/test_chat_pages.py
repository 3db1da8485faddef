"""The chat pages: full page, the open conversation as an HTMX swap, escaping, headers."""

from __future__ import annotations

import re

from web_support import api_send

XSS = "<script>alert('x')</script>"


def test_chat_needs_a_session(client):
    response = client.get("/chat")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/chat"


def test_an_htmx_request_without_a_session_is_sent_to_the_login_page(client):
    response = client.get(
        "/chat/partials/conversations",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/chat/abc"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/chat/abc"


def test_the_chat_page_lists_conversations_with_unread_badges(pair):
    alice, _, conversation_id = pair
    page = alice.get("/chat")
    assert page.status_code == 200
    item = re.search(rf'<li id="conversation-{conversation_id}".*?</li>', page.text, re.S).group(0)
    assert "Bob Client" in item and "Hi Alice" in item
    assert 'class="badge"' in item and "1 unread" in item
    assert 'data-presence="' + pair[1].id + '"' in item
    assert "Your messages" in page.text  # no conversation open


def test_pages_are_self_contained_and_locked_down(pair):
    alice, _, conversation_id = pair
    page = alice.get(f"/chat/{conversation_id}")
    assert "Content-Security-Policy" in page.headers
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in page.headers["Vary"]
    assert not re.search(r'(src|href)="(https?:)?//', page.text)
    for asset in (
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/socket.io/socket.io.min.js",
        "/static/js/chat.js",
        "/static/css/app.css",
    ):
        assert asset in page.text


def test_an_open_conversation_shows_its_messages_and_a_labelled_composer(client, pair):
    alice, bob, conversation_id = pair
    api_send(client, alice, conversation_id, "line one\nline two")
    page = alice.get(f"/chat/{conversation_id}")
    assert page.status_code == 200
    assert '<html lang="en-US" data-locale="en-US" data-zone="UTC">' in page.text
    assert (
        'id="conversation"' in page.text and 'data-conversation-id="' + conversation_id in page.text
    )
    assert page.text.count('class="msg msg--text') == 2
    assert "line one\nline two" in page.text
    assert '<label for="composer-text" class="visually-hidden">Message</label>' in page.text
    assert 'aria-live="polite"' in page.text
    assert 'class="day"' in page.text and "Today" in page.text
    assert 'aria-current="page"' in page.text


def test_user_content_is_always_escaped(client, browser_for, pair):
    alice, bob, conversation_id = pair
    api_send(client, bob, conversation_id, XSS)
    page = alice.get(f"/chat/{conversation_id}")
    assert XSS not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    listing = alice.get("/chat")
    assert XSS not in listing.text and "&lt;script&gt;" in listing.text

    evil = browser_for("<img src=x onerror=alert(1)>")
    direct = client.post(
        "/api/conversations",
        headers=evil.account.headers,
        json={"type": "direct", "participantIds": [alice.id]},
    ).get_json()
    page = alice.get(f"/chat/{direct['id']}")
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_with_hx_request_only_the_conversation_pane_comes_back(pair):
    alice, _, conversation_id = pair
    response = alice.get(f"/chat/{conversation_id}", htmx=True, headers={"HX-Target": "pane"})
    assert response.status_code == 200
    assert "<html" not in response.text and "conversation-list" not in response.text
    assert response.text.lstrip().startswith('<section id="conversation"')


def test_a_search_result_opens_the_message_in_context(client, pair):
    alice, bob, conversation_id = pair
    target = api_send(client, bob, conversation_id, "the one we look for")
    for n in range(30):
        api_send(client, bob, conversation_id, f"later {n}")
    page = alice.get(f"/chat/{conversation_id}?at={target['id']}")
    assert page.status_code == 200
    assert f'data-target="{target["id"]}"' in page.text
    assert re.search(rf'id="message-{target["id"]}"[^>]*class="[^"]*msg--target', page.text)
    assert 'id="newer-sentinel"' in page.text  # more after the window load on scroll


def test_a_conversation_one_is_not_in_is_not_found(browser_for, pair):
    stranger = browser_for()
    response = stranger.get(f"/chat/{pair[2]}")
    assert response.status_code == 404
    assert "Hi Alice" not in response.text


def test_the_archived_filter_lists_only_archived_conversations(pair):
    alice, _, conversation_id = pair
    alice.post(f"/chat/{conversation_id}/archive", {"archived": "1"})
    assert f"conversation-{conversation_id}" not in alice.get("/chat").text
    archived = alice.get("/chat?archived=1")
    assert f"conversation-{conversation_id}" in archived.text
    assert 'data-archived="1"' in archived.text


def test_the_chats_tab_names_the_archived_conversations_it_counts(client, pair):
    """The page keeps the Archived tab's count live from pushes: it starts from these ids."""
    alice, bob, conversation_id = pair
    alice.post(f"/chat/{conversation_id}/read", {})
    alice.post(f"/chat/{conversation_id}/archive", {"archived": "1"})
    count = re.compile(r'class="tab-count" id="archived-unread" data-ids="([^"]*)"( hidden)?>')
    read = count.search(alice.get("/chat").text)
    assert read.groups() == ("", " hidden")  # archived, but nothing unread: no count
    api_send(client, bob, conversation_id, "Still there?")
    unread = count.search(alice.get("/chat").text)
    assert unread.groups() == (conversation_id, None)
    assert "tab-count" not in alice.get("/chat?archived=1").text  # its items show their badges


def test_a_long_conversation_opens_on_one_bounded_page_of_history(client, pair):
    """The page's cost is bounded by one page of messages, not by the history's length."""
    alice, bob, conversation_id = pair
    for n in range(120):
        api_send(client, alice, conversation_id, f"message number {n}")
    alice.post(f"/chat/{conversation_id}/read", {})  # read: the page opens at the newest
    page = alice.get(f"/chat/{conversation_id}")
    assert page.status_code == 200
    shown = re.findall(r'<li id="message-[0-9a-f]{24}"', page.text)
    assert 0 < len(shown) <= 60
    assert "message number 119" in page.text
    assert "message number 0<" not in page.text
    # unread: the page opens at the first unread one, and is bounded just the same
    for n in range(120):
        api_send(client, bob, conversation_id, f"unread number {n}")
    page = bob.get(f"/chat/{conversation_id}")
    shown = re.findall(r'<li id="message-[0-9a-f]{24}"', page.text)
    assert 0 < len(shown) <= 60
    assert 'id="unread-divider"' in page.text and "unread number 0<" not in page.text
