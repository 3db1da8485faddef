"""Bad input over the socket: an error ack, the socket stays up, nothing leaks."""

from __future__ import annotations

import threading

import pytest

from lnk.services.context import Rules
from tests.support.api import Api
from tests.support.live_server import LiveServer
from tests.support.sockets import NAMESPACE, SocketClient

EVENTS = ["joinConversation", "leaveConversation", "typing", "markAsRead", "getOnlineUsers"]


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize(
    "payload",
    [
        None,
        "text",
        42,
        ["list"],
        {},
        {"conversationId": 7},
        {"conversationId": ""},
        {"conversationId": "x" * 65},
    ],
)
def test_malformed_payloads_get_a_validation_error(api, socket_factory, event, payload):
    client = socket_factory(api.register("bad"))
    ack = client.call(event, payload)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "validation_error"
    assert client.connected


def test_wrong_field_types_are_validation_errors(api, socket_factory):
    alice, bob = api.users(2, "types")
    cid = api.direct(alice, bob)["id"]
    client = socket_factory(alice)
    assert (
        client.call("typing", {"conversationId": cid, "typing": "yes"})["error"]["code"]
        == "validation_error"
    )
    for ids in ("abc", [1, 2], ["x" * 100], ["a"] * 1001):
        ack = client.call("markAsRead", {"conversationId": cid, "messageIds": ids})
        assert ack["error"]["code"] == "validation_error"
    assert client.call("getOnlineUsers", {"conversationId": cid})["ok"]


def test_conversations_of_others_are_not_found_and_leak_nothing(api, socket_factory):
    alice, bob, eve = api.users(3, "leak")
    cid = api.direct(alice, bob)["id"]
    message = api.send(alice, cid, "private")
    e = socket_factory(eve)
    acks = [e.call(event, {"conversationId": cid}) for event in EVENTS]
    acks.append(e.call("markAsRead", {"conversationId": cid, "messageIds": [message["id"]]}))
    for ack in acks:
        assert ack == {
            "ok": False,
            "error": {"code": "not_found", "message": "conversation not found"},
        }
    assert e.call("joinConversation", {"conversationId": "0" * 24})["error"]["code"] == "not_found"
    assert api.json("GET", f"/api/messages/{message['id']}/reads", alice)["reads"] == []


def test_oversized_payload_gets_payload_too_large_and_the_socket_stays_up(api, socket_factory):
    alice, bob = api.users(2, "big")
    cid = api.direct(alice, bob)["id"]
    client = socket_factory(alice)
    ack = client.call("typing", {"conversationId": cid, "padding": "x" * 200_000})
    assert ack["error"]["code"] == "payload_too_large"
    assert client.connected
    assert client.call("joinConversation", {"conversationId": cid})["ok"]


def test_unknown_events_get_an_error_ack(api, socket_factory):
    client = socket_factory(api.register("unknown"))
    assert client.call("dropTables", {"x": 1})["error"]["code"] == "bad_request"
    assert client.connected


def test_socket_events_are_rate_limited_per_user(tmp_path):
    with LiveServer(tmp_path, ratelimit=True) as server:
        api = Api(server.url)
        alice, bob = api.users(2, "limit")
        cid = api.direct(alice, bob)["id"]
        first, second = (
            SocketClient(server.url, alice.access_token).connect(),
            SocketClient(server.url, alice.access_token).connect(),
        )
        other = SocketClient(server.url, bob.access_token).connect()
        try:
            acks = [
                first.call("typing", {"conversationId": cid, "typing": i % 2 == 0})
                for i in range(30)
            ]
            assert all(ack["ok"] for ack in acks)
            # the limit is the user's, whichever socket it uses
            limited = second.call("typing", {"conversationId": cid, "typing": False})
            assert limited["ok"] is False and limited["error"]["code"] == "rate_limited"
            assert second.connected and first.connected
            assert other.call("typing", {"conversationId": cid, "typing": True})["ok"]
            assert first.call("joinConversation", {"conversationId": cid})["ok"]
        finally:
            for client in (first, second, other):
                client.close()
            api.close()


def test_mark_as_read_takes_as_many_ids_as_the_http_route(api, socket_factory):
    alice, bob = api.users(2, "limit")
    cid = api.direct(alice, bob)["id"]
    message = api.send(alice, cid, "one")
    client = socket_factory(bob)
    too_many = [message["id"]] * (Rules.max_read_ids + 1)
    ack = client.call("markAsRead", {"conversationId": cid, "messageIds": too_many})
    assert ack["error"]["code"] == "validation_error"
    http = api.request(
        "POST",
        f"/api/conversations/{cid}/messages/bulk-mark-read",
        bob,
        json={"messageIds": too_many},
        expect=422,
    )
    assert "messageIds" in http.json()["errors"]
    ack = client.call("markAsRead", {"conversationId": cid, "messageIds": too_many[:-1]})
    assert ack["ok"] is True and ack["unreadCount"] == 0


def test_json_nested_too_deeply_gets_an_error_ack_and_the_socket_stays_up(api, socket_factory):
    alice, bob = api.users(2, "deep")
    cid = api.direct(alice, bob)["id"]
    client = socket_factory(alice)
    answered = threading.Event()
    acks: list = []

    def on_ack(*args):
        acks.append(args[0] if args else None)
        answered.set()

    assert client.call("getOnlineUsers", {"conversationId": cid})["ok"]
    ack_id = 4242  # sent by hand: the client's own encoder cannot write JSON this deep
    client.sio.callbacks[NAMESPACE][ack_id] = on_ack
    deep = "[" * 30_000 + "]" * 30_000
    client.sio.eio.send(f'2{NAMESPACE},{ack_id}["typing",{deep}]')
    assert answered.wait(10), "no acknowledgement"
    assert acks[0]["ok"] is False and acks[0]["error"]["code"] == "bad_request"
    assert client.connected
    assert client.call("joinConversation", {"conversationId": cid})["ok"]
