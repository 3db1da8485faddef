"""Reporting messages and users: one open report per reporter and target, and a message that
enough different users reported is hidden from everyone but its sender."""

from __future__ import annotations

import pytest

from lnk.domain.events import MessageUpdated

pytestmark = pytest.mark.both_engines


@pytest.fixture
def group(client, make_user):
    """A group of five: the sender ``spammer`` and four others."""
    people = [make_user(name) for name in ("spammer", "ann", "ben", "cat", "dan")]
    owner, others = people[0], people[1:]
    cid = client.post(
        "/api/conversations",
        json={"type": "group", "title": "Club", "participantIds": [p.id for p in others]},
        headers=owner.headers,
    ).get_json()["id"]
    return people, cid


def send(client, user, cid, content="cheap watches at example dot com") -> dict:
    response = client.post(
        f"/api/conversations/{cid}/messages", json={"content": content}, headers=user.headers
    )
    assert response.status_code == 201
    return response.get_json()


def report(client, user, message_id, reason="spam", **extra):
    return client.post(
        f"/api/messages/{message_id}/report",
        json={"reason": reason, **extra},
        headers=user.headers,
    )


def history(client, user, cid) -> dict:
    items = client.get(f"/api/conversations/{cid}/messages", headers=user.headers).get_json()
    return {m["id"]: m for m in items["items"]}


def test_a_report_is_201_and_a_repeat_answers_the_open_report_with_200(client, group):
    (spammer, ann, *_), cid = group
    message = send(client, spammer, cid)
    first = report(client, ann, message["id"], note="  ads  ")
    assert first.status_code == 201
    body = first.get_json()
    assert body["targetType"] == "message" and body["targetId"] == message["id"]
    assert body["reason"] == "spam" and body["note"] == "ads" and body["status"] == "open"
    again = report(client, ann, message["id"], reason="scam")
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"] and again.get_json()["reason"] == "spam"


def test_a_message_reported_by_three_users_is_hidden_from_all_but_its_sender(client, group, events):
    (spammer, ann, ben, cat, dan), cid = group
    message = send(client, spammer, cid)
    for reporter in (ann, ben):
        assert report(client, reporter, message["id"]).status_code == 201
    # the same user reporting twice does not count twice
    assert report(client, ben, message["id"], reason="scam").status_code == 200
    assert history(client, dan, cid)[message["id"]]["content"] == message["content"]
    events.clear()
    assert report(client, cat, message["id"], reason="harassment").status_code == 201

    seen_by_dan = history(client, dan, cid)[message["id"]]
    assert seen_by_dan["heldForReview"] is True and seen_by_dan["content"] == ""
    one = client.get(f"/api/messages/{message['id']}", headers=dan.headers).get_json()
    assert one["heldForReview"] is True and one["content"] == ""
    own = history(client, spammer, cid)[message["id"]]
    assert own["heldForReview"] is True and own["content"] == message["content"]
    # searching does not find it for others
    found = client.get("/api/messages/search?q=watches", headers=dan.headers).get_json()
    assert found["items"] == []
    mine = client.get("/api/messages/search?q=watches", headers=spammer.headers).get_json()
    assert [m["id"] for m in mine["items"]] == [message["id"]]
    # the others' screens are told, without the content; the sender's are not
    [held] = [e for e in events.of_type(MessageUpdated) if e.action == "held"]
    assert held.message.content == "" and spammer.id not in held.audience
    assert set(held.audience) == {ann.id, ben.id, cat.id, dan.id}


