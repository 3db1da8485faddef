"""The admin services enforce the admin role themselves, whatever view calls them."""

from __future__ import annotations

import pytest

from lnk.errors import Conflict, Forbidden
from lnk.services import accounts, admin
from lnk.store.base import NewMessage


@pytest.fixture
def people(ctx):
    boss = accounts.register(ctx, "boss", "correct-horse-1", role="admin")
    user = accounts.register(ctx, "plain", "correct-horse-1")
    return boss, user


def test_every_admin_service_refuses_a_non_admin(ctx, people):
    boss, user = people
    calls = [
        lambda: admin.overview(ctx, user),
        lambda: admin.list_users(ctx, user, "", None, None),
        lambda: admin.set_suspended(ctx, user, boss.id, True),
        lambda: admin.set_role(ctx, user, user.id, "admin"),
        lambda: admin.flagged_messages(ctx, user, None, None),
        lambda: admin.dismiss_flag(ctx, user, "0123456789abcdef01234567"),
        lambda: admin.delete_flagged(ctx, user, "0123456789abcdef01234567"),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()
    assert not accounts.get_user(ctx, boss.id).suspended
    assert not accounts.get_user(ctx, user.id).is_admin


def test_an_admin_manages_others_but_not_itself(ctx, people):
    boss, user = people
    assert admin.set_role(ctx, boss, user.id, "admin").is_admin
    assert admin.set_suspended(ctx, boss, user.id, True).suspended
    assert admin.overview(ctx, boss) == admin.Overview(
        users=2, suspended_users=1, flagged_messages=0
    )
    with pytest.raises(Conflict):
        admin.set_role(ctx, boss, boss.id, "user")
    with pytest.raises(Conflict):
        admin.set_suspended(ctx, boss, boss.id, True)
    assert accounts.get_user(ctx, boss.id).is_admin


def test_the_queue_pages_and_dismissing_clears_the_flag(ctx, people):
    boss, user = people
    conversation = ctx.store.conversations.create(
        "direct", None, boss.id, [(boss.id, "owner"), (user.id, "member")], ctx.clock.now()
    )
    sent = [
        ctx.store.messages.append(
            NewMessage(conversation.id, user.id, "text", f"x{n}@y.co", flagged=True),
            ctx.clock.now(),
        )
        for n in range(3)
    ]
    page, cursor = admin.flagged_messages(ctx, boss, 2, None)
    assert [i.message.id for i in page] == [sent[2].id, sent[1].id]
    assert page[0].sender.username == "plain"
    rest, end = admin.flagged_messages(ctx, boss, 2, cursor)
    assert [i.message.id for i in rest] == [sent[0].id] and end is None
    assert admin.dismiss_flag(ctx, boss, sent[1].id).message.flagged is False
    assert admin.delete_flagged(ctx, boss, sent[2].id).message.deleted
    assert admin.overview(ctx, boss).flagged_messages == 1
