"""HTMX partials and actions: each answers with the same partial a socket push fetches, refuses
a request without the CSRF token, and changes nothing when it fails."""

from __future__ import annotations

import re

from web_support import api_send


def messages_of(client, user, conversation_id: str) -> list[dict]:
    response = client.get(
        f"/api/conversations/{conversation_id}/messages", headers=user.account.headers
    )
    return response.get_json()["items"]


def test_sending_answers_with_the_message_partial(client, pair):
    alice, bob, conversation_id = pair
    response = alice.post(
        f"/chat/{conversation_id}/messages", {"content": "Hello <b>Bob</b>", "clientId": "c-1"}
    )
    assert response.status_code == 201
    assert response.headers["X-Lnk-Fragment"] == "message"
    message = messages_of(client, alice, conversation_id)[0]
    assert response.text.lstrip().startswith(f'<li id="message-{message["id"]}"')
    assert 'data-client-id="c-1"' in response.text
    assert "Hello &lt;b&gt;Bob&lt;/b&gt;" in response.text
    assert 'id="receipt-' in response.text and "receipt--sent" in response.text


def test_sending_again_with_the_same_client_id_sends_nothing_new(client, pair):
    alice, _, conversation_id = pair
    first = alice.post(f"/chat/{conversation_id}/messages", {"content": "once", "clientId": "k"})
    again = alice.post(f"/chat/{conversation_id}/messages", {"content": "once", "clientId": "k"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert [m["content"] for m in messages_of(client, alice, conversation_id)].count("once") == 1


def test_state_changing_partials_refuse_requests_without_the_csrf_token(client, pair):
    alice, bob, conversation_id = pair
    message = messages_of(client, alice, conversation_id)[0]
    attempts = [
        (f"/chat/{conversation_id}/messages", {"content": "forged"}),
        (f"/chat/messages/{message['id']}/reaction", {"emoji": "👍"}),
        (f"/chat/messages/{message['id']}/hide", {}),
        (f"/chat/{conversation_id}/archive", {"archived": "1"}),
        (f"/chat/{conversation_id}/read", {}),
        ("/chat/new", {"userIds": bob.id}),
        ("/packages", {"title": "x", "price": "1", "durationMinutes": "30"}),
    ]
    for path, data in attempts:
        assert alice.post(path, data, csrf=False).status_code == 403, path
        wrong = alice.post(path, data, csrf=False, headers={"X-CSRF-TOKEN": "not-it"})
        assert wrong.status_code == 403, path
    assert [m["content"] for m in messages_of(client, alice, conversation_id)] == ["Hi Alice"]
    assert messages_of(client, alice, conversation_id)[0]["reactions"] == []


def test_an_empty_message_is_refused_with_a_toast(pair):
    alice, _, conversation_id = pair
    response = alice.post(f"/chat/{conversation_id}/messages", {"content": "   "})
    assert response.status_code == 422
    assert 'class="toast toast--error" role="alert"' in response.text


def test_one_message_partial_for_pushes(client, pair):
    alice, bob, conversation_id = pair
    message = messages_of(client, alice, conversation_id)[0]
    response = alice.get(f"/chat/messages/{message['id']}", htmx=True)
    assert response.status_code == 200
    assert response.text.count("<li ") == 1 and f'id="message-{message["id"]}"' in response.text
    assert 'class="day"' not in response.text
    assert alice.get("/chat/messages/0123456789abcdef01234567").status_code == 404


def test_older_pages_and_catch_up_pages(client, pair):
    alice, bob, conversation_id = pair
    for n in range(90):
        api_send(client, bob, conversation_id, f"m{n}")
    alice.post(f"/chat/{conversation_id}/read", {})  # read: the page opens at the newest
    page = alice.get(f"/chat/{conversation_id}")
    oldest = re.search(r'hx-get="/chat/[0-9a-f]+/messages\?before=([0-9a-f]+)"', page.text).group(1)
    older = alice.get(f"/chat/{conversation_id}/messages?before={oldest}", htmx=True)
    assert older.status_code == 200
    assert older.text.count('class="msg ') == 40 and "older-sentinel" in older.text
    after = alice.get(f"/chat/{conversation_id}/messages?afterSeq=80&limit=5", htmx=True)
    seqs = [int(s) for s in re.findall(r'data-seq="(\d+)"', after.text)]
    assert seqs == [81, 82, 83, 84, 85]
    assert after.headers["X-Lnk-More"] == "1"
    tail = alice.get(f"/chat/{conversation_id}/messages?afterSeq=89", htmx=True)
    assert tail.headers["X-Lnk-More"] == "0"
    assert [int(s) for s in re.findall(r'data-seq="(\d+)"', tail.text)] == [90, 91]


def test_edit_and_its_refusal(client, pair):
    alice, bob, conversation_id = pair
    mine = api_send(client, alice, conversation_id, "typo")
    form = alice.get(f"/chat/messages/{mine['id']}/edit", htmx=True)
    assert "<textarea" in form.text and ">typo</textarea>" in form.text
    edited = alice.post(f"/chat/messages/{mine['id']}/edit", {"content": "fixed"})
    assert edited.status_code == 200 and "fixed" in edited.text and "edited" in edited.text
    refused = bob.post(f"/chat/messages/{mine['id']}/edit", {"content": "hijack"})
    assert refused.status_code == 403 and "toast" in refused.text


def test_delete_for_everyone_and_for_me(client, pair):
    alice, bob, conversation_id = pair
    mine = api_send(client, alice, conversation_id, "regret")
    deleted = alice.post(f"/chat/messages/{mine['id']}/delete")
    assert deleted.status_code == 200
    assert "This message was deleted" in deleted.text and "regret" not in deleted.text
    assert "This message was deleted" in bob.get(f"/chat/messages/{mine['id']}").text
    theirs = messages_of(client, alice, conversation_id)[-1]
    hidden = alice.post(f"/chat/messages/{theirs['id']}/hide")
    assert hidden.headers["X-Lnk-Remove"] == f"message-{theirs['id']}"
    assert alice.get(f"/chat/messages/{theirs['id']}").status_code == 404
    assert bob.get(f"/chat/messages/{theirs['id']}").status_code == 200


def test_reactions_toggle(client, pair):
    alice, bob, conversation_id = pair
    message = messages_of(client, alice, conversation_id)[0]
    reacted = alice.post(f"/chat/messages/{message['id']}/reaction", {"emoji": "👍"})
    assert 'class="chip chip--mine"' in reacted.text and 'aria-pressed="true"' in reacted.text
    assert "chip--mine" not in bob.get(f"/chat/messages/{message['id']}").text
    removed = alice.post(f"/chat/messages/{message['id']}/reaction", {"emoji": ""})
    assert 'class="chip' not in removed.text
    assert (
        alice.post(f"/chat/messages/{message['id']}/reaction", {"emoji": "nope"}).status_code == 422
    )


def test_the_message_menu_offers_only_what_the_viewer_may_do(client, pair):
    alice, bob, conversation_id = pair
    theirs = messages_of(client, alice, conversation_id)[0]
    menu = alice.get(f"/chat/messages/{theirs['id']}/actions", htmx=True).text
    assert "Reply" in menu and "Delete for me" in menu
    assert "Edit" not in menu and "Delete for everyone" not in menu
    mine = bob.get(f"/chat/messages/{theirs['id']}/actions", htmx=True).text
    assert "Edit" in mine and "Delete for everyone" in mine


def test_reading_clears_the_badge_and_receipts_follow(client, pair):
    alice, bob, conversation_id = pair
    bobs = messages_of(client, bob, conversation_id)[0]
    assert "receipt--sent" in bob.get(f"/chat/messages/{bobs['id']}").text
    read = alice.post(f"/chat/{conversation_id}/read")
    assert read.status_code == 200
    assert f'id="conversation-{conversation_id}"' in read.text
    assert 'hx-swap-oob="true"' in read.text and 'class="badge"' not in read.text
    receipts = bob.get(f"/chat/{conversation_id}/receipts?fromSeq=1", htmx=True)
    assert f'id="receipt-{bobs["id"]}"' in receipts.text
    assert "receipt--read" in receipts.text and 'hx-swap-oob="true"' in receipts.text


def test_conversation_list_and_item_partials(client, pair):
    alice, bob, conversation_id = pair
    listing = alice.get("/chat/partials/conversations", htmx=True)
    assert listing.text.lstrip().startswith('<div id="list-wrap"')
    item = alice.get(
        f"/chat/partials/conversations/{conversation_id}?active={conversation_id}", htmx=True
    )
    assert item.text.count("<li ") == 1 and "is-active" in item.text
    deleted = alice.post(f"/chat/{conversation_id}/delete")
    assert deleted.headers["HX-Push-Url"] == "/chat" and deleted.headers["HX-Retarget"] == "#pane"
    assert f"conversation-{conversation_id}" not in deleted.text
    assert 'id="list-wrap"' in deleted.text and 'hx-swap-oob="true"' in deleted.text
    gone = alice.get(f"/chat/partials/conversations/{conversation_id}", htmx=True)
    assert gone.status_code == 200 and gone.text == ""


def test_mute_answers_with_the_actions_and_the_list_item(pair):
    alice, _, conversation_id = pair
    muted = alice.post(f"/chat/{conversation_id}/mute", {"muted": "1"})
    assert "Unmute" in muted.text and "is-muted" in muted.text
    unmuted = alice.post(f"/chat/{conversation_id}/mute", {"muted": "0"})
    assert ">Mute" in unmuted.text.replace("\n", "").replace("  ", "") or " Mute" in unmuted.text


def test_starting_a_direct_and_a_group_conversation(browser_for):
    alice, bob, carol = browser_for("Alice"), browser_for("Bob"), browser_for("Carol")
    people = alice.get(f"/chat/partials/users?q={bob.account.username}", htmx=True)
    assert f'data-pick="{bob.id}"' in people.text
    assert (
        f'data-pick="{alice.id}"'
        not in alice.get(f"/chat/partials/users?q={alice.account.username}", htmx=True).text
    )
    direct = alice.post("/chat/new", {"userIds": bob.id})
    assert direct.status_code == 200 and direct.headers["HX-Push-Url"].startswith("/chat/")
    assert direct.headers["HX-Retarget"] == "#pane"
    assert 'id="conversation"' in direct.text and 'id="composer"' in direct.text
    direct_id = direct.headers["HX-Push-Url"].rsplit("/", 1)[1]
    assert f'id="conversation-{direct_id}" class="conv-item is-active' in direct.text
    again = alice.post("/chat/new", {"userIds": bob.id})
    assert again.headers["HX-Push-Url"] == direct.headers["HX-Push-Url"]
    plain = alice.post("/chat/new", {"userIds": bob.id}, htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"] == f"/chat/{direct_id}"
    group = alice.post("/chat/new", {"userIds": [bob.id, carol.id], "title": "Plumbers"})
    group_id = group.headers["HX-Push-Url"].rsplit("/", 1)[1]
    page = carol.get(f"/chat/{group_id}")
    assert "Plumbers" in page.text and "3 members" in page.text
    missing_title = alice.post("/chat/new", {"userIds": [bob.id, carol.id]})
    assert missing_title.status_code == 422


def test_group_settings_rename_add_remove_and_leave(browser_for):
    alice, bob, carol, dave = (browser_for(n) for n in ("Alice", "Bob", "Carol", "Dave"))
    group = alice.post("/chat/new", {"userIds": [bob.id], "title": "Team"})
    group_id = group.headers["HX-Push-Url"].rsplit("/", 1)[1]
    settings = alice.get(f"/chat/{group_id}/settings", htmx=True)
    assert 'id="dialog-title"' in settings.text and "Rename" in settings.text
    assert "Remove" in settings.text and "Leave group" in settings.text
    assert "Rename" not in bob.get(f"/chat/{group_id}/settings", htmx=True).text
    renamed = alice.post(f"/chat/{group_id}/title", {"title": "Dream <Team>"})
    assert 'value="Dream &lt;Team&gt;"' in renamed.text
    added = alice.post(f"/chat/{group_id}/members", {"userIds": [carol.id, dave.id]})
    assert 'Members <span class="muted">(4)</span>' in added.text
    removed = alice.post(f"/chat/{group_id}/members/{dave.id}/remove")
    assert "(3)" in removed.text
    assert bob.post(f"/chat/{group_id}/members/{carol.id}/remove").status_code == 403
    left = bob.post(f"/chat/{group_id}/leave")
    assert left.headers["HX-Push-Url"] == "/chat" and "Your messages" in left.text
    assert bob.get(f"/chat/{group_id}").status_code == 404
    system = alice.get(f"/chat/{group_id}").text
    assert "msg--system" in system and "Bob left" in system


def test_message_search_marks_matches_and_escapes(client, pair):
    alice, bob, conversation_id = pair
    api_send(client, bob, conversation_id, "The <b>kitchen</b> sink leaks")
    results = alice.get("/chat/search?q=kitch", htmx=True)
    assert "1 result for" in results.text
    assert "The &lt;b&gt;<mark>kitchen</mark>&lt;/b&gt; sink leaks" in results.text
    assert f'href="/chat/{conversation_id}?at=' in results.text
    assert alice.get("/chat/search?q=", htmx=True).text == ""
    invalid = alice.get("/chat/search?q=%21%21", htmx=True)
    assert invalid.status_code == 200 and "letter or digit" in invalid.text


def test_message_search_marks_the_words_it_found_whatever_their_accents_and_case(client, pair):
    alice, bob, conversation_id = pair
    api_send(client, bob, conversation_id, "Un CAFÉ à la Hauptstraße, pas au cafard")
    results = alice.get("/chat/search?q=cafe+HAUPTSTRASSE", htmx=True)
    assert "1 result for" in results.text
    assert "Un <mark>CAFÉ</mark> à la <mark>Hauptstraße</mark>, pas au cafard" in results.text


def test_location_form_and_card(client, pair):
    alice, _, conversation_id = pair
    form = alice.get(f"/chat/{conversation_id}/location", htmx=True)
    assert 'name="latitude"' in form.text and "Use my current position" in form.text
    bad = alice.post(f"/chat/{conversation_id}/location", {"latitude": "91", "longitude": "0"})
    assert bad.status_code == 422 and bad.headers["HX-Retarget"] == "#dialog-body"
    assert 'id="f-latitude-error"' in bad.text
    sent = alice.post(
        f"/chat/{conversation_id}/location",
        {"latitude": "52.52", "longitude": "13.405", "name": "Café <Mitte>"},
    )
    assert sent.status_code == 201 and "card--location" in sent.text
    assert "Café &lt;Mitte&gt;" in sent.text and "52.52000, 13.40500" in sent.text
