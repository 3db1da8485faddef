"""axe-core (vendored from npm, tests/browser/vendor) on the chat list, an open conversation, the
packages, bookings and admin pages, at desktop and phone width: no serious or critical
violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_chat_browser import open_conversation, pair  # noqa: F401

pytestmark = pytest.mark.slow

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")) }));
}"""


def serious_violations(page) -> list[dict]:
    # evaluated through the DevTools protocol: the page's CSP (script-src 'self') allows no
    # injected <script>, and none is needed
    page.evaluate(AXE)
    return page.evaluate(RUN)


def _make_admin(live_server, user) -> None:
    from lnk.store.sqlite import SqliteStore

    store = SqliteStore(str(live_server.sqlite_path), upload_dir=str(live_server.upload_dir))
    try:
        store.users.update(user.id, role="admin")
    finally:
        store.close()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_no_serious_or_critical_violations(api, pair, signed_in, live_server, viewport):  # noqa: F811
    alice, bob, conversation_id, package = pair
    api.send(alice, conversation_id, "Sure, Thursday works. See https://example.com/map")
    api.json(
        "POST",
        f"/api/conversations/{conversation_id}/messages/service-offer",
        alice,
        json={"servicePackageId": package["id"]},
    )
    _make_admin(live_server, alice)
    page = signed_in(alice, viewport)
    found = {}
    found["chat"] = serious_violations(page)
    open_conversation(page, conversation_id)
    found["conversation"] = serious_violations(page)
    for path in ("/packages", "/bookings", "/admin", "/admin/users", "/admin/flagged"):
        page.goto(live_server.url + path)
        found[path] = serious_violations(page)
    bad = {where: v for where, v in found.items() if v}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)
