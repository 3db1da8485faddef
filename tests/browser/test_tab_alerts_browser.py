"""Alerts while the tab is in the background: turned on from the in-page prompt (the browser's
permission is asked for then, never on load), a desktop notification and the unread count on the
favicon for a message that arrives while the tab is hidden; muted conversations stay silent; the
account menu turns alerts off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_chat_browser import pair  # noqa: F401

pytestmark = pytest.mark.slow

# Records what the page shows through the real Notification API, and lets the test hide the tab
# (Chromium has no hidden tab in headless mode; visibilityState is what the page reads).
WATCH = """
(() => {
  window.__shown = [];
  window.__asked = 0;
  const Real = window.Notification;
  class Watched extends Real {
    constructor(title, options) {
      super(title, options);
      window.__shown.push({ title, body: options && options.body });
    }
    static requestPermission() { window.__asked += 1; return Real.requestPermission(); }
    static get permission() { return Real.permission; }
  }
  window.Notification = Watched;
  const hidden = () => Boolean(window.__hidden);
  Object.defineProperty(Document.prototype, "visibilityState", {
    get() { return hidden() ? "hidden" : "visible"; },
  });
  Object.defineProperty(Document.prototype, "hidden", { get: hidden });
})();
"""


def test_background_alerts_notify_count_on_the_favicon_skip_muted_and_turn_off(
    api,
    pair,  # noqa: F811
    signed_in,
):
    alice, bob, conversation_id, _ = pair
    page = signed_in(alice)
    page.context.grant_permissions(["notifications"])
    page.add_init_script(WATCH)
    page.reload()
    page.wait_for_function("() => window.lnk.chat.connected()")
    assert page.evaluate("window.__asked") == 0  # never asked on load

    prompt = page.locator("#alerts-prompt")
    expect(prompt).to_be_visible()
    prompt.get_by_role("button", name="Turn on alerts").click()
    expect(prompt).to_be_hidden()
    assert page.evaluate("window.__asked") == 1

    page.evaluate("window.__hidden = true")
    api.send(bob, conversation_id, "Are you there?")
    page.wait_for_function("() => window.__shown.length === 1")
    assert page.evaluate("window.__shown") == [{"title": "Bob Client", "body": "Are you there?"}]
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile("^data:image/png"))
    assert page.title().startswith("(")

    # muted: counted, but silent
    api.json("PUT", f"/api/conversations/{conversation_id}", alice, json={"muted": True})
    expect(page.locator(f"#conversation-{conversation_id}.is-muted")).to_have_count(1)
    api.send(bob, conversation_id, "Hello??")
    expect(page.locator(f"#conversation-{conversation_id} .conv-preview")).to_have_text("Hello??")
    assert page.evaluate("window.__shown.length") == 1

    # the account menu's switch turns them off
    api.json("PUT", f"/api/conversations/{conversation_id}", alice, json={"muted": False})
    expect(page.locator(f"#conversation-{conversation_id}.is-muted")).to_have_count(0)
    page.evaluate("window.__hidden = false")
    page.locator(".user-menu summary").click()
    toggle = page.locator("#alerts-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.__hidden = true")
    api.send(bob, conversation_id, "Last try")
    expect(page.locator(f"#conversation-{conversation_id} .conv-preview")).to_have_text("Last try")
    assert page.evaluate("window.__shown.length") == 1
