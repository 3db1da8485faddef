"""Notifications from real server processes (gevent, the outbox worker running on its own):
no mail for a user who was online, exactly one mail with two processes sharing the store, and
pending notifications that survive a crash and restart."""

from __future__ import annotations

import pytest

from lnk.store.sqlite import SqliteStore
from tests.support.api import Api
from tests.support.live_server import LiveServer
from tests.support.net import wait_until
from tests.support.smtp_server import SmtpSink, text_of
from tests.support.sockets import SocketClient

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


def notify_env(smtp: SmtpSink, delay: float = 1.0) -> dict:
    return {
        "SMTP_URL": smtp.url,
        "MAIL_FROM": "LNK <notify@lnk.test>",
        "LNK_NOTIFY_DELAY_S": str(delay),
        "LNK_NOTIFY_DEAL_DELAY_S": str(delay),
        "LNK_NOTIFY_POLL_S": "0.2",
        "LNK_OFFLINE_GRACE": "0.5",
    }


def verified(api: Api, smtp: SmtpSink, user) -> str:
    address = f"{user.username}@example.org"
    api.json("PUT", "/api/users/me", user, json={"email": address})
    (mail,) = smtp.wait_for(address)
    link = next(w for w in text_of(mail).split() if "/verify-email?token=" in w)
    smtp.messages.remove(mail)
    path = link[link.index("/verify-email") :]
    assert api.request("GET", path).status_code == 200
    return address


def test_no_mail_for_a_user_who_was_online(tmp_path, smtp):
    with LiveServer(tmp_path, env=notify_env(smtp)) as server:
        api = Api(server.url)
        alice, bob = api.users(2, "online")
        address = verified(api, smtp, bob)
        cid = api.direct(alice, bob)["id"]
        watcher = SocketClient(server.url, alice.access_token).connect()
        socket = SocketClient(server.url, bob.access_token).connect()
        try:
            sent = api.send(alice, cid, "seen live")
            assert socket.wait_for("newMessage")["message"]["id"] == sent["id"]
            socket.close()
            assert watcher.wait_for("userOffline")["userId"] == bob.id
            api.send(alice, cid, "while away")
            (mail,) = smtp.wait_for(address)
        finally:
            watcher.close()
            socket.close()
        # a mail about the first message would have been due, and sent, before this one
        assert "while away" in text_of(mail) and "seen live" not in text_of(mail)
        assert len(smtp.to(address)) == 1


def conversation_items(sqlite_path) -> list:
    store = SqliteStore(str(sqlite_path), upload_dir=str(sqlite_path) + "-uploads")
    try:
        rows = store.db.all("SELECT status, attempts FROM outbox WHERE kind = 'conversation'")
        return [(r["status"], r["attempts"]) for r in rows]
    finally:
        store.close()


def test_two_processes_send_each_digest_exactly_once(tmp_path, smtp):
    shared = {"sqlite_path": tmp_path / "shared.sqlite3", "upload_dir": tmp_path / "uploads"}
    env = notify_env(smtp, delay=2.0)
    a = LiveServer(tmp_path / "a", name="a", env=env, **shared).start()
    try:
        b = LiveServer(tmp_path / "b", name="b", env=env, **shared).start()
    except Exception:
        a.stop()
        raise
    try:
        api_a, api_b = Api(a.url), Api(b.url)
        (sender,) = api_a.users(1, "sender")
        readers = api_a.users(8, "reader")
        addresses = [verified(api_a, smtp, r) for r in readers]
        for i, reader in enumerate(readers):
            cid = api_a.direct(sender, reader)["id"]
            api = api_a if i % 2 else api_b
            api.send(sender, cid, f"hello {i}")
            api.send(sender, cid, f"again {i}")
        for address in addresses:
            smtp.wait_for(address)
        # each digest was claimed once (attempts counts claims) and is finished: no worker
        # of either process can take it again
        wait_until(
            lambda: conversation_items(shared["sqlite_path"]) == [("sent", 1)] * len(readers),
            10,
            message="every digest sent once",
        )
        for i, address in enumerate(addresses):
            (mail,) = smtp.to(address)
            assert f"hello {i}" in text_of(mail) and f"again {i}" in text_of(mail)
    finally:
        b.stop()
        a.stop()


def test_pending_notifications_survive_a_crash(tmp_path, smtp):
    shared = {"sqlite_path": tmp_path / "shared.sqlite3", "upload_dir": tmp_path / "uploads"}
    first = LiveServer(tmp_path / "a", name="a", env=notify_env(smtp, delay=4.0), **shared)
    with first:
        api = Api(first.url)
        alice, bob = api.users(2, "crash")
        address = verified(api, smtp, bob)
        cid = api.direct(alice, bob)["id"]
        api.send(alice, cid, "before the crash")
        first.kill()  # SIGKILL before the digest was due
    assert smtp.to(address) == []
    with LiveServer(tmp_path / "b", name="b", env=notify_env(smtp, delay=4.0), **shared):
        (mail,) = smtp.wait_for(address, timeout=20)
        assert "before the crash" in text_of(mail)
