"""In-process checks with Flask-SocketIO's test client (threading mode): suspension and the
broadcaster's single path for events raised by services directly."""

from __future__ import annotations

import pytest

from lnk import create_app
from lnk.config import Settings
from lnk.extensions import socketio
from lnk.services import accounts, messages


@pytest.fixture
def app(tmp_path):
    settings = Settings(
        env="testing",
        sqlite_path=str(tmp_path / "lnk.sqlite3"),
        upload_dir=str(tmp_path / "uploads"),
        ratelimit_enabled=False,
    )
    app = create_app(settings)
    yield app
    app.extensions["lnk"].store.close()


def register(app, username: str) -> tuple[str, str]:
    response = app.test_client().post(
        "/api/auth/register", json={"username": username, "password": "password-123"}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return body["user"]["id"], body["accessToken"]


def test_suspending_a_user_disconnects_its_sockets(app):
    ctx = app.extensions["lnk"]
    admin = accounts.register(ctx, "root", "password-123", role="admin")
    user_id, token = register(app, "mallory")
    first = socketio.test_client(app, namespace="/messaging", auth={"token": token})
    second = socketio.test_client(app, namespace="/messaging", auth={"token": token})
    assert first.is_connected("/messaging") and second.is_connected("/messaging")
    accounts.set_suspended(ctx, admin, user_id, True)
    assert not first.is_connected("/messaging")
    assert not second.is_connected("/messaging")
    again = socketio.test_client(app, namespace="/messaging", auth={"token": token})
    assert not again.is_connected("/messaging")


def test_a_message_sent_by_a_service_reaches_sockets_through_the_broadcaster(app):
    ctx = app.extensions["lnk"]
    alice_id, _ = register(app, "alice")
    bob_id, bob_token = register(app, "bob")
    alice = ctx.store.users.get(alice_id)
    from lnk.services import conversations

    conversation, _ = conversations.create_conversation(ctx, alice, "direct", [bob_id])
    client = socketio.test_client(app, namespace="/messaging", auth={"token": bob_token})
    client.get_received("/messaging")
    result = messages.send_message(ctx, alice, conversation.id, content="from a service")
    received = [e for e in client.get_received("/messaging") if e["name"] == "newMessage"]
    assert len(received) == 1
    assert received[0]["args"][0]["message"]["id"] == result.message.id
