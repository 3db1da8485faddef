"""/asyncapi.json: a valid AsyncAPI 3 document (the official parser, pinned in tools/apilint),
and what a live server sends over a real socket matches it, event by event."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import requests

from lnk.web.api.asyncapi import CLIENT_EVENTS, SERVER_EVENTS

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "apilint"


@pytest.fixture(scope="module")
def document(live_server) -> dict:
    response = requests.get(live_server.url + "/asyncapi.json", timeout=10)
    assert response.status_code == 200
    return response.json()


def check(document: dict, message: str, payload: object) -> None:
    """``payload`` is valid against the schema of the document's message ``message``."""
    schema = {**document["components"]["messages"][message]["payload"]}
    schema["components"] = document["components"]  # resolves #/components/schemas/...
    jsonschema.Draft202012Validator(schema).validate(payload)


def test_the_asyncapi_parser_finds_no_error(document, tmp_path):
    assert (TOOLS / "node_modules").exists(), "run scripts/test (or npm ci --prefix tools/apilint)"
    path = tmp_path / "asyncapi.json"
    path.write_text(json.dumps(document))
    result = subprocess.run(
        ["node", str(TOOLS / "validate-asyncapi.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == [], json.dumps(report["errors"], indent=1)[:4000]
    assert report["version"] == "3.0.0" and result.returncode == 0


def test_every_event_is_described(document, live_server):
    operations = document["operations"]
    for event in CLIENT_EVENTS:
        assert operations[event.name]["action"] == "send"
        assert operations[event.name]["reply"]["messages"]
    described = {m["name"] for m in document["components"]["messages"].values()}
    assert {e.name for e in SERVER_EVENTS} <= described
    assert {"newMessage", "messageUpdated", "messageRead", "conversationUpdated"} <= described
    server = document["servers"]["lnk"]
    assert server["host"] == live_server.url.split("//")[1] and server["protocol"] == "ws"
    message = document["components"]["schemas"]["MessageOut"]
    assert message["properties"]["createdAt"]["format"] == "date-time"


def test_what_the_server_sends_matches_the_document(document, api, socket_factory):
    alice, bob = api.users(2, "async")
    cid = api.direct(alice, bob)["id"]
    a, b = socket_factory(alice), socket_factory(bob)
    check(document, "connectionStatus", a.wait_for("connectionStatus"))
    for client in (a, b):
        ack = client.call("joinConversation", {"conversationId": cid})
        check(document, "joinConversationAck", ack)
    check(document, "typingAck", a.call("typing", {"conversationId": cid, "typing": True}))
    check(document, "userTyping", b.wait_for("userTyping"))
    check(document, "getOnlineUsersAck", a.call("getOnlineUsers", {"conversationId": cid}))
    sent = api.send(alice, cid, "hello")
    check(document, "newMessage", b.wait_for("newMessage"))
    api.request("PUT", f"/api/messages/{sent['id']}", alice, json={"content": "hello!"})
    check(document, "messageUpdated", b.wait_for("messageUpdated"))
    read = b.call("markAsRead", {"conversationId": cid, "messageIds": [sent["id"]]})
    check(document, "markAsReadAck", read)
    check(document, "messageRead", a.wait_for("messageRead"))
    check(document, "conversationUpdated", b.wait_for("conversationUpdated"))
    failed = a.call("joinConversation", {"conversationId": "0" * 24})
    assert failed["ok"] is False
    check(document, "joinConversationAck", failed)
    check(document, "leaveConversationAck", a.call("leaveConversation", {"conversationId": cid}))
    api.json("POST", f"/api/users/{bob.id}/block", alice)
    check(document, "blockUpdated", a.wait_for("blockUpdated"))
    check(document, "blockUpdated", b.wait_for("blockUpdated"))
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        check(document, "markAsReadAck", {"ok": True, "conversationId": cid})
