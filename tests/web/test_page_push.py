"""Page pushes: each change is rendered once per distinct view, never once per reader."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from lnk.web.chat.push import PageFragments

pytestmark = pytest.mark.both_engines


def _group(client, make_user, size: int):
    users = [make_user(display_name=f"Member{i} Person") for i in range(size)]
    conversation = client.post(
        "/api/conversations",
        headers=users[0].headers,
        json={"type": "group", "title": "Crew", "participantIds": [u.id for u in users[1:]]},
    ).get_json()
    return users, conversation["id"]


def _message(app, message_id: str):
    return app.extensions["lnk"].store.messages.get(message_id)


def test_a_new_message_is_rendered_twice_for_a_group_of_six_the_sender_and_everyone_else(
    app, client, make_user, monkeypatch
):
    users, cid = _group(client, make_user, 6)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "hi all"}
    ).get_json()
    renders = []
    import lnk.web.chat.push as push

    real = push.render_template
    monkeypatch.setattr(push, "render_template", lambda *a, **k: renders.append(a) or real(*a, **k))

    variants = PageFragments(app).message_variants(_message(app, sent["id"]), [u.id for u in users])

    assert len(renders) == len(variants) == 2
    by_users = {v.user_ids: v.payload for v in variants}
    sender_view = by_users[(users[0].id,)]
    others_view = by_users[tuple(u.id for u in users[1:])]
    assert "msg--mine" in sender_view["html"] and 'id="receipt-' in sender_view["html"]
    assert "msg--mine" not in others_view["html"] and "receipt" not in others_view["html"]
    assert sender_view["preview"] == "You: hi all"
    assert others_view["preview"] == "Member0: hi all"
    for payload in (sender_view, others_view):
        assert payload["conversationId"] == cid and "action" not in payload
        assert payload["message"]["id"] == sent["id"] and payload["message"]["seq"] == 1
        assert payload["lastMessageId"] == sent["id"]
        assert re.search(r'<time datetime="[^"]+Z" data-format="time"', payload["html"])


def test_reactions_split_the_views_by_the_readers_own_reaction(app, client, make_user):
    users, cid = _group(client, make_user, 5)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "vote"}
    ).get_json()
    for user, emoji in ((users[1], "👍"), (users[2], "👍"), (users[3], "❤️")):
        client.post(
            f"/api/messages/{sent['id']}/reaction", headers=user.headers, json={"emoji": emoji}
        )

    variants = PageFragments(app).message_variants(
        _message(app, sent["id"]), [u.id for u in users], "reaction"
    )

    groups = sorted(v.user_ids for v in variants)
    assert groups == sorted(
        [(users[0].id,), (users[1].id, users[2].id), (users[3].id,), (users[4].id,)]
    )
    html = {v.user_ids: v.payload["html"] for v in variants}
    thumbs = html[(users[1].id, users[2].id)]
    assert re.search(r'chip chip--mine" aria-pressed="true"[^>]*>.*?👍', thumbs)
    assert 'aria-pressed="true"' not in html[(users[4].id,)]
    assert all(v.payload["action"] == "reaction" for v in variants)


def test_readers_who_keep_it_archived_get_the_same_view_marked_archived(
    app, client, make_user, monkeypatch
):
    """An archived conversation stays archived when a message arrives: those pages count it on
    the Archived tab, so their push says so (one more emit, not one more rendering)."""
    users, cid = _group(client, make_user, 4)
    for user in users[2:]:
        client.put(f"/api/conversations/{cid}/archive", headers=user.headers)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "news"}
    ).get_json()
    renders = []
    import lnk.web.chat.push as push

    real = push.render_template
    monkeypatch.setattr(push, "render_template", lambda *a, **k: renders.append(a) or real(*a, **k))

    variants = PageFragments(app).message_variants(_message(app, sent["id"]), [u.id for u in users])

    assert len(renders) == 2  # the sender's view and everyone else's
    by_users = {v.user_ids: v.payload for v in variants}
    assert set(by_users) == {(users[0].id,), (users[1].id,), (users[2].id, users[3].id)}
    assert by_users[(users[0].id,)]["archived"] is False
    assert by_users[(users[1].id,)]["archived"] is False
    archived = by_users[(users[2].id, users[3].id)]
    assert archived["archived"] is True
    assert {k: v for k, v in archived.items() if k != "archived"} == {
        k: v for k, v in by_users[(users[1].id,)].items() if k != "archived"
    }
    conversation = client.get(f"/api/conversations/{cid}", headers=users[2].headers).get_json()
    assert conversation["archived"] is True and conversation["unreadCount"] == 1


def test_rendering_ignores_the_time_zone_of_the_request_that_caused_it(app, client, make_user):
    users, cid = _group(client, make_user, 2)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "utc"}
    ).get_json()
    stamp = sent["createdAt"]
    asked = {"Cookie": "tz=Pacific/Kiritimati", "Accept-Language": "de-DE"}
    with app.test_request_context("/", headers=asked):
        variants = PageFragments(app).message_variants(
            _message(app, sent["id"]), [u.id for u in users]
        )
    utc_time = datetime.fromisoformat(stamp).strftime("%-I:%M %p")  # in UTC and en-US
    for variant in variants:
        assert f">{utc_time}</time>" in variant.payload["html"]


def test_no_audience_or_an_unknown_conversation_renders_nothing(app, client, make_user):
    users, cid = _group(client, make_user, 2)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "x"}
    ).get_json()
    fragments = PageFragments(app)
    assert fragments.message_variants(_message(app, sent["id"]), []) == []
    assert fragments.message_variants(_message(app, sent["id"]), ["f" * 24]) == []


class _Presence:
    def __init__(self, online: set[str] | None) -> None:
        self._online = online  # None: everyone

    def online(self, user_ids):
        return {u for u in user_ids if self._online is None or u in self._online}


class _RecordingHub:
    def __init__(self, online: set[str] | None = None) -> None:
        self.emits: list[tuple[str, dict, list[str]]] = []
        self.presence = _Presence(online)

    def emit(self, event: str, payload: dict, rooms: list[str]) -> None:
        self.emits.append((event, payload, rooms))


def test_the_broadcaster_sends_json_to_api_rooms_views_to_page_rooms_and_resync_if_rendering_fails(
    app, client, make_user
):
    from lnk.domain.events import MessageSent
    from lnk.realtime.broadcaster import Broadcaster

    users, cid = _group(client, make_user, 3)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "hey"}
    ).get_json()
    event = MessageSent(_message(app, sent["id"]), tuple(u.id for u in users))

    hub = _RecordingHub()
    Broadcaster(hub, PageFragments(app))(event)
    assert [(name, rooms) for name, _, rooms in hub.emits] == [
        ("newMessage", [f"api:{u.id}" for u in users]),
        ("newMessage", [f"page:{users[0].id}"]),
        ("newMessage", [f"page:{u.id}" for u in users[1:]]),
    ]
    assert hub.emits[0][1]["message"]["content"] == "hey" and "html" not in hub.emits[0][1]

    class Broken:
        def message_variants(self, *args):
            raise RuntimeError("template missing")

    hub = _RecordingHub()
    Broadcaster(hub, Broken())(event)
    assert [(name, rooms) for name, _, rooms in hub.emits] == [
        ("newMessage", [f"api:{u.id}" for u in users]),
        ("resync", [f"page:{u.id}" for u in users]),
    ]
    assert hub.emits[1][1] == {"reason": "render_failed", "conversationId": cid}


def test_pages_are_rendered_only_for_users_who_are_online(app, client, make_user):
    from lnk.domain.events import MessageSent
    from lnk.realtime.broadcaster import Broadcaster

    users, cid = _group(client, make_user, 3)
    sent = client.post(
        f"/api/conversations/{cid}/messages", headers=users[0].headers, json={"content": "hey"}
    ).get_json()
    event = MessageSent(_message(app, sent["id"]), tuple(u.id for u in users))
    rendered: list[list[str]] = []

    class Counting(PageFragments):
        def message_variants(self, message, audience, action=None):
            rendered.append(list(audience))
            return super().message_variants(message, audience, action)

    nobody = _RecordingHub(online=set())
    Broadcaster(nobody, Counting(app))(event)
    assert rendered == []
    assert [(name, rooms) for name, _, rooms in nobody.emits] == [
        ("newMessage", [f"api:{u.id}" for u in users])
    ]

    one = _RecordingHub(online={users[2].id})
    Broadcaster(one, Counting(app))(event)
    assert rendered == [[users[2].id]]
    assert [(name, rooms) for name, _, rooms in one.emits] == [
        ("newMessage", [f"api:{u.id}" for u in users]),
        ("newMessage", [f"page:{users[2].id}"]),
    ]
