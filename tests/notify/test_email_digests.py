"""Email notifications through a real SMTP server: verified addresses only, one digest per
conversation after the delay, reading cancels, muted and settings respected, one-click
unsubscribe, retries after temporary SMTP failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.marketplace_support import act, direct, group, offer, package
from tests.notify.conftest import DEAL_DELAY_S, MESSAGE_DELAY_S, PUBLIC_URL, send
from tests.support.smtp_server import html_of, text_of

pytestmark = pytest.mark.both_engines


def test_only_a_verified_address_gets_mail_and_the_link_verifies_it(
    client, make_user, smtp, outbox, with_email
):
    alice, bob = make_user(), make_user()
    response = client.post(
        "/api/auth/register",
        json={"username": "carol", "password": "correct-horse-1", "email": "Carol@Example.ORG"},
    )
    assert response.status_code == 201
    carol = response.get_json()
    assert (carol["user"]["email"], carol["user"]["emailVerified"]) == ("Carol@example.org", False)
    headers = {"Authorization": f"Bearer {carol['accessToken']}"}
    cid = client.post(
        "/api/conversations",
        json={"type": "direct", "participantIds": [alice.id]},
        headers=headers,
    ).get_json()["id"]
    send(client, alice, cid, "are you there?")
    outbox.run(MESSAGE_DELAY_S + 1)
    (verification,) = smtp.to("Carol@example.org")  # the verification mail, no digest
    assert verification["Subject"] == "Confirm your email address for LNK"
    assert "/verify-email?token=" in html_of(verification)
    # another user's profile never shows the address
    assert (
        "email"
        not in client.get(f"/api/users/{carol['user']['id']}", headers=bob.headers).get_json()
    )

    with_email(bob)
    cid_bob = direct(client, alice, bob)
    send(client, alice, cid_bob, "hello bob")
    outbox.run(MESSAGE_DELAY_S + 1)
    (digest,) = smtp.wait_for(f"{bob.username}@example.org")
    assert "hello bob" in text_of(digest)


def test_an_offline_recipient_gets_one_digest_per_conversation_after_the_delay(
    client, make_user, smtp, outbox, with_email
):
    alice, bob, carol = make_user(display_name="Alice"), make_user(), make_user()
    address = with_email(bob)
    cid = direct(client, alice, bob)
    gid = group(client, carol, alice, bob)
    for text in ("first <b>one</b>", "second", "third"):
        send(client, alice, cid, text)
    send(client, carol, gid, "team news")

    outbox.run(MESSAGE_DELAY_S - 5)
    assert smtp.to(address) == []
    outbox.run(10)
    mails = smtp.wait_for(address, 2)
    by_subject = {m["Subject"]: m for m in mails}
    digest = by_subject["3 new messages in Alice"]
    text, html = text_of(digest), html_of(digest)
    assert text.index("first <b>one</b>") < text.index("second") < text.index("third")
    assert "first &lt;b&gt;one&lt;/b&gt;" in html  # escaped in HTML
    assert f"{PUBLIC_URL}/chat/{cid}" in text and f'href="{PUBLIC_URL}/chat/{cid}"' in html
    assert digest["From"] == "LNK <notify@lnk.test>"
    assert "team news" in text_of(
        by_subject["New message from " + carol.user["displayName"] + " in Team"]
    )
    outbox.run(MESSAGE_DELAY_S * 3)
    assert len(smtp.to(address)) == 2  # each digest once

    # messages after the digest make a new digest with only them
    send(client, alice, cid, "fourth")
    outbox.run(MESSAGE_DELAY_S + 1)
    latest = smtp.wait_for(address, 3)[-1]
    assert "fourth" in text_of(latest) and "second" not in text_of(latest)


def test_reading_before_the_delay_cancels_the_mail(client, make_user, smtp, outbox, with_email):
    alice, bob = make_user(), make_user()
    address = with_email(bob)
    cid = direct(client, alice, bob)
    send(client, alice, cid, "one")
    send(client, alice, cid, "two")
    read = client.post(f"/api/conversations/{cid}/messages/bulk-mark-read", headers=bob.headers)
    assert read.get_json()["unreadCount"] == 0
    outbox.run(MESSAGE_DELAY_S + 1)
    assert smtp.to(address) == []
    assert [i.status for i in outbox.items(bob) if i.kind == "conversation"] == ["cancelled"]

    # reading one of two leaves the other in the digest
    first = send(client, alice, cid, "three")
    send(client, alice, cid, "four")
    assert client.post(f"/api/messages/{first['id']}/read", headers=bob.headers).status_code == 200
    outbox.run(MESSAGE_DELAY_S + 1)
    (mail,) = smtp.wait_for(address)
    assert "four" in text_of(mail) and "three" not in text_of(mail)


def test_a_muted_conversation_never_mails(client, make_user, smtp, outbox, with_email):
    alice, bob = make_user(), make_user()
    address = with_email(bob)
    cid = direct(client, alice, bob)
    muted = client.put(f"/api/conversations/{cid}", json={"muted": True}, headers=bob.headers)
    assert muted.get_json()["muted"] is True
    send(client, alice, cid, "you will not hear of this")
    outbox.run(MESSAGE_DELAY_S + 1)
    assert smtp.to(address) == []


def test_settings_deals_only_and_off(client, make_user, smtp, outbox, with_email):
    alice, bob = make_user(display_name="Alice"), make_user(display_name="Bob")
    address = with_email(bob)
    alice_address = with_email(alice)
    cid = direct(client, alice, bob)
    assert client.get("/api/users/me/notification-settings", headers=bob.headers).get_json() == {
        "email": "all",
        "push": True,
    }
    changed = client.put(
        "/api/users/me/notification-settings", json={"email": "deals"}, headers=bob.headers
    )
    assert changed.get_json() == {"email": "deals", "push": True}

    send(client, alice, cid, "just chatting")
    haircut = package(client, alice)
    sent = offer(client, alice, cid, haircut["id"], note="for you").get_json()
    outbox.run(DEAL_DELAY_S + 1)  # deals go out after the shorter delay
    (mail,) = smtp.wait_for(address)
    assert "Offer: Haircut" in text_of(mail) and "just chatting" not in text_of(mail)

    # the offer's sender hears of the acceptance (bob acts; alice is not online)
    assert act(client, bob, sent["id"], "offer/accept").status_code == 200
    outbox.run(DEAL_DELAY_S + 1)
    (news,) = smtp.wait_for(alice_address)
    assert "Offer “Haircut” was accepted" in text_of(news)
    assert len(smtp.to(address)) == 1  # bob caused it: no mail to bob

    client.put("/api/users/me/notification-settings", json={"email": "off"}, headers=bob.headers)
    offer(client, alice, cid, haircut["id"])
    outbox.run(MESSAGE_DELAY_S + 1)
    assert len(smtp.to(address)) == 1


def test_one_click_unsubscribe_from_the_mail_header(client, make_user, smtp, outbox, with_email):
    alice, bob = make_user(), make_user()
    address = with_email(bob)
    cid = direct(client, alice, bob)
    send(client, alice, cid, "hello")
    outbox.run(MESSAGE_DELAY_S + 1)
    (mail,) = smtp.wait_for(address)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip("<>")
    assert url.startswith(PUBLIC_URL + "/unsubscribe?token=")
    path = url[len(PUBLIC_URL) :]

    # a link scanner's GET changes nothing
    assert client.get(path).status_code == 200
    settings = client.get("/api/users/me/notification-settings", headers=bob.headers)
    assert settings.get_json()["email"] == "all"
    # the mail client's one-click POST: no cookie, no CSRF token
    fresh = client.application.test_client()
    response = fresh.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    settings = client.get("/api/users/me/notification-settings", headers=bob.headers)
    assert settings.get_json()["email"] == "off"
    send(client, alice, cid, "after unsubscribing")
    outbox.run(MESSAGE_DELAY_S + 1)
    assert len(smtp.to(address)) == 1

    forged = fresh.post("/unsubscribe?token=" + path.rsplit("=", 1)[1][:-2] + "xx")
    assert forged.status_code == 400


def test_a_temporary_smtp_failure_is_retried_with_backoff(
    client, make_user, smtp, outbox, with_email
):
    alice, bob = make_user(), make_user()
    address = with_email(bob)
    cid = direct(client, alice, bob)
    send(client, alice, cid, "try again")
    smtp.refuse_with = "451 4.3.0 Try again later"
    outbox.run(MESSAGE_DELAY_S + 1)
    (item,) = [i for i in outbox.items(bob) if i.kind == "conversation"]
    assert (item.status, item.attempts) == ("retry", 1)
    assert "451" in item.last_error
    smtp.refuse_with = None
    outbox.run(5)  # the backoff (at least 12 s) has not passed
    assert smtp.to(address) == []
    outbox.run(30)
    (mail,) = smtp.wait_for(address)
    assert "try again" in text_of(mail)
    (item,) = [i for i in outbox.items(bob) if i.kind == "conversation"]
    assert (item.status, item.attempts) == ("sent", 2)


@pytest.mark.parametrize("smtp_url", [None])
def test_without_smtp_nothing_is_mailed_and_nothing_fails(client, make_user, outbox):
    alice, bob = make_user(), make_user()
    response = client.put("/api/users/me", json={"email": "bob@example.org"}, headers=bob.headers)
    assert response.status_code == 200
    cid = direct(client, alice, bob)
    send(client, alice, cid, "hello")
    outbox.run(MESSAGE_DELAY_S + 1)
    assert [i.status for i in outbox.items(bob)] == ["cancelled"]  # the verification mail


def test_bad_input_is_refused_and_changes_nothing(client, make_user):
    bob = make_user()
    for body in ({"email": "sometimes"}, {"push": "maybe"}, {"email": 3}):
        response = client.put("/api/users/me/notification-settings", json=body, headers=bob.headers)
        assert response.status_code == 422
        assert response.content_type == "application/problem+json"
    for address in ("not-an-address", "a@b", "x" * 250 + "@example.org", "a b@example.org"):
        response = client.put("/api/users/me", json={"email": address}, headers=bob.headers)
        assert response.status_code == 422, address
    registered = client.post(
        "/api/auth/register",
        json={"username": "dave", "password": "correct-horse-1", "email": "nope"},
    )
    assert registered.status_code == 422
    assert (
        client.post("/api/auth/login", json={"username": "dave", "password": "x" * 9}).status_code
        == 401
    )
    me = client.get("/api/users/me", headers=bob.headers).get_json()
    assert (me["email"], me["emailVerified"]) == (None, False)
    assert client.get("/api/users/me/notification-settings", headers=bob.headers).get_json() == {
        "email": "all",
        "push": True,
    }
    assert client.get("/verify-email?token=forged").status_code == 400
    assert client.get("/verify-email").status_code == 400
    assert client.post("/unsubscribe?token=forged").status_code == 400
    assert client.get("/api/users/me/notification-settings").status_code == 401


def test_sent_digests_are_kept_two_weeks_then_purged(
    app, client, make_user, smtp, outbox, with_email
):
    from lnk.services import notifications

    alice, bob = make_user(display_name="Alice"), make_user()
    address = with_email(bob)
    send(client, alice, direct(client, alice, bob), "hello")
    outbox.run(MESSAGE_DELAY_S + 1)
    smtp.wait_for(address)
    send(client, alice, direct(client, alice, bob), "still pending")
    ctx = app.extensions["lnk"]
    ended = [i.status for i in outbox.items(bob)]
    assert sorted(ended) == ["pending", "sent", "sent"]  # the verification mail and the digest

    outbox.clock.advance(notifications.OUTBOX_RETENTION - timedelta(minutes=10))
    assert notifications.purge_finished(ctx) == 0
    outbox.clock.advance(timedelta(minutes=10))
    assert notifications.purge_finished(ctx) == 2
    assert [i.status for i in outbox.items(bob)] == ["pending"]  # never purged before it ends
