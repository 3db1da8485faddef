"""Web Push through a local push service that checks the VAPID signature and decrypts the
aes128gcm payload with the subscription's private key, as a browser vendor's service would."""

from __future__ import annotations

import base64

import pytest

from tests.api.marketplace_support import direct
from tests.notify.conftest import MESSAGE_DELAY_S, send

pytestmark = pytest.mark.both_engines


def subscribe(client, account, subscription: dict) -> None:
    response = client.post("/api/push/subscriptions", json=subscription, headers=account.headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["endpoint"] == subscription["endpoint"]


def test_a_push_reaches_the_push_service_signed_and_encrypted(
    client, make_user, push_service, outbox
):
    alice, bob = make_user(display_name="Alice"), make_user()
    key = client.get("/api/push/vapid-public-key", headers=bob.headers).get_json()["publicKey"]
    raw = base64.urlsafe_b64decode(key + "==")
    assert len(raw) == 65 and raw[0] == 4  # an uncompressed P-256 point
    assert client.get("/api/push/vapid-public-key", headers=alice.headers).get_json() == {
        "publicKey": key
    }
    subscription = push_service.new_subscription()
    subscribe(client, bob, subscription)
    cid = direct(client, alice, bob)
    send(client, alice, cid, "first")
    send(client, alice, cid, "ping for you")

    outbox.run(MESSAGE_DELAY_S - 5)
    assert push_service.for_subscription(subscription) == []
    outbox.run(10)
    (delivery,) = push_service.wait_for(subscription)
    assert push_service.rejected == []
    assert delivery.vapid_key == key  # signed with the key the browser subscribed with
    assert delivery.vapid_claims["aud"] == push_service.origin
    assert delivery.payload["title"] == "Alice"
    assert delivery.payload["body"] == "2 new · Alice: ping for you"
    assert delivery.payload["url"] == f"/chat/{cid}"
    assert "ttl" in delivery.headers


def test_a_gone_subscription_is_removed(client, make_user, push_service, outbox, app):
    alice, bob = make_user(), make_user()
    gone, alive = push_service.new_subscription(), push_service.new_subscription()
    subscribe(client, bob, gone)
    subscribe(client, bob, alive)
    push_service.status_for(gone, 410)
    cid = direct(client, alice, bob)
    send(client, alice, cid, "hello")
    outbox.run(MESSAGE_DELAY_S + 1)
    push_service.wait_for(alive)
    store = app.extensions["lnk"].store
    assert [s.endpoint for s in store.push_subscriptions.for_user(bob.id)] == [alive["endpoint"]]

    push_service.status_for(alive, 404)
    send(client, alice, cid, "again")
    outbox.run(MESSAGE_DELAY_S + 1)
    assert store.push_subscriptions.for_user(bob.id) == []
    (item, *_rest) = [i for i in reversed(outbox.items(bob)) if i.channel == "push"]
    assert item.status == "cancelled"


def test_push_respects_the_setting_mute_and_reading(client, make_user, push_service, outbox):
    alice, bob = make_user(), make_user()
    subscription = push_service.new_subscription()
    subscribe(client, bob, subscription)
    cid = direct(client, alice, bob)
    off = client.put(
        "/api/users/me/notification-settings", json={"push": False}, headers=bob.headers
    )
    assert off.get_json() == {"email": "all", "push": False}
    send(client, alice, cid, "not pushed: push is off")
    outbox.run(MESSAGE_DELAY_S + 1)
    client.put("/api/users/me/notification-settings", json={"push": True}, headers=bob.headers)
    send(client, alice, cid, "not pushed: read in time")
    client.post(f"/api/conversations/{cid}/messages/bulk-mark-read", headers=bob.headers)
    outbox.run(MESSAGE_DELAY_S + 1)
    client.put(f"/api/conversations/{cid}", json={"muted": True}, headers=bob.headers)
    send(client, alice, cid, "not pushed: muted")
    outbox.run(MESSAGE_DELAY_S + 1)
    client.put(f"/api/conversations/{cid}", json={"muted": False}, headers=bob.headers)
    send(client, alice, cid, "pushed")
    outbox.run(MESSAGE_DELAY_S + 1)
    (delivery,) = push_service.wait_for(subscription)
    assert delivery.payload["body"].endswith("pushed")


def test_subscriptions_are_validated_and_removable(client, make_user, push_service, app):
    bob = make_user()
    good = push_service.new_subscription()
    bad_bodies = [
        {**good, "endpoint": "https://push.example.com/x"},  # not a push service
        {**good, "endpoint": "http://fcm.googleapis.com/fcm/send/x"},  # not https
        {**good, "endpoint": "https://127.0.0.2/x"},
        {**good, "endpoint": "https://evil.com@fcm.googleapis.com/x"},
        {**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": "not base64url!"}},
        {"endpoint": good["endpoint"]},
        {**good, "endpoint": 12},
    ]
    for body in bad_bodies:
        response = client.post("/api/push/subscriptions", json=body, headers=bob.headers)
        assert response.status_code == 422, body
    store = app.extensions["lnk"].store
    assert store.push_subscriptions.for_user(bob.id) == []
    assert client.post("/api/push/subscriptions", json=good).status_code == 401

    subscribe(client, bob, good)
    subscribe(client, bob, good)  # again: still one
    assert len(store.push_subscriptions.for_user(bob.id)) == 1
    other = push_service.new_subscription()
    removed = client.delete(
        "/api/push/subscriptions", json={"endpoint": other["endpoint"]}, headers=bob.headers
    )
    assert removed.status_code == 204
    assert len(store.push_subscriptions.for_user(bob.id)) == 1
    removed = client.delete(
        "/api/push/subscriptions", json={"endpoint": good["endpoint"]}, headers=bob.headers
    )
    assert removed.status_code == 204
    assert store.push_subscriptions.for_user(bob.id) == []


def test_sw_js_is_served_from_the_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/"
    body = response.get_data(as_text=True)
    assert "showNotification" in body and "notificationclick" in body
