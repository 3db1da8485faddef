"""A chat page answers ``resync`` by catching up: messages whose live push was lost while the
message queue was down appear without a reload or a reconnect of the page's socket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.api import Api
from tests.support.cluster import start_pair
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.slow


def test_a_page_catches_up_when_its_server_asks_it_to_resync(signed_in, tmp_path):
    if not RedisServer.available():
        pytest.fail("redis-server is not installed (scripts/test installs it)")
    redis = RedisServer().start()
    # A keeps at most one event for the queue: the others raised during the outage are dropped
    a, b = start_pair(redis, tmp_path, {"LNK_OUTBOX_MAX_EVENTS": "1"}, ratelimit=False)
    api = Api(a.url)
    page = None
    try:
        alice = api.register("alice", display_name="Alice")
        bob = api.register("bob", display_name="Bob")
        cid = api.direct(alice, bob)["id"]
        api.send(alice, cid, "before the outage")
        page = signed_in(bob, url=b.url)
        page.wait_for_function("() => window.lnk.chat.connected()")
        page.click(f"#conversation-{cid} a")
        expect(page.locator("#messages li.msg")).to_have_count(1)

        redis.kill()
        missed = [api.send(alice, cid, f"during the outage {n}")["id"] for n in range(3)]
        redis.start()
        for message_id in missed:
            expect(page.locator(f"#message-{message_id}")).to_be_visible(timeout=15_000)
        seqs = page.eval_on_selector_all(
            "#messages li.msg[data-seq]", "els => els.map(e => Number(e.dataset.seq))"
        )
        assert seqs == [1, 2, 3, 4]
    finally:
        if page is not None:
            page.context.close()  # before its server goes away under it
        api.close()
        b.stop()
        a.stop()
        redis.stop()
