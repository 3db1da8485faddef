"""Users and revoked tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lnk.store.base import DuplicateError, Store


def test_created_user_round_trips_every_field(store: Store, make) -> None:
    created = store.users.create("Alice", "Alice A.", "argon2$hash", "admin", make.at())
    assert len(created.id) == 24
    fetched = store.users.get(created.id)
    assert fetched == created
    assert fetched.username == "Alice" and fetched.display_name == "Alice A."
    assert fetched.password_hash == "argon2$hash" and fetched.role == "admin"
    assert fetched.suspended is False and fetched.created_at == make.at()


def test_username_is_unique_case_insensitively(store: Store, make) -> None:
    make.user("alice")
    with pytest.raises(DuplicateError):
        make.user("ALICE")
    assert store.users.count() == 1


def test_get_by_username_ignores_case(store: Store, make) -> None:
    alice = make.user("Alice")
    assert store.users.get_by_username("aLiCe").id == alice.id
    assert store.users.get_by_username("bob") is None


def test_get_of_unknown_or_malformed_id_is_none(store: Store) -> None:
    assert store.users.get(Store.new_id()) is None
    assert store.users.get("not-an-id") is None


def test_get_many_returns_only_known_users_by_id(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    found = store.users.get_many([alice.id, bob.id, Store.new_id(), "junk", alice.id])
    assert set(found) == {alice.id, bob.id}
    assert found[bob.id].username == "bob"
    assert store.users.get_many([]) == {}


def test_search_matches_username_or_display_name_prefix_case_insensitively(store: Store, make):
    make.user("alice", "Zed Zulu")
    make.user("bob", "Alfred B")
    make.user("carol", "Carol")
    assert [u.username for u in store.users.search("AL", 10)] == ["alice", "bob"]
    assert [u.username for u in store.users.search("zed", 10)] == ["alice"]
    assert store.users.search("xyz", 10) == []


def test_search_orders_by_lowercased_username_and_pages_after_username(store: Store, make):
    for name in ["dave", "Bob", "alice", "Carol", "eve"]:
        make.user(name, "Person")
    first = store.users.search("", 2)
    assert [u.username for u in first] == ["alice", "Bob"]
    second = store.users.search("", 2, after_username="bob")
    assert [u.username for u in second] == ["Carol", "dave"]
    third = store.users.search("", 2, after_username="dave")
    assert [u.username for u in third] == ["eve"]
    assert [u.username for u in store.users.search("pers", 10, after_username="carol")] == [
        "dave",
        "eve",
    ]


def test_update_sets_only_the_given_fields(store: Store, make) -> None:
    alice = make.user("alice", "Alice")
    updated = store.users.update(alice.id, display_name="Ally", suspended=True)
    assert updated.display_name == "Ally" and updated.suspended is True
    assert updated.role == "user" and updated.password_hash == "hash"
    updated = store.users.update(alice.id, role="admin", password_hash="new")
    assert updated.role == "admin" and updated.password_hash == "new"
    assert updated.display_name == "Ally"
    assert store.users.get(alice.id) == updated
    assert [u.id for u in store.users.search("ally", 5)] == [alice.id]


def test_update_of_unknown_user_is_none(store: Store) -> None:
    assert store.users.update(Store.new_id(), display_name="x") is None


def test_last_seen_is_stored_per_user_and_never_moves_backwards(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    assert store.users.get(alice.id).last_seen_at is None
    store.users.record_last_seen({alice.id: make.at(5), bob.id: make.at(7)})
    found = store.users.get_many([alice.id, bob.id, carol.id])
    assert found[alice.id].last_seen_at == make.at(5)
    assert found[bob.id].last_seen_at == make.at(7)
    assert found[carol.id].last_seen_at is None
    # a later offline moves it on; an older one (another process, a retry) does not move it back
    store.users.record_last_seen({alice.id: make.at(9), bob.id: make.at(6)})
    assert store.users.get(alice.id).last_seen_at == make.at(9)
    assert store.users.get(bob.id).last_seen_at == make.at(7)
    assert store.users.get_by_username("alice").last_seen_at == make.at(9)


def test_recording_last_seen_ignores_unknown_ids_and_nothing(store: Store, make) -> None:
    alice = make.user("alice")
    store.users.record_last_seen({})
    store.users.record_last_seen(
        {Store.new_id(): make.at(1), "junk": make.at(1), alice.id: make.at(2)}
    )
    assert store.users.get(alice.id).last_seen_at == make.at(2)
    assert store.users.count() == 1


def test_count_counts_users(store: Store, make) -> None:
    assert store.users.count() == 0
    make.users("a1x", "b2y", "c3z")
    assert store.users.count() == 3


def _soon(minutes: int) -> datetime:
    """Real time ahead: revocations are kept until the token's real expiry (MongoDB's TTL index
    uses the wall clock), so these tests place expiries in the real future."""
    now = datetime.now(UTC) + timedelta(minutes=minutes)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def test_token_revocation_is_idempotent(store: Store) -> None:
    assert not store.tokens.is_revoked("jti-1")
    store.tokens.revoke("jti-1", _soon(60))
    store.tokens.revoke("jti-1", _soon(60))
    assert store.tokens.is_revoked("jti-1")
    assert not store.tokens.is_revoked("jti-2")


def test_purge_expired_forgets_only_expired_revocations(store: Store) -> None:
    store.tokens.revoke("old", _soon(5))
    store.tokens.revoke("edge", _soon(10))
    store.tokens.revoke("live", _soon(15))
    assert store.tokens.purge_expired(_soon(10)) == 2
    assert not store.tokens.is_revoked("old") and not store.tokens.is_revoked("edge")
    assert store.tokens.is_revoked("live")
    assert store.tokens.purge_expired(_soon(10)) == 0


def test_revoke_once_tells_the_first_revocation_from_a_repeat(store: Store) -> None:
    assert store.tokens.revoke_once("refresh-1", _soon(60)) is True
    assert store.tokens.revoke_once("refresh-1", _soon(60)) is False
    assert store.tokens.is_revoked("refresh-1")


def test_any_revoked_checks_several_ids_at_once(store: Store) -> None:
    store.tokens.revoke("login:abc", _soon(60))
    assert store.tokens.any_revoked(["jti-9", "login:abc"])
    assert not store.tokens.any_revoked(["jti-9", "login:def"])
    assert not store.tokens.any_revoked([])


def test_logins_are_listed_per_user_until_they_expire(store: Store) -> None:
    store.tokens.record_login("l-1", "u-1", _soon(10))
    store.tokens.record_login("l-2", "u-1", _soon(30))
    store.tokens.record_login("l-3", "u-2", _soon(30))
    store.tokens.record_login("l-1", "u-1", _soon(5))  # never shortened
    assert sorted(store.tokens.active_logins("u-1", _soon(0))) == ["l-1", "l-2"]
    assert store.tokens.active_logins("u-1", _soon(20)) == ["l-2"]
    store.tokens.record_login("l-1", "u-1", _soon(40))  # a refresh extends it
    assert sorted(store.tokens.active_logins("u-1", _soon(20))) == ["l-1", "l-2"]
    assert store.tokens.purge_expired(_soon(35)) == 2  # l-2 and l-3
    assert store.tokens.active_logins("u-1", _soon(0)) == ["l-1"]
