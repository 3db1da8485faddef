"""Conversations over HTTP: creation, uniqueness, membership rules, per-user state, paging."""

from __future__ import annotations

import pytest

from lnk.domain.events import ConversationUpdated, MessageSent

pytestmark = pytest.mark.both_engines


@pytest.fixture
def trio(make_user):
    return make_user("alice"), make_user("bob"), make_user("carol")


def create(client, owner, others, type="direct", title=None):
    body = {"type": type, "participantIds": [o.id for o in others]}
    if title:
        body["title"] = title
    return client.post("/api/conversations", json=body, headers=owner.headers)


def send(client, user, conversation_id, text="hi"):
    response = client.post(
        f"/api/conversations/{conversation_id}/messages",
        json={"content": text},
        headers=user.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_direct_conversation_is_unique_per_pair(client, trio):
    alice, bob, _ = trio
    first = create(client, alice, [bob])
    assert first.status_code == 201
    again = create(client, bob, [alice])
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    body = first.get_json()
    assert body["type"] == "direct" and body["title"] is None
    assert {p["userId"] for p in body["participants"]} == {alice.id, bob.id}
    assert body["unreadCount"] == 0 and body["lastMessage"] is None


def test_direct_conversation_validation(client, trio):
    alice, bob, carol = trio
    assert create(client, alice, [bob, carol]).status_code == 422
    assert create(client, alice, [alice]).status_code == 422
    unknown = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": ["0" * 24]},
        headers=alice.headers,
    )
    assert unknown.status_code == 422 and "participantIds" in unknown.get_json()["errors"]
    bad_type = client.post(
        "/api/conversations",
        json={"type": "channel", "participantIds": [bob.id]},
        headers=alice.headers,
    )
    assert bad_type.status_code == 422 and "type" in bad_type.get_json()["errors"]


def test_group_creator_is_owner_and_no_system_message(client, trio, events):
    alice, bob, carol = trio
    response = create(client, alice, [bob, carol], "group", "Team")
    assert response.status_code == 201
    body = response.get_json()
    roles = {p["userId"]: p["role"] for p in body["participants"]}
    assert roles == {alice.id: "owner", bob.id: "member", carol.id: "member"}
    messages = client.get(f"/api/conversations/{body['id']}/messages", headers=bob.headers)
    assert messages.get_json()["items"] == []
    assert not events.of_type(MessageSent)
    assert create(client, alice, [bob], "group").status_code == 422  # title required


def test_non_participant_gets_404_everywhere(client, trio):
    alice, bob, carol = trio
    conversation = create(client, alice, [bob]).get_json()
    cid = conversation["id"]
    for method, path in [
        ("get", f"/api/conversations/{cid}"),
        ("put", f"/api/conversations/{cid}/archive"),
        ("delete", f"/api/conversations/{cid}"),
        ("get", f"/api/conversations/{cid}/unread-count"),
        ("get", f"/api/conversations/{cid}/messages"),
    ]:
        response = getattr(client, method)(path, headers=carol.headers)
        assert response.status_code == 404, path
    assert client.get("/api/conversations/not-an-id", headers=alice.headers).status_code == 404


def test_list_orders_by_recent_activity_with_cursor(client, make_user):
    me = make_user("mee")
    others = [make_user(f"other{i}") for i in range(5)]
    ids = [create(client, me, [o]).get_json()["id"] for o in others]
    send(client, others[2], ids[2])
    send(client, me, ids[0])
    page1 = client.get("/api/conversations?limit=2", headers=me.headers).get_json()
    assert [c["id"] for c in page1["items"]] == [ids[0], ids[2]]
    page2 = client.get(
        f"/api/conversations?limit=2&cursor={page1['nextCursor']}", headers=me.headers
    ).get_json()
    page3 = client.get(
        f"/api/conversations?limit=2&cursor={page2['nextCursor']}", headers=me.headers
    ).get_json()
    seen = [c["id"] for c in page1["items"] + page2["items"] + page3["items"]]
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert page3["nextCursor"] is None


def test_archive_is_per_user_and_filters_the_list(client, trio):
    alice, bob, _ = trio
    cid = create(client, alice, [bob]).get_json()["id"]
    archived = client.put(f"/api/conversations/{cid}/archive", headers=alice.headers)
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    assert client.get("/api/conversations", headers=alice.headers).get_json()["items"] == []
    listed = client.get("/api/conversations?archived=true", headers=alice.headers).get_json()
    assert [c["id"] for c in listed["items"]] == [cid]
    assert (
        client.get(f"/api/conversations/{cid}", headers=bob.headers).get_json()["archived"] is False
    )
    back = client.put(f"/api/conversations/{cid}/unarchive", headers=alice.headers)
    assert back.get_json()["archived"] is False


