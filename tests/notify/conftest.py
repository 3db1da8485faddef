"""Notification tests: the real app with SMTP pointed at a real local SMTP server (aiosmtpd) and
Web Push at a local push service; the outbox worker is run by the test after moving the clock."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lnk import create_app
from lnk.config import Settings
from tests.conftest import drop_store, make_store
from tests.support.push_service import PushService
from tests.support.smtp_server import SmtpSink, text_of

PUBLIC_URL = "https://lnk.test"
MESSAGE_DELAY_S = 300
DEAL_DELAY_S = 60


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture
def smtp_url(smtp) -> str | None:
    return smtp.url


@pytest.fixture
def app(tmp_path, engine, clock, events, smtp_url):
    settings = Settings(
        env="testing",
        sqlite_path=str(tmp_path / "lnk.sqlite3"),
        upload_dir=str(tmp_path / "uploads"),
        ratelimit_enabled=False,
        smtp_url=smtp_url,
        mail_from="LNK <notify@lnk.test>",
        notify_delay_s=MESSAGE_DELAY_S,
        notify_deal_delay_s=DEAL_DELAY_S,
        public_url=PUBLIC_URL,
        push_hosts=("127.0.0.1",),  # the local push service
    )
    store = make_store(engine, tmp_path)
    app = create_app(settings, events=events, clock=clock, store=store)
    app.instance_path = str(tmp_path / "instance")  # the generated VAPID key goes here
    yield app
    drop_store(store)


class Outbox:
    """Runs the app's outbox worker at a moved clock."""

    def __init__(self, app, clock) -> None:
        self.app = app
        self.clock = clock
        self.worker = app.extensions["lnk_notify"].worker

    def run(self, after_seconds: float = 0) -> int:
        self.clock.advance(timedelta(seconds=after_seconds))
        return self.worker.drain()

    def items(self, user) -> list:
        return self.app.extensions["lnk"].store.outbox.for_user(user.id)


@pytest.fixture
def outbox(app, clock) -> Outbox:
    return Outbox(app, clock)


def send(client, sender, cid: str, text: str) -> dict:
    response = client.post(
        f"/api/conversations/{cid}/messages", json={"content": text}, headers=sender.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def link_in(message, path: str) -> str:
    found = re.search(re.escape(PUBLIC_URL + path) + r"\?token=[\w.\-]+", text_of(message))
    assert found, text_of(message)
    return found.group(0)[len(PUBLIC_URL) :]


@pytest.fixture
def with_email(client, smtp, outbox):
    """Gives an account a verified address the real way: PUT /api/users/me, the mailed link."""

    def _verify(account, address: str | None = None) -> str:
        address = address or f"{account.username}@example.org"
        response = client.put("/api/users/me", json={"email": address}, headers=account.headers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["emailVerified"] is False
        outbox.run()
        (mail,) = smtp.wait_for(address)
        smtp.messages.remove(mail)
        assert client.get(link_in(mail, "/verify-email")).status_code == 200
        me = client.get("/api/users/me", headers=account.headers).get_json()
        assert (me["email"], me["emailVerified"]) == (address, True)
        return address

    return _verify
