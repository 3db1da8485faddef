"""Blocking raises ``BlockChanged`` only when something changed, and ``state`` tells each side."""

from __future__ import annotations

import pytest

from lnk.domain.events import BlockChanged
from lnk.domain.safety import BlockState
from lnk.services import accounts, blocks

pytestmark = pytest.mark.both_engines


def test_a_block_or_unblock_that_changes_something_is_announced_once(ctx, events):
    ann, ben = (accounts.register(ctx, name, "long-password") for name in ("ann", "ben"))
    events.clear()
    blocks.block(ctx, ann, ben.id)
    blocks.block(ctx, ann, ben.id)
    assert events.events == [BlockChanged(ann.id, ben.id)]
    assert blocks.state(ctx, ann.id, ben.id) == BlockState(blocking=True, blocked_by=False)
    assert blocks.state(ctx, ben.id, ann.id) == BlockState(blocking=False, blocked_by=True)
    events.clear()
    blocks.unblock(ctx, ann, ben.id)
    blocks.unblock(ctx, ann, ben.id)
    assert events.events == [BlockChanged(ann.id, ben.id)]
    assert not blocks.state(ctx, ben.id, ann.id).any
