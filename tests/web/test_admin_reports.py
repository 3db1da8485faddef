"""The admin report queue (context, reasons, deals) and its decisions, each recorded in the
append-only audit log."""

from __future__ import annotations

import re

import pytest
from web_support import api_send

from lnk.services import accounts

pytestmark = pytest.mark.both_engines


@pytest.fixture
def admin(browser_for, ctx):
    browser = browser_for("Ada Admin")
    accounts.grant_admin(ctx, browser.id)
    return browser


def report(client, reporter, message_id: str, reason: str = "spam", note: str = "") -> None:
    response = client.post(
        f"/api/messages/{message_id}/report",
        json={"reason": reason, "note": note},
        headers=reporter.account.headers,
    )
    assert response.status_code == 201, response.get_json()


def case_ids(html: str) -> list[str]:
    return re.findall(r'id="admin-report-(message|user)-([0-9a-f]{24})"', html)


def test_only_admins_see_reports_and_audit(client, pair):
    alice, bob, _ = pair
    for path in ("/admin/reports", "/admin/audit"):
        assert client.get(path).status_code == 302
        assert alice.get(path).status_code == 403
    refused = alice.post(f"/admin/reports/user/{bob.id}/dismiss")
    assert refused.status_code == 403


def test_the_queue_shows_the_message_its_neighbours_reasons_and_reporters(client, admin, pair):
    alice, bob, cid = pair
    before = [api_send(client, bob, cid, f"before {i}") for i in range(6)]
    bad = api_send(client, bob, cid, "send the money by wire")
    after = [api_send(client, alice, cid, f"after {i}") for i in range(6)]
    report(client, alice, bad["id"], "scam", note="asks for a wire <transfer>")
    page = admin.get("/admin/reports")
    assert page.status_code == 200
    assert case_ids(page.text) == [("message", bad["id"])]
    assert "send the money by wire" in page.text
    assert "scam" in page.text and "asks for a wire &lt;transfer&gt;" in page.text
    assert "@" + alice.account.username in page.text
    # five messages on each side, no more
    assert "before 1" in page.text and "before 5" in page.text and "before 0" not in page.text
    assert "after 0" in page.text and "after 4" in page.text and "after 5" not in page.text
    assert "No offers or bookings between them." in page.text
    assert len(before) == len(after) == 6


def test_dismissing_shows_a_held_message_again_and_is_audited(client, admin, browser_for, ctx):
    sender, *reporters = (browser_for(f"Person {i}") for i in range(4))
    cid = client.post(
        "/api/conversations",
        headers=sender.account.headers,
        json={"type": "group", "title": "G", "participantIds": [r.id for r in reporters]},
    ).get_json()["id"]
    message = api_send(client, sender, cid, "buy followers")
    for r in reporters[:3]:
        report(client, r, message["id"])
    viewer = reporters[0].account.headers
    assert client.get(f"/api/messages/{message['id']}", headers=viewer).get_json()["heldForReview"]
    page = admin.get("/admin/reports")
    assert "Hidden pending review" in page.text
    done = admin.post(f"/admin/reports/message/{message['id']}/dismiss")
    assert done.status_code == 200 and 'data-decision="dismiss"' in done.text
    seen = client.get(f"/api/messages/{message['id']}", headers=viewer).get_json()
    assert seen["heldForReview"] is False and seen["content"] == "buy followers"
    assert case_ids(admin.get("/admin/reports").text) == []
    audit = admin.get("/admin/audit")
    assert "report.dismiss" in audit.text and message["id"] in audit.text
    assert "@" + admin.account.username in audit.text
    [entry] = ctx.store.audit.page(10)
    assert entry.actor_id == admin.id and entry.detail["reports"] == 3


def test_delete_hide_and_suspend(client, admin, pair, ctx):
    alice, bob, cid = pair
    one, two, three = (api_send(client, bob, cid, text) for text in ("one", "two", "three"))
    for message in (one, two, three):
        report(client, alice, message["id"])

    deleted = admin.post(f"/admin/reports/message/{one['id']}/delete")
    assert deleted.status_code == 200
    assert ctx.store.messages.get(one["id"]).deleted is True

    hidden = admin.post(f"/admin/reports/message/{two['id']}/hide")
    assert hidden.status_code == 200
    seen = client.get(f"/api/messages/{two['id']}", headers=alice.account.headers).get_json()
    assert seen["heldForReview"] is True and seen["content"] == ""

    suspended = admin.post(f"/admin/reports/message/{three['id']}/suspend")
    assert suspended.status_code == 200
    assert accounts.get_user(ctx, bob.id).suspended is True

    actions = [e.action for e in ctx.store.audit.page(10)]
    assert actions == ["report.suspend", "report.hide", "report.delete"]
    assert ctx.store.reports.count_open_total() == 0


def test_user_reports_are_decided_too_and_bad_actions_change_nothing(client, admin, pair, ctx):
    alice, bob, _ = pair
    client.post(
        f"/api/users/{bob.id}/report", json={"reason": "harassment"}, headers=alice.account.headers
    )
    page = admin.get("/admin/reports")
    assert case_ids(page.text) == [("user", bob.id)]
    assert admin.post(f"/admin/reports/user/{bob.id}/hide").status_code == 422
    assert admin.post(f"/admin/reports/user/{bob.id}/explode").status_code == 422
    assert admin.post(f"/admin/reports/planet/{bob.id}/dismiss").status_code == 404
    assert ctx.store.reports.count_open_total() == 1 and ctx.store.audit.page(5) == []
    done = admin.post(f"/admin/reports/user/{bob.id}/dismiss")
    assert done.status_code == 200
    assert ctx.store.reports.count_open_total() == 0


def test_admin_account_changes_are_audited_as_well(admin, pair, ctx):
    _, bob, _ = pair
    admin.post(f"/admin/users/{bob.id}/suspend", {"suspended": "1"})
    admin.post(f"/admin/users/{bob.id}/suspend", {"suspended": "0"})
    admin.post(f"/admin/users/{bob.id}/role", {"role": "admin"})
    assert [e.action for e in ctx.store.audit.page(10)] == [
        "user.role",
        "user.reinstate",
        "user.suspend",
    ]


def test_admins_export_any_conversation_and_the_export_is_audited(client, admin, pair, ctx):
    from lnk.services import transcripts

    alice, bob, cid = pair
    api_send(client, alice, cid, "what we agreed")
    assert alice.get(f"/admin/conversations/{cid}/export").status_code == 403
    page = admin.get(f"/admin/conversations/{cid}/export?format=html")
    assert page.status_code == 200 and "what we agreed" in page.text
    doc = admin.get(f"/admin/conversations/{cid}/export?format=json").get_json()
    assert doc["exportedFor"]["id"] == admin.id
    assert [m["content"] for m in doc["messages"]][-2:] == ["Hi Alice", "what we agreed"]
    assert transcripts.verify(doc, ctx.transcript_key).ok
    assert admin.get(f"/admin/conversations/{cid}/export?format=pdf").status_code == 422
    entries = ctx.store.audit.page(5)
    assert [e.action for e in entries] == ["conversation.export"] * 2
    assert entries[0].target_id == cid and entries[0].detail["chainHead"] == doc["chainHead"]