def test_a_message_below_the_threshold_stays_visible(client, group):
    (spammer, ann, ben, _, dan), cid = group
    message = send(client, spammer, cid)
    report(client, ann, message["id"])
    report(client, ben, message["id"])
    seen = history(client, dan, cid)[message["id"]]
    assert seen["heldForReview"] is False and seen["content"] == message["content"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "rude"}, "reason"),
        ({}, "reason"),
        ({"reason": "other", "note": "x" * 1001}, "note"),
        ({"reason": "other", "note": 5}, "note"),
    ],
)
def test_bad_reports_are_422_and_store_nothing(client, group, ctx, body, field):
    (spammer, ann, *_), cid = group
    message = send(client, spammer, cid)
    response = client.post(f"/api/messages/{message['id']}/report", json=body, headers=ann.headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert ctx.store.reports.count_open_total() == 0


def test_own_system_and_unseen_messages_cannot_be_reported(client, group, make_user, ctx):
    (spammer, ann, *_), cid = group
    message = send(client, spammer, cid)
    assert report(client, spammer, message["id"]).status_code == 422
    outsider = make_user("outsider")
    assert report(client, outsider, message["id"]).status_code == 404
    assert report(client, ann, "0123456789abcdef01234567").status_code == 404
    system = [m for m in history(client, ann, cid).values() if m["type"] == "system"]
    if system:
        assert report(client, ann, system[0]["id"]).status_code == 422
    assert ctx.store.reports.count_open_total() == 0


def test_users_can_be_reported_once_and_not_themselves(client, group, ctx):
    (spammer, ann, *_), _ = group
    first = client.post(
        f"/api/users/{spammer.id}/report", json={"reason": "scam"}, headers=ann.headers
    )
    assert first.status_code == 201 and first.get_json()["targetType"] == "user"
    again = client.post(
        f"/api/users/{spammer.id}/report", json={"reason": "spam"}, headers=ann.headers
    )
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    own = client.post(f"/api/users/{ann.id}/report", json={"reason": "spam"}, headers=ann.headers)
    assert own.status_code == 422
    unknown = client.post(
        "/api/users/0123456789abcdef01234567/report", json={"reason": "spam"}, headers=ann.headers
    )
    assert unknown.status_code == 404
    anonymous = client.post(f"/api/users/{spammer.id}/report", json={"reason": "spam"})
    assert anonymous.status_code == 401
    assert ctx.store.reports.count_open_total() == 1


def test_the_conversation_list_preview_of_a_held_last_message_is_neutral(client, group):
    (spammer, ann, ben, cat, dan), cid = group
    message = send(client, spammer, cid)
    for reporter in (ann, ben, cat):
        report(client, reporter, message["id"])

    def preview(user) -> str:
        items = client.get("/api/conversations", headers=user.headers).get_json()["items"]
        [conversation] = [c for c in items if c["id"] == cid]
        return conversation["lastMessage"]["preview"]

    assert preview(dan) == "Hidden pending review"
    assert preview(spammer) == message["content"][: len(preview(spammer))]
    assert "watches" in preview(spammer)
    one = client.get(f"/api/conversations/{cid}", headers=dan.headers).get_json()
    assert one["lastMessage"]["preview"] == "Hidden pending review"


def test_an_edit_of_a_held_message_reaches_the_others_without_its_text(client, group, events):
    (spammer, ann, ben, cat, _), cid = group
    message = send(client, spammer, cid)
    for reporter in (ann, ben, cat):
        report(client, reporter, message["id"])
    events.clear()
    edited = client.put(
        f"/api/messages/{message['id']}",
        json={"content": "even cheaper now"},
        headers=spammer.headers,
    )
    assert edited.status_code == 200
    updates = [e for e in events.of_type(MessageUpdated) if e.action == "edited"]
    by_audience = {e.audience: e.message for e in updates}
    assert by_audience[(spammer.id,)].content == "even cheaper now"
    others = [m for audience, m in by_audience.items() if spammer.id not in audience]
    assert len(others) == 1 and others[0].content == "" and others[0].held is True


def test_reports_are_rate_limited_per_user(tmp_path):
    from lnk import create_app
    from lnk.config import Settings

    app = create_app(
        Settings(
            env="testing",
            sqlite_path=str(tmp_path / "rl.sqlite3"),
            upload_dir=str(tmp_path / "up"),
            ratelimit_enabled=True,
        )
    )
    client = app.test_client()
    tokens = [
        client.post(
            "/api/auth/register", json={"username": name, "password": "correct-horse-1"}
        ).get_json()
        for name in ("alice", "bob")
    ]
    headers = {"Authorization": f"Bearer {tokens[0]['accessToken']}"}
    target = tokens[1]["user"]["id"]
    statuses = [
        client.post(f"/api/users/{target}/report", json={"reason": "spam"}, headers=headers)
        for _ in range(31)
    ]
    assert [r.status_code for r in statuses[:30]] == [201] + [200] * 29
    assert statuses[30].status_code == 429 and statuses[30].get_json()["code"] == "rate_limited"
