"""Messages over HTTP: sending, idempotency, history paging, edits, deletes, reads, reactions,
search, and exact unread counts on every path."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from lnk.domain.events import ConversationUpdated, MessageSent, MessagesRead, MessageUpdated

pytestmark = pytest.mark.both_engines


def send(client, user, cid, content="hello", **extra):
    return client.post(
        f"/api/conversations/{cid}/messages",
        json={"content": content, **extra},
        headers=user.headers,
    )


def unread(client, user, cid) -> int:
    return client.get(f"/api/conversations/{cid}/unread-count", headers=user.headers).get_json()[
        "unreadCount"
    ]


def test_send_returns_the_message_and_raises_message_sent(client, pair, events):
    alice, bob, cid = pair
    response = send(client, alice, cid, "  Hello Bob  ")
    assert response.status_code == 201
    message = response.get_json()
    assert message["content"] == "Hello Bob" and message["type"] == "text"
    assert message["seq"] == 1 and message["senderId"] == alice.id
    assert message["deleted"] is False and message["reactions"] == []
    assert message["createdAt"].endswith("Z") and message["editedAt"] is None
    assert "warnings" not in message
    sent = events.of_type(MessageSent)
    assert len(sent) == 1 and set(sent[0].audience) == {alice.id, bob.id}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"content": "   "}, "content"),
        ({}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"content": "hi", "clientId": "c" * 65}, "clientId"),
        ({"content": 5}, "content"),
        ({"content": "hi", "replyToId": "0" * 24}, "replyToId"),
        ({"content": "hi", "attachmentIds": ["0" * 24]}, "attachmentIds"),
    ],
)
def test_send_validation(client, pair, body, field):
    alice, _, cid = pair
    response = client.post(f"/api/conversations/{cid}/messages", json=body, headers=alice.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert (
        client.get(f"/api/conversations/{cid}/messages", headers=alice.headers).get_json()["items"]
        == []
    )


def test_client_id_makes_send_idempotent(client, pair, events):
    alice, bob, cid = pair
    first = send(client, alice, cid, "once", clientId="abc-1")
    again = send(client, alice, cid, "once", clientId="abc-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(events.of_type(MessageSent)) == 1
    assert unread(client, bob, cid) == 1
    # another sender may use the same clientId
    assert send(client, bob, cid, "mine", clientId="abc-1").status_code == 201


def test_a_client_id_is_scoped_per_sender_per_conversation(client, pair, make_user, events):
    alice, _, cid = pair
    carol = make_user("carol")
    other = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [carol.id]},
        headers=alice.headers,
    ).get_json()["id"]
    first = send(client, alice, cid, "to bob", clientId="k-1")
    elsewhere = send(client, alice, other, "to carol", clientId="k-1")
    assert (first.status_code, elsewhere.status_code) == (201, 201)
    assert elsewhere.get_json()["conversationId"] == other
    assert elsewhere.get_json()["content"] == "to carol"
    repeat = send(client, alice, other, "to carol", clientId="k-1")
    assert repeat.status_code == 200 and repeat.get_json()["id"] == elsewhere.get_json()["id"]
    assert len(events.of_type(MessageSent)) == 2


def test_a_client_id_repeated_on_another_kind_of_send_is_a_conflict(client, pair, events):
    alice, bob, cid = pair
    text = send(client, alice, cid, "hello", clientId="k-2")
    assert text.status_code == 201
    location = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 1.5, "longitude": 2.5, "clientId": "k-2"},
        headers=alice.headers,
    )
    assert location.status_code == 409 and location.get_json()["code"] == "conflict"
    place = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 1.5, "longitude": 2.5, "clientId": "k-3"},
        headers=alice.headers,
    )
    assert place.status_code == 201
    again = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 1.5, "longitude": 2.5, "clientId": "k-3"},
        headers=alice.headers,
    )
    assert again.status_code == 200 and again.get_json()["id"] == place.get_json()["id"]
    assert send(client, alice, cid, "text", clientId="k-3").status_code == 409
    assert len(events.of_type(MessageSent)) == 2
    assert unread(client, bob, cid) == 2


@pytest.mark.threaded
def test_concurrent_sends_get_consecutive_seqs(app, pair):
    alice, bob, cid = pair
    results: list[int] = []
    lock = threading.Lock()

    def worker(user, n):
        c = app.test_client()
        for i in range(n):
            r = c.post(
                f"/api/conversations/{cid}/messages",
                json={"content": f"m{i}"},
                headers=user.headers,
            )
            assert r.status_code == 201
            with lock:
                results.append(r.get_json()["seq"])

    threads = [threading.Thread(target=worker, args=(u, 15)) for u in (alice, bob) * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 91))


def test_history_pages_newest_first_without_gaps(client, pair):
    alice, bob, cid = pair
    for i in range(7):
        send(client, alice if i % 2 else bob, cid, f"m{i}")
    seen = []
    url = f"/api/conversations/{cid}/messages?limit=3"
    page = client.get(url, headers=alice.headers).get_json()
    while True:
        seen += [m["seq"] for m in page["items"]]
        if not page["nextCursor"]:
            break
        page = client.get(
            f"/api/conversations/{cid}/messages?cursor={page['nextCursor']}&limit=3",
            headers=alice.headers,
        ).get_json()
    assert seen == [7, 6, 5, 4, 3, 2, 1]


def test_history_before_after_and_after_seq(client, pair):
    alice, _, cid = pair
    ids = [send(client, alice, cid, f"m{i}").get_json()["id"] for i in range(6)]
    before = client.get(
        f"/api/conversations/{cid}/messages?before={ids[3]}", headers=alice.headers
    ).get_json()
    assert [m["seq"] for m in before["items"]] == [3, 2, 1]
    after = client.get(
        f"/api/conversations/{cid}/messages?after={ids[1]}&limit=2", headers=alice.headers
    ).get_json()
    assert [m["seq"] for m in after["items"]] == [3, 4]
    rest = client.get(
        f"/api/conversations/{cid}/messages?cursor={after['nextCursor']}", headers=alice.headers
    ).get_json()
    assert [m["seq"] for m in rest["items"]] == [5, 6] and rest["nextCursor"] is None
    by_seq = client.get(
        f"/api/conversations/{cid}/messages?afterSeq=4", headers=alice.headers
    ).get_json()
    assert [m["seq"] for m in by_seq["items"]] == [5, 6]
    assert (
        client.get(
            f"/api/conversations/{cid}/messages?before=" + "0" * 24, headers=alice.headers
        ).status_code
        == 422
    )
    assert (
        client.get(
            f"/api/conversations/{cid}/messages?cursor=xyz", headers=alice.headers
        ).status_code
        == 422
    )
    assert (
        client.get(
            f"/api/conversations/{cid}/messages?afterSeq=-1", headers=alice.headers
        ).status_code
        == 422
    )


def test_edit_by_sender_within_24_hours(client, pair, clock, events):
    alice, bob, cid = pair
    mid = send(client, alice, cid, "typo").get_json()["id"]
    edited = client.put(f"/api/messages/{mid}", json={"content": "fixed"}, headers=alice.headers)
    assert edited.status_code == 200
    assert edited.get_json()["content"] == "fixed" and edited.get_json()["editedAt"]
    assert events.of_type(MessageUpdated)[-1].action == "edited"
    preview = client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()
    assert preview["lastMessage"]["preview"] == "fixed"
    assert (
        client.put(f"/api/messages/{mid}", json={"content": "x"}, headers=bob.headers).status_code
        == 403
    )
    clock.advance(timedelta(hours=24, seconds=1))
    late = client.put(f"/api/messages/{mid}", json={"content": "late"}, headers=alice.headers)
    assert late.status_code == 403 and late.get_json()["code"] == "edit_window_expired"


def test_delete_for_everyone_empties_content_and_fixes_unread(client, pair, events):
    alice, bob, cid = pair
    mid = send(client, alice, cid, "secret").get_json()["id"]
    send(client, alice, cid, "second")
    assert unread(client, bob, cid) == 2
    assert client.delete(f"/api/messages/{mid}", headers=bob.headers).status_code == 403
    assert client.delete(f"/api/messages/{mid}", headers=alice.headers).status_code == 204
    message = client.get(f"/api/messages/{mid}", headers=bob.headers).get_json()
    assert message["deleted"] is True and message["content"] == ""
    assert message["senderId"] == alice.id and message["type"] == "text"
    assert unread(client, bob, cid) == 1
    assert events.of_type(MessageUpdated)[-1].action == "deleted"
    assert client.delete(f"/api/messages/{mid}", headers=alice.headers).status_code == 204


def test_group_admin_and_platform_admin_may_delete_others_messages(app, client, make_user):
    owner, member = make_user("owner"), make_user("member")
    gid = client.post(
        "/api/conversations",
        json={"type": "group", "title": "G", "participantIds": [member.id]},
        headers=owner.headers,
    ).get_json()["id"]
    first = send(client, member, gid, "spam").get_json()["id"]
    second = send(client, member, gid, "more spam").get_json()["id"]
    assert client.delete(f"/api/messages/{first}", headers=owner.headers).status_code == 204
    admin = make_user("admin")
    app.extensions["lnk"].store.users.update(admin.id, role="admin")
    assert client.delete(f"/api/messages/{second}", headers=admin.headers).status_code == 204


def test_delete_for_me_hides_only_for_caller(client, pair):
    alice, bob, cid = pair
    mid = send(client, alice, cid, "hide me").get_json()["id"]
    assert unread(client, bob, cid) == 1
    assert client.delete(f"/api/messages/{mid}/for-me", headers=bob.headers).status_code == 204
    assert unread(client, bob, cid) == 0
    assert (
        client.get(f"/api/conversations/{cid}/messages", headers=bob.headers).get_json()["items"]
        == []
    )
    assert client.get(f"/api/messages/{mid}", headers=bob.headers).status_code == 404
    assert client.get(f"/api/messages/{mid}", headers=alice.headers).status_code == 200


def test_reads_are_idempotent_and_keep_first_read_at(client, pair, clock, events):
    alice, bob, cid = pair
    mid = send(client, alice, cid, "read me").get_json()["id"]
    first = client.post(f"/api/messages/{mid}/read", headers=bob.headers).get_json()
    assert first["unreadCount"] == 0 and first["readAt"]
    clock.advance(timedelta(minutes=5))
    second = client.post(f"/api/messages/{mid}/read", headers=bob.headers).get_json()
    assert second["readAt"] == first["readAt"]
    reads = client.get(f"/api/messages/{mid}/reads", headers=alice.headers).get_json()
    assert reads == {"messageId": mid, "reads": [{"userId": bob.id, "readAt": first["readAt"]}]}
    read_events = events.of_type(MessagesRead)
    assert len(read_events) == 1 and read_events[0].audience == (alice.id,)
    own = client.post(f"/api/messages/{mid}/read", headers=alice.headers)
    assert own.status_code == 200 and own.get_json()["readAt"] is None


def test_bulk_mark_read_counts_only_new_reads(client, pair, events):
    alice, bob, cid = pair
    ids = [send(client, alice, cid, f"m{i}").get_json()["id"] for i in range(4)]
    send(client, bob, cid, "my own")
    some = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read",
        json={"messageIds": ids[:2]},
        headers=bob.headers,
    ).get_json()
    assert some == {"conversationId": cid, "markedCount": 2, "unreadCount": 2}
    rest = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read", json={}, headers=bob.headers
    ).get_json()
    assert rest["markedCount"] == 2 and rest["unreadCount"] == 0
    again = client.post(
        f"/api/conversations/{cid}/messages/bulk-mark-read", headers=bob.headers
    ).get_json()
    assert again["markedCount"] == 0
    assert events.of_type(ConversationUpdated)[-1].audience == (bob.id,)


def test_reactions_one_per_user(client, pair, events):
    alice, bob, cid = pair
    mid = send(client, alice, cid, "react").get_json()["id"]
    r1 = client.post(f"/api/messages/{mid}/reaction", json={"emoji": "👍"}, headers=bob.headers)
    assert r1.status_code == 200
    assert r1.get_json()["reactions"] == [{"emoji": "👍", "count": 1, "userIds": [bob.id]}]
    client.post(f"/api/messages/{mid}/reaction", json={"emoji": "👍"}, headers=alice.headers)
    r3 = client.post(f"/api/messages/{mid}/reaction", json={"emoji": "❤️"}, headers=bob.headers)
    reactions = {r["emoji"]: r["userIds"] for r in r3.get_json()["reactions"]}
    assert reactions == {"👍": [alice.id], "❤️": [bob.id]}
    removed = client.delete(f"/api/messages/{mid}/reaction", headers=bob.headers).get_json()
    assert removed["reactions"] == [{"emoji": "👍", "count": 1, "userIds": [alice.id]}]
    for bad in ("x", "👍👍", "hello", ""):
        response = client.post(
            f"/api/messages/{mid}/reaction", json={"emoji": bad}, headers=bob.headers
        )
        assert response.status_code == 422, bad
    assert [e.action for e in events.of_type(MessageUpdated)] == ["reaction"] * 4


def test_reply_carries_a_preview(client, pair):
    alice, bob, cid = pair
    original = send(client, alice, cid, "What time?").get_json()
    reply = send(client, bob, cid, "Noon", replyToId=original["id"]).get_json()
    assert reply["replyTo"] == {
        "id": original["id"],
        "senderId": alice.id,
        "type": "text",
        "preview": "What time?",
    }


def test_location_message(client, pair):
    alice, _, cid = pair
    response = client.post(
        f"/api/conversations/{cid}/messages/location",
        json={"latitude": 52.52, "longitude": 13.405, "name": "Berlin"},
        headers=alice.headers,
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["type"] == "location"
    assert body["location"] == {
        "latitude": 52.52,
        "longitude": 13.405,
        "name": "Berlin",
        "address": None,
    }
    for lat, lng in ((91, 0), (0, 181), (-90.5, 0)):
        bad = client.post(
            f"/api/conversations/{cid}/messages/location",
            json={"latitude": lat, "longitude": lng},
            headers=alice.headers,
        )
        assert bad.status_code == 422


def test_search_matches_word_prefixes_of_every_term(client, pair, make_user):
    alice, bob, cid = pair
    send(client, alice, cid, "Hello world, how are you?")
    send(client, bob, cid, "The world is big")
    send(client, bob, cid, "Say hello")
    items = client.get("/api/messages/search?q=hel%20wor", headers=bob.headers).get_json()["items"]
    assert [m["content"] for m in items] == ["Hello world, how are you?"]
    assert items[0]["conversationTitle"] is None
    assert (
        len(client.get("/api/messages/search?q=HELLO", headers=bob.headers).get_json()["items"])
        == 2
    )
    assert client.get("/api/messages/search?q=orld", headers=bob.headers).get_json()["items"] == []
    stranger = make_user("stranger")
    assert (
        client.get("/api/messages/search?q=hello", headers=stranger.headers).get_json()["items"]
        == []
    )
    assert client.get("/api/messages/search?q=%21%21", headers=bob.headers).status_code == 422
    assert client.get("/api/messages/search?q=", headers=bob.headers).status_code == 422
    scoped = client.get(
        f"/api/messages/search?q=hello&conversationId={cid}&limit=1", headers=bob.headers
    ).get_json()
    assert len(scoped["items"]) == 1 and scoped["nextCursor"]
    more = client.get(
        f"/api/messages/search?q=hello&conversationId={cid}&limit=1&cursor={scoped['nextCursor']}",
        headers=bob.headers,
    ).get_json()
    assert len(more["items"]) == 1 and more["items"][0]["id"] != scoped["items"][0]["id"]


def test_strangers_cannot_touch_messages(client, pair, make_user):
    alice, _, cid = pair
    mid = send(client, alice, cid, "private").get_json()["id"]
    eve = make_user("eve")
    assert send(client, eve, cid, "let me in").status_code == 404
    for method, path, body in [
        ("get", f"/api/messages/{mid}", None),
        ("put", f"/api/messages/{mid}", {"content": "x"}),
        ("delete", f"/api/messages/{mid}", None),
        ("post", f"/api/messages/{mid}/read", None),
        ("post", f"/api/messages/{mid}/reaction", {"emoji": "👍"}),
        ("get", f"/api/messages/{mid}/reads", None),
    ]:
        response = getattr(client, method)(path, json=body, headers=eve.headers)
        assert response.status_code == 404, path
        assert "private" not in response.get_data(as_text=True)


def test_unread_counts_stay_exact_across_paths(client, pair, make_user):
    alice, bob, cid = pair
    ids = [send(client, alice, cid, f"m{i}").get_json()["id"] for i in range(5)]
    send(client, bob, cid, "own messages never count")
    assert unread(client, bob, cid) == 5
    client.post(f"/api/messages/{ids[0]}/read", headers=bob.headers)
    client.delete(f"/api/messages/{ids[0]}", headers=alice.headers)  # already read: no change
    assert unread(client, bob, cid) == 4
    client.delete(f"/api/messages/{ids[1]}", headers=alice.headers)
    client.delete(f"/api/messages/{ids[2]}/for-me", headers=bob.headers)
    assert unread(client, bob, cid) == 2
    listed = client.get("/api/conversations", headers=bob.headers).get_json()["items"][0]
    assert listed["unreadCount"] == 2
    client.delete(f"/api/conversations/{cid}", headers=bob.headers)
    assert unread(client, bob, cid) == 0
    send(client, alice, cid, "new")
    assert unread(client, bob, cid) == 1
