"""Signed transcripts: the caller's view of a conversation with a SHA-256 chain and the server's
HMAC; tampering of any kind is detected, also by ``flask verify-transcript``."""

from __future__ import annotations

import copy
import json

import pytest
from marketplace_support import act, direct, offer, package

from lnk.services import transcripts

pytestmark = pytest.mark.both_engines


@pytest.fixture
def history(client, make_user):
    """Alice (provider) and Bob with edits, a deletion, an accepted offer and a hidden message."""
    alice, bob = make_user("alice"), make_user("bob")
    cid = direct(client, bob, alice)

    def send(user, text):
        response = client.post(
            f"/api/conversations/{cid}/messages", json={"content": text}, headers=user.headers
        )
        assert response.status_code == 201
        return response.get_json()

    hello = send(bob, "Hello <b>Alice</b>")
    edited = send(alice, "Hi Bob, Thursday?")
    client.put(
        f"/api/messages/{edited['id']}", json={"content": "Hi Bob, Friday?"}, headers=alice.headers
    )
    gone = send(bob, "oops wrong chat")
    client.delete(f"/api/messages/{gone['id']}", headers=bob.headers)
    mine_only = send(alice, "hidden for bob only")
    assert (
        client.delete(f"/api/messages/{mine_only['id']}/for-me", headers=bob.headers).status_code
        == 204
    )
    pkg = package(client, alice)
    sent = offer(client, alice, cid, pkg["id"]).get_json()
    assert act(client, bob, sent["id"], "offer/accept").status_code == 200
    return alice, bob, cid, {"hello": hello, "edited": edited, "gone": gone, "hidden": mine_only}


def export(client, user, cid, fmt="json"):
    return client.get(f"/api/conversations/{cid}/export?format={fmt}", headers=user.headers)


def test_the_export_is_the_callers_view_chained_and_signed(client, history, ctx):
    alice, bob, cid, sent = history
    response = export(client, bob, cid)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    doc = response.get_json()
    assert doc["format"] == "lnk-transcript/1" and doc["exportedFor"]["id"] == bob.id
    by_id = {m["id"]: m for m in doc["messages"]}
    assert by_id[sent["hello"]["id"]]["content"] == "Hello <b>Alice</b>"
    assert by_id[sent["edited"]["id"]]["edited"] is True
    assert by_id[sent["edited"]["id"]]["content"] == "Hi Bob, Friday?"
    tombstone = by_id[sent["gone"]["id"]]
    assert tombstone["deleted"] is True and tombstone["content"] == ""
    assert sent["hidden"]["id"] not in by_id  # bob deleted it for himself
    [deal] = [m for m in doc["messages"] if m["serviceOffer"]]
    assert deal["serviceOffer"]["status"] == "accepted"
    assert [b["status"] for b in doc["bookings"]] == ["confirmed"]
    seqs = [m["seq"] for m in doc["messages"]]
    assert seqs == sorted(seqs)
    assert len({m["hash"] for m in doc["messages"]}) == len(doc["messages"])
    verdict = transcripts.verify(doc, ctx.transcript_key)
    assert verdict.ok and verdict.messages == len(doc["messages"])
    alices = export(client, alice, cid).get_json()
    assert sent["hidden"]["id"] in {m["id"] for m in alices["messages"]}


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (lambda d: d["messages"][0].update(content="I never said that"), "altered"),
        (lambda d: d["messages"].pop(1), "altered"),
        (lambda d: d["messages"].pop(), "chain head"),
        (lambda d: d["messages"].reverse(), "altered"),
        (lambda d: d.update(exportedAt="2020-01-01T00:00:00.000Z"), "signature"),
        (lambda d: d["bookings"][0].update(status="cancelled"), "signature"),
        (lambda d: d["signature"].update(keyId="0" * 16), "another key"),
        (lambda d: d.pop("chainHead"), "chain head"),
    ],
)
def test_any_tampering_is_detected(client, history, ctx, tamper, reason):
    _, bob, cid, _ = history
    doc = export(client, bob, cid).get_json()
    altered = copy.deepcopy(doc)
    tamper(altered)
    verdict = transcripts.verify(altered, ctx.transcript_key)
    assert not verdict.ok and reason in verdict.reason
    assert transcripts.verify(doc, ctx.transcript_key).ok


def test_a_transcript_signed_with_another_key_is_refused(client, history):
    _, bob, cid, _ = history
    doc = export(client, bob, cid).get_json()
    other_key = transcripts.derive_key("another-secret")
    assert not transcripts.verify(doc, other_key).ok


def test_the_html_export_shows_the_messages_and_embeds_the_signed_document(client, history, ctx):
    _, bob, cid, _ = history
    page = export(client, bob, cid, "html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Hello &lt;b&gt;Alice&lt;/b&gt;" in page.text and "<b>Alice</b>" not in page.text
    assert "Message deleted" in page.text and "accepted" in page.text
    document = transcripts.from_text(page.text)
    assert transcripts.verify(document, ctx.transcript_key).ok


def test_only_participants_export_and_the_format_is_checked(client, history, make_user):
    _, bob, cid, _ = history
    outsider = make_user("outsider")
    assert export(client, outsider, cid).status_code == 404
    assert export(client, bob, "0123456789abcdef01234567").status_code == 404
    assert export(client, bob, cid, "pdf").status_code == 422
    assert client.get(f"/api/conversations/{cid}/export").status_code == 401


def test_flask_verify_transcript_accepts_an_intact_file_and_refuses_a_tampered_one(
    client, history, app, tmp_path
):
    _, bob, cid, _ = history
    runner = app.test_cli_runner()
    good = tmp_path / "t.json"
    good.write_text(export(client, bob, cid).get_data(as_text=True), encoding="utf-8")
    result = runner.invoke(args=["verify-transcript", str(good)])
    assert result.exit_code == 0 and result.output.startswith("OK:")
    html = tmp_path / "t.html"
    html.write_text(export(client, bob, cid, "html").get_data(as_text=True), encoding="utf-8")
    assert runner.invoke(args=["verify-transcript", str(html)]).exit_code == 0

    doc = json.loads(good.read_text(encoding="utf-8"))
    doc["messages"][0]["content"] = "changed"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["verify-transcript", str(bad)])
    assert result.exit_code == 1 and "FAILED" in result.output
    junk = tmp_path / "junk.html"
    junk.write_text("<html>nothing here</html>", encoding="utf-8")
    assert runner.invoke(args=["verify-transcript", str(junk)]).exit_code == 1
