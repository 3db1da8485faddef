"""Files follow the message that carries them: who may download, what deleting removes, random
ids, the sweep of uploads never sent, and the per-user storage quota."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from lnk.config import Settings
from lnk.services import files
from tests.api.marketplace_support import group

pytestmark = pytest.mark.both_engines


def upload(client, user, name="note.txt", body=b"card 4111 1111 1111 1111"):
    response = client.post(
        "/api/upload/chat-files",
        data={"files": [(io.BytesIO(body), name)]},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    return response


def uploaded(client, user, name="note.txt", body=b"card 4111 1111 1111 1111") -> dict:
    response = upload(client, user, name, body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["files"][0]


def send_file(client, user, cid, file_id) -> dict:
    response = client.post(
        f"/api/conversations/{cid}/messages",
        json={"attachmentIds": [file_id]},
        headers=user.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def status(client, user, file_id) -> int:
    return client.get(f"/api/files/{file_id}", headers=user.headers).status_code


def bytes_exist(ctx, file_id) -> bool:
    try:
        ctx.store.blobs.size(file_id)
    except FileNotFoundError:
        return False
    return True


@pytest.fixture
def team(client, make_user):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    return alice, bob, carol, group(client, alice, bob)


def test_a_member_who_joined_later_cannot_download_an_earlier_file(client, team):
    alice, bob, carol, gid = team
    early = uploaded(client, alice)
    send_file(client, alice, gid, early["id"])
    added = client.put(
        f"/api/conversations/{gid}", json={"addParticipantIds": [carol.id]}, headers=alice.headers
    )
    assert added.status_code == 200
    assert status(client, bob, early["id"]) == 200
    assert status(client, carol, early["id"]) == 404
    assert client.get(f"{early['url']}", headers=carol.headers).status_code == 404
    late = uploaded(client, alice, "late.txt", b"later")
    send_file(client, alice, gid, late["id"])
    assert status(client, carol, late["id"]) == 200


def test_a_file_sent_before_the_caller_cleared_the_conversation_is_404(client, team):
    alice, bob, _, gid = team
    meta = uploaded(client, alice)
    send_file(client, alice, gid, meta["id"])
    assert client.delete(f"/api/conversations/{gid}", headers=bob.headers).status_code == 204
    assert status(client, bob, meta["id"]) == 404
    assert status(client, alice, meta["id"]) == 200  # the uploader keeps its own file


def test_a_file_hidden_for_the_caller_is_404_to_it_only(client, make_user, team):
    alice, bob, carol, gid = team
    client.put(
        f"/api/conversations/{gid}", json={"addParticipantIds": [carol.id]}, headers=alice.headers
    )
    meta = uploaded(client, alice)
    message = send_file(client, alice, gid, meta["id"])
    hidden = client.delete(f"/api/messages/{message['id']}/for-me", headers=bob.headers)
    assert hidden.status_code == 204
    assert status(client, bob, meta["id"]) == 404
    assert status(client, carol, meta["id"]) == 200


def test_deleting_for_everyone_removes_the_file_and_its_bytes(client, team, ctx):
    alice, bob, _, gid = team
    meta = uploaded(client, alice, "red.png", _png())
    message = send_file(client, alice, gid, meta["id"])
    assert status(client, bob, meta["id"]) == 200
    assert client.delete(f"/api/messages/{message['id']}", headers=alice.headers).status_code == 204
    for user in (alice, bob):
        assert status(client, user, meta["id"]) == 404
        assert client.get(meta["thumbnailUrl"], headers=user.headers).status_code == 404
    assert not bytes_exist(ctx, meta["id"])
    assert not bytes_exist(ctx, meta["id"] + "-thumb")
    assert ctx.store.files.get(meta["id"]) is None


def test_a_file_another_message_still_carries_is_kept(client, team, ctx):
    alice, bob, _, gid = team
    meta = uploaded(client, alice)
    first = send_file(client, alice, gid, meta["id"])
    send_file(client, alice, gid, meta["id"])
    assert client.delete(f"/api/messages/{first['id']}", headers=alice.headers).status_code == 204
    assert status(client, bob, meta["id"]) == 200
    assert bytes_exist(ctx, meta["id"])


def test_file_ids_are_random_not_object_id_counters(client, team):
    alice = team[0]
    ids = [uploaded(client, alice, f"f{i}.txt", b"x")["id"] for i in range(5)]
    assert all(len(i) == 24 and int(i, 16) >= 0 for i in ids)
    now = datetime.now(UTC)
    stamps = [ObjectId(i).generation_time for i in ids]
    assert all(abs(stamp - now) > timedelta(days=1) for stamp in stamps), stamps
    counters = sorted(int(i[-6:], 16) for i in ids)
    assert any(b - a != 1 for a, b in zip(counters, counters[1:], strict=False))


def test_uploads_never_attached_are_removed_after_24_hours(client, team, ctx, clock):
    alice, bob, _, gid = team
    loose = uploaded(client, alice, "loose.txt", b"never sent")
    sent = uploaded(client, alice, "sent.txt", b"sent")
    send_file(client, alice, gid, sent["id"])
    clock.advance(timedelta(hours=23))
    assert files.remove_unattached(ctx) == 0
    fresh = uploaded(client, alice, "fresh.txt", b"fresh")
    clock.advance(timedelta(hours=2))
    assert files.remove_unattached(ctx) == 1
    assert status(client, alice, loose["id"]) == 404
    assert not bytes_exist(ctx, loose["id"])
    assert status(client, alice, fresh["id"]) == 200
    assert status(client, bob, sent["id"]) == 200


def test_the_storage_quota_answers_413_quota_exceeded_and_stores_nothing(client, team, ctx):
    alice, bob, _, gid = team
    ctx.rules = replace(ctx.rules, upload_quota_bytes=1000)
    first = uploaded(client, alice, "a.txt", b"a" * 600)
    refused = upload(client, alice, "b.txt", b"b" * 600)
    assert refused.status_code == 413
    problem = refused.get_json()
    assert problem["code"] == "quota_exceeded" and problem["status"] == 413
    assert ctx.store.files.bytes_used(alice.id) == 600
    assert upload(client, bob, "b.txt", b"b" * 600).status_code == 201  # per user
    message = send_file(client, alice, gid, first["id"])
    client.delete(f"/api/messages/{message['id']}", headers=alice.headers)
    assert upload(client, alice, "b.txt", b"b" * 600).status_code == 201  # space freed


def test_the_quota_setting_comes_from_the_environment(monkeypatch):
    assert Settings.from_env().upload_quota_bytes == 1 << 30
    monkeypatch.setenv("LNK_UPLOAD_QUOTA_BYTES", "5000")
    assert Settings.from_env().upload_quota_bytes == 5000


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()
