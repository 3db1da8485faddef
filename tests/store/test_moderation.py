"""What the admin console reads and writes: the flagged-message queue and the suspended count."""

from __future__ import annotations

from lnk.store.base import Store


def test_set_flagged_clears_and_restores_the_flag_once(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    flagged = make.send(direct, bob, "mail me at a@b.co", flagged=True)
    other = make.send(direct, bob, "call +1 555 0100 200", flagged=True)
    plain = make.send(direct, alice, "hello")
    assert store.messages.count_flagged() == 2

    assert store.messages.set_flagged(flagged.id, False) is True
    assert store.messages.set_flagged(flagged.id, False) is False  # already cleared
    assert store.messages.get(flagged.id).flagged is False
    assert [m.id for m in store.messages.flagged(10)] == [other.id]
    assert store.messages.count_flagged() == 1

    assert store.messages.set_flagged(plain.id, True) is True
    assert store.messages.set_flagged(plain.id, True) is False
    assert [m.id for m in store.messages.flagged(10)] == [plain.id, other.id]
    assert store.messages.count_flagged() == 2


def test_set_flagged_on_an_unknown_message_changes_nothing(store: Store, make) -> None:
    assert store.messages.set_flagged("0123456789abcdef01234567", False) is False
    assert store.messages.set_flagged("not-an-id", True) is False
    assert store.messages.count_flagged() == 0


def test_count_suspended_follows_suspensions(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    assert store.users.count_suspended() == 0
    store.users.update(bob.id, suspended=True)
    store.users.update(carol.id, suspended=True)
    assert store.users.count_suspended() == 2
    store.users.update(carol.id, suspended=False)
    assert (store.users.count_suspended(), store.users.count()) == (1, 3)
