"""Web Push in Chromium: "Get notified" in the account menu registers the service worker at the
root scope and, with notification permission granted, subscribes with the server's VAPID key; the
subscription reaches the server.

Chromium registers push subscriptions with its push service (check-in and registration over
HTTP); the test points it at a loopback stand-in (``GcmService``) since there is no internet."""

from __future__ import annotations

import pytest

from lnk.store.sqlite import SqliteStore
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.support.gcm_service import GcmService

pytestmark = pytest.mark.slow

SUBSCRIPTION_JS = (
    "navigator.serviceWorker.ready.then(r => r.pushManager.getSubscription())"
    ".then(s => s && s.toJSON())"
)


def test_get_notified_subscribes_through_the_service_worker(live_server, api, tmp_path):
    from playwright.sync_api import sync_playwright

    (user,) = api.users(1, "pushy")
    with GcmService() as gcm, sync_playwright() as playwright:
        # a persistent profile: Chromium offers no push messaging to off-the-record contexts
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS + gcm.chromium_args,
            viewport=DESKTOP,
        )
        try:
            context.grant_permissions(["notifications"], origin=live_server.url)
            page = context.new_page()
            page.set_default_timeout(15_000)
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(live_server.url + "/login")
            page.fill("#username", user.username)
            page.fill("#password", user.password)
            page.click("button[type=submit]")
            page.wait_for_url("**/chat")
            assert page.evaluate("navigator.serviceWorker.getRegistration('/')") is None

            page.click(".user-menu summary")
            page.click(".user-menu [data-get-notified]")
            page.wait_for_selector(
                "html[data-push-subscribed=true], .toast--error", state="attached"
            )
            failure = page.locator(".toast--error")
            assert failure.count() == 0, failure.first.text_content()
            scope = page.evaluate("navigator.serviceWorker.getRegistration('/').then(r => r.scope)")
            assert scope == live_server.url + "/"
            assert page.evaluate("Notification.permission") == "granted"
            subscription = page.evaluate(SUBSCRIPTION_JS)
            # Chromium may register more than once (it retries a slow answer): any of ours will do
            prefix, _, registration = subscription["endpoint"].rpartition("/")
            assert prefix.endswith("/fcm/send") and registration in gcm.registrations
        finally:
            context.close()
    assert not errors, errors

    # the browser's subscription reached the server, keys and all
    store = SqliteStore(str(live_server.sqlite_path), upload_dir=str(tmp_path / "uploads"))
    try:
        (saved,) = store.push_subscriptions.for_user(user.id)
    finally:
        store.close()
    assert saved.endpoint == subscription["endpoint"]
    assert (saved.p256dh, saved.auth) == (
        subscription["keys"]["p256dh"],
        subscription["keys"]["auth"],
    )
