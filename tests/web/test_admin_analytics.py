"""Admin analytics: daily counts drawn as server-side SVG and downloadable as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from web_support import api_send

from lnk.services import accounts

pytestmark = pytest.mark.both_engines


@pytest.fixture
def admin(browser_for, ctx):
    browser = browser_for("Ada Admin")
    accounts.grant_admin(ctx, browser.id)
    return browser


def bars(html: str, key: str) -> list[int]:
    section = html.split(f'id="chart-{key}"', 1)[1].split("</section>", 1)[0]
    return [int(v) for v in re.findall(r'data-value="(\d+)"', section)]


def test_counts_per_day_conversion_and_first_response(client, admin, pair, clock, ctx):
    alice, bob, cid = pair  # bob sent "Hi Alice" today
    package = client.post(
        "/api/service-packages",
        json={
            "title": "Cut",
            "description": "A cut",
            "price": 10,
            "currency": "EUR",
            "durationMinutes": 30,
        },
        headers=alice.account.headers,
    ).get_json()
    clock.advance(timedelta(days=1))
    api_send(client, alice, cid, "hello")
    api_send(client, bob, cid, "hi again")
    offer = client.post(
        f"/api/conversations/{cid}/messages/service-offer",
        json={"servicePackageId": package["id"]},
        headers=alice.account.headers,
    ).get_json()
    accepted = client.post(f"/api/messages/{offer['id']}/offer/accept", headers=bob.account.headers)
    assert accepted.status_code == 200

    page = admin.get("/admin/analytics?days=7")
    assert page.status_code == 200
    assert "<svg" in page.text and "cdn" not in page.text.lower()
    messages = bars(page.text, "messages")
    assert len(messages) == 7 and messages[-2:] == [1, 3]
    assert bars(page.text, "active_users")[-2:] == [1, 2]
    assert bars(page.text, "offers_sent")[-1] == 1 and bars(page.text, "offers_accepted")[-1] == 1
    assert 'id="stat-conversion">100.0%' in page.text
    assert len(bars(admin.get("/admin/analytics?days=90").text, "messages")) == 90

    download = admin.get("/admin/analytics.csv?days=7")
    assert download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 7 and rows[-1]["messages"] == "3" and rows[-1]["offers_accepted"] == "1"
    assert rows[-1]["day"] == ctx.clock.now().date().isoformat()


def test_only_admins_and_known_periods(admin, pair):
    alice, _, _ = pair
    assert alice.get("/admin/analytics").status_code == 403
    assert alice.get("/admin/analytics.csv").status_code == 403
    assert admin.get("/admin/analytics?days=12").status_code == 422
    assert admin.get("/admin/analytics.csv?days=x").status_code == 422
    assert admin.get("/admin/analytics").status_code == 200  # 30 days by default