def test_mute_is_per_caller(client, trio):
    alice, bob, _ = trio
    cid = create(client, alice, [bob]).get_json()["id"]
    muted = client.put(f"/api/conversations/{cid}", json={"muted": True}, headers=bob.headers)
    assert muted.status_code == 200 and muted.get_json()["muted"] is True
    assert (
        client.get(f"/api/conversations/{cid}", headers=alice.headers).get_json()["muted"] is False
    )


def test_group_only_changes_on_direct_are_422(client, trio):
    alice, bob, carol = trio
    cid = create(client, alice, [bob]).get_json()["id"]
    for body in ({"title": "x"}, {"addParticipantIds": [carol.id]}):
        assert (
            client.put(f"/api/conversations/{cid}", json=body, headers=alice.headers).status_code
            == 422
        )


def test_group_membership_changes_post_system_messages(client, trio, make_user, events):
    alice, bob, carol = trio
    dave = make_user("dave")
    gid = create(client, alice, [bob], "group", "Team").get_json()["id"]
    events.clear()
    response = client.put(
        f"/api/conversations/{gid}",
        json={"addParticipantIds": [carol.id, dave.id], "title": "Team 2"},
        headers=alice.headers,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Team 2" and len(body["participants"]) == 4
    items = client.get(f"/api/conversations/{gid}/messages", headers=bob.headers).get_json()[
        "items"
    ]
    assert items[0]["type"] == "system" and "added" in items[0]["content"]
    # a new member sees what comes after it joined, including its own addition
    assert [
        m["type"]
        for m in client.get(f"/api/conversations/{gid}/messages", headers=carol.headers).get_json()[
            "items"
        ]
    ] == ["system"]
    # system messages never count as unread
    assert (
        client.get(f"/api/conversations/{gid}/unread-count", headers=bob.headers).get_json()[
            "unreadCount"
        ]
        == 0
    )
    updated = events.of_type(ConversationUpdated)
    assert updated and set(updated[-1].audience) == {alice.id, bob.id, carol.id, dave.id}
    assert len(events.of_type(MessageSent)) == 1


def test_member_may_only_leave_and_admin_limits(client, trio, make_user):
    alice, bob, carol = trio
    dave = make_user("dave")
    gid = create(client, alice, [bob, carol, dave], "group", "Team").get_json()["id"]
    url = f"/api/conversations/{gid}"
    assert client.put(url, json={"title": "mine"}, headers=bob.headers).status_code == 403
    assert (
        client.put(url, json={"removeParticipantIds": [carol.id]}, headers=bob.headers).status_code
        == 403
    )
    promote = client.put(url, json={"participantRoles": {bob.id: "admin"}}, headers=alice.headers)
    assert promote.status_code == 200
    assert (
        client.put(url, json={"removeParticipantIds": [alice.id]}, headers=bob.headers).status_code
        == 403
    )  # admin cannot remove owner
    assert (
        client.put(
            url, json={"participantRoles": {bob.id: "owner"}}, headers=bob.headers
        ).status_code
        == 403
    )
    assert (
        client.put(url, json={"removeParticipantIds": [carol.id]}, headers=bob.headers).status_code
        == 200
    )
    leave = client.put(url, json={"removeParticipantIds": [dave.id]}, headers=dave.headers)
    assert leave.status_code == 200
    assert client.get(url, headers=dave.headers).status_code == 404
    contents = [
        m["content"]
        for m in client.get(f"{url}/messages", headers=alice.headers).get_json()["items"]
    ]
    assert contents[0] == "Dave left"


def test_owner_leaving_hands_ownership_over(client, trio):
    alice, bob, carol = trio
    gid = create(client, alice, [bob, carol], "group", "Team").get_json()["id"]
    client.put(
        f"/api/conversations/{gid}",
        json={"participantRoles": {carol.id: "admin"}},
        headers=alice.headers,
    )
    client.put(
        f"/api/conversations/{gid}",
        json={"removeParticipantIds": [alice.id]},
        headers=alice.headers,
    )
    roles = {
        p["userId"]: p["role"]
        for p in client.get(f"/api/conversations/{gid}", headers=bob.headers).get_json()[
            "participants"
        ]
    }
    assert roles == {bob.id: "member", carol.id: "owner"}


def test_refused_update_changes_nothing(client, trio):
    alice, bob, carol = trio
    gid = create(client, alice, [bob], "group", "Team").get_json()["id"]
    response = client.put(
        f"/api/conversations/{gid}",
        json={"title": "Renamed", "addParticipantIds": [carol.id, "0" * 24]},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = client.get(f"/api/conversations/{gid}", headers=alice.headers).get_json()
    assert body["title"] == "Team" and len(body["participants"]) == 2


def test_soft_delete_hides_until_a_new_message_then_shows_only_later_ones(client, trio):
    alice, bob, _ = trio
    cid = create(client, alice, [bob]).get_json()["id"]
    send(client, alice, cid, "before the delete")
    assert client.delete(f"/api/conversations/{cid}", headers=bob.headers).status_code == 204
    assert client.get("/api/conversations", headers=bob.headers).get_json()["items"] == []
    still = client.get(f"/api/conversations/{cid}", headers=bob.headers)
    assert still.status_code == 200 and still.get_json()["unreadCount"] == 0
    assert still.get_json()["lastMessage"] is None
    assert (
        client.get(f"/api/conversations/{cid}/messages", headers=bob.headers).get_json()["items"]
        == []
    )
    send(client, alice, cid, "after the delete")
    listed = client.get("/api/conversations", headers=bob.headers).get_json()["items"]
    assert [c["id"] for c in listed] == [cid] and listed[0]["unreadCount"] == 1
    contents = [
        m["content"]
        for m in client.get(f"/api/conversations/{cid}/messages", headers=bob.headers).get_json()[
            "items"
        ]
    ]
    assert contents == ["after the delete"]
    # the other participant is untouched
    assert (
        len(
            client.get(f"/api/conversations/{cid}/messages", headers=alice.headers).get_json()[
                "items"
            ]
        )
        == 2
    )


def test_unread_count_route(client, trio):
    alice, bob, _ = trio
    cid = create(client, alice, [bob]).get_json()["id"]
    for i in range(3):
        send(client, alice, cid, f"m{i}")
    response = client.get(f"/api/conversations/{cid}/unread-count", headers=bob.headers)
    assert response.get_json() == {"conversationId": cid, "unreadCount": 3}
    assert (
        client.get(f"/api/conversations/{cid}/unread-count", headers=alice.headers).get_json()[
            "unreadCount"
        ]
        == 0
    )


def roles_of(client, gid, viewer):
    body = client.get(f"/api/conversations/{gid}", headers=viewer.headers).get_json()
    return {p["userId"]: p["role"] for p in body["participants"]}


def test_an_admin_cannot_demote_or_remove_another_admin(client, trio):
    alice, bob, carol = trio
    gid = create(client, alice, [bob, carol], "group", "Team").get_json()["id"]
    url = f"/api/conversations/{gid}"
    promote = {"participantRoles": {bob.id: "admin", carol.id: "admin"}}
    assert client.put(url, json=promote, headers=alice.headers).status_code == 200
    demote = client.put(url, json={"participantRoles": {carol.id: "member"}}, headers=bob.headers)
    assert demote.status_code == 403
    remove = client.put(url, json={"removeParticipantIds": [carol.id]}, headers=bob.headers)
    assert remove.status_code == 403
    assert roles_of(client, gid, alice) == {alice.id: "owner", bob.id: "admin", carol.id: "admin"}


def test_an_admin_may_promote_a_member_but_not_make_an_owner(client, trio, make_user):
    alice, bob, carol = trio
    dave = make_user("dave")
    gid = create(client, alice, [bob, carol, dave], "group", "Team").get_json()["id"]
    url = f"/api/conversations/{gid}"
    client.put(url, json={"participantRoles": {bob.id: "admin"}}, headers=alice.headers)
    ok = client.put(url, json={"participantRoles": {carol.id: "admin"}}, headers=bob.headers)
    assert ok.status_code == 200
    refused = client.put(url, json={"participantRoles": {dave.id: "owner"}}, headers=bob.headers)
    assert refused.status_code == 403
    assert roles_of(client, gid, alice)[dave.id] == "member"


def test_making_someone_owner_hands_ownership_over(client, trio):
    alice, bob, carol = trio
    gid = create(client, alice, [bob, carol], "group", "Team").get_json()["id"]
    url = f"/api/conversations/{gid}"
    handover = client.put(url, json={"participantRoles": {bob.id: "owner"}}, headers=alice.headers)
    assert handover.status_code == 200
    assert roles_of(client, gid, alice) == {alice.id: "admin", bob.id: "owner", carol.id: "member"}
    # the former owner, now an admin, can no longer remove the new owner
    remove = client.put(url, json={"removeParticipantIds": [bob.id]}, headers=alice.headers)
    assert remove.status_code == 403
    assert roles_of(client, gid, bob)[bob.id] == "owner"


def test_there_is_always_exactly_one_owner(client, trio):
    alice, bob, carol = trio
    gid = create(client, alice, [bob, carol], "group", "Team").get_json()["id"]
    url = f"/api/conversations/{gid}"
    step_down = client.put(
        url, json={"participantRoles": {alice.id: "member"}}, headers=alice.headers
    )
    assert step_down.status_code == 422
    two = client.put(
        url, json={"participantRoles": {bob.id: "owner", carol.id: "owner"}}, headers=alice.headers
    )
    assert two.status_code == 422
    assert roles_of(client, gid, alice) == {alice.id: "owner", bob.id: "member", carol.id: "member"}
    # handing over and leaving in one request leaves exactly the chosen owner
    both = {"participantRoles": {carol.id: "owner"}, "removeParticipantIds": [alice.id]}
    assert client.put(url, json=both, headers=alice.headers).status_code == 200
    assert roles_of(client, gid, bob) == {bob.id: "member", carol.id: "owner"}
