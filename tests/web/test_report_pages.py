"""Reporting from the chat pages: the message menu and the conversation header, and how a
message hidden pending review is drawn."""

from __future__ import annotations

import json

from web_support import api_send


def test_the_message_menu_reports_others_messages_only(pair, client, ctx):
    alice, bob, cid = pair
    theirs = api_send(client, bob, cid, "pay me outside")
    mine = api_send(client, alice, cid, "no thanks")
    menu = alice.get(f"/chat/messages/{theirs['id']}/actions", htmx=True)
    assert f'hx-post="/chat/messages/{theirs["id"]}/report"' in menu.text
    assert "Report message" in menu.text
    own_menu = alice.get(f"/chat/messages/{mine['id']}/actions", htmx=True)
    assert "Report message" not in own_menu.text

    sent = alice.post(
        f"/chat/messages/{theirs['id']}/report", {"reason": "off_platform", "note": "wire"}
    )
    assert sent.status_code == 201
    assert "Reported" in json.loads(sent.headers["HX-Trigger"])["lnk:toast"]["message"]
    again = alice.post(f"/chat/messages/{theirs['id']}/report", {"reason": "spam"})
    assert again.status_code == 200
    [report] = ctx.store.reports.list_open(5)
    assert (report.reason, report.note, report.reporter_id) == ("off_platform", "wire", alice.id)


def test_a_report_without_the_csrf_token_or_with_a_bad_reason_changes_nothing(pair, client, ctx):
    alice, bob, cid = pair
    theirs = api_send(client, bob, cid, "hello")
    forged = alice.post(f"/chat/messages/{theirs['id']}/report", {"reason": "spam"}, csrf=False)
    assert forged.status_code in (401, 403)
    bad = alice.post(f"/chat/messages/{theirs['id']}/report", {"reason": "boring"})
    assert bad.status_code == 422
    assert ctx.store.reports.count_open_total() == 0


def test_the_header_of_a_direct_conversation_reports_the_other_person(pair, ctx):
    alice, bob, cid = pair
    page = alice.get(f"/chat/{cid}")
    assert f'hx-post="/chat/users/{bob.id}/report"' in page.text
    assert f'hx-post="/chat/users/{alice.id}/report"' not in page.text
    sent = alice.post(f"/chat/users/{bob.id}/report", {"reason": "harassment"})
    assert sent.status_code == 201
    assert ctx.store.reports.count_open("user", bob.id) == 1


def test_a_held_message_is_drawn_hidden_for_others_and_whole_for_its_sender(pair, client, ctx):
    alice, bob, cid = pair
    theirs = api_send(client, bob, cid, "very secret spam text")
    ctx.store.reports.hold(theirs["id"], ctx.clock.now())
    seen = alice.get(f"/chat/{cid}")
    assert "Hidden pending review" in seen.text and "very secret spam text" not in seen.text
    own = bob.get(f"/chat/{cid}")
    assert "very secret spam text" in own.text and "hidden from others pending review" in own.text


def test_the_header_says_how_fast_a_provider_usually_replies(pair, client, clock):
    from datetime import timedelta

    alice, bob, cid = pair  # bob opened with "Hi Alice"; make alice a provider first
    fresh = client.post(
        "/api/service-packages",
        json={
            "title": "Cut",
            "description": "A cut",
            "price": 10,
            "currency": "EUR",
            "durationMinutes": 30,
        },
        headers=alice.account.headers,
    )
    assert fresh.status_code == 201
    assert 'id="reply-hint"' not in bob.get(f"/chat/{cid}").text  # nothing measured yet
    carol_id = client.post(
        "/api/auth/register",
        json={"username": "carol", "password": "correct-horse-1"},
    ).get_json()
    carol_headers = {"Authorization": f"Bearer {carol_id['accessToken']}"}
    other = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [alice.id]},
        headers=carol_headers,
    ).get_json()["id"]
    client.post(
        f"/api/conversations/{other}/messages", json={"content": "hi"}, headers=carol_headers
    )
    clock.advance(timedelta(minutes=95))
    api_send(client, alice, other, "hello Carol")
    page = bob.get(f"/chat/{cid}")
    assert 'id="reply-hint"' in page.text and "Usually replies within 2 h" in page.text
    assert "Usually replies" not in alice.get(f"/chat/{cid}").text  # bob has no packages
