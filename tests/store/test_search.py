"""Full-text search over the messages a user may see."""

from __future__ import annotations

from lnk.domain import search_text
from lnk.store.base import Store


def _ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_every_term_must_start_a_word_case_insensitively(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    hello = make.send(direct, alice, "Hello World, how are you?")
    make.send(direct, bob, "hello there")
    make.send(direct, bob, "Othello worldly")  # "hel" does not start a word here
    assert _ids(store.messages.search(alice.id, ["hel", "wor"])) == [hello.id]
    assert _ids(store.messages.search(alice.id, ["world"])) == [
        m.id for m in store.messages.page(direct.id, alice.id) if m.content != "hello there"
    ]
    assert len(store.messages.search(bob.id, ["hello"])) == 2
    assert store.messages.search(alice.id, ["hello", "missing"]) == []
    assert store.messages.search(alice.id, []) == []


def test_search_is_newest_first_and_pages_with_before_id(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = [make.send(direct, alice if i % 2 else bob, f"report number {i}") for i in range(7)]
    make.send(direct, alice, "unrelated")
    newest_first = [m.id for m in reversed(sent)]
    first = store.messages.search(bob.id, ["report"], limit=3)
    assert _ids(first) == newest_first[:3]
    second = store.messages.search(bob.id, ["report"], before_id=first[-1].id, limit=3)
    assert _ids(second) == newest_first[3:6]
    third = store.messages.search(bob.id, ["report"], before_id=second[-1].id, limit=3)
    assert _ids(third) == newest_first[6:]


def test_search_sees_only_the_users_visible_messages(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    shared = make.direct(alice, bob)
    private = make.direct(bob, carol)
    cleared = make.send(shared, bob, "banana before delete")
    store.conversations.delete_for_user(shared.id, alice.id, make.at(1))
    visible = make.send(shared, bob, "banana after delete")
    hidden = make.send(shared, bob, "banana hidden")
    store.messages.hide_for(hidden.id, alice.id)
    deleted = make.send(shared, bob, "banana deleted")
    store.messages.delete_for_everyone(deleted.id, "deleted", make.at(2))
    make.send(private, carol, "banana for bob only")
    assert _ids(store.messages.search(alice.id, ["banana"])) == [visible.id]
    bob_sees = _ids(store.messages.search(bob.id, ["banana"]))
    assert cleared.id in bob_sees and hidden.id in bob_sees and deleted.id not in bob_sees
    assert len(bob_sees) == 4


def test_search_can_be_restricted_to_one_conversation(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    direct = make.direct(alice, bob)
    group = make.group(alice, bob, carol)
    in_direct = make.send(direct, bob, "meeting at noon")
    in_group = make.send(group, carol, "meeting moved")
    assert _ids(store.messages.search(alice.id, ["meet"], conversation_id=direct.id)) == [
        in_direct.id
    ]
    assert _ids(store.messages.search(alice.id, ["meet"])) == [in_group.id, in_direct.id]
    assert store.messages.search(carol.id, ["meet"], conversation_id=direct.id) == []


def test_search_follows_edits(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = make.send(direct, alice, "see you tomorrow")
    store.messages.edit(sent.id, "see you on friday", "see you on friday", make.at(1))
    assert store.messages.search(bob.id, ["tomorrow"]) == []
    found = store.messages.search(bob.id, ["fri"])
    assert _ids(found) == [sent.id] and found[0].content == "see you on friday"


def test_search_matches_digits_and_non_ascii_letters(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    sent = make.send(direct, alice, "Order 4711 für Ärzte")
    assert _ids(store.messages.search(bob.id, ["471", "ärz"])) == [sent.id]
    assert _ids(store.messages.search(bob.id, ["für"])) == [sent.id]


def test_the_callers_older_matches_are_found_below_many_newer_matches_of_others(
    store: Store, make, monkeypatch
) -> None:
    from lnk.store.sqlite import search as sqlite_search

    monkeypatch.setattr(sqlite_search, "CANDIDATES", 4)  # the second step, on small data
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    mine = make.direct(alice, bob)
    theirs = make.direct(carol, dave)
    older = [make.send(mine, bob, f"apple pie {i}") for i in range(3)]
    make.send(mine, alice, "pear")
    for i in range(12):
        make.send(theirs, carol, f"apple cider {i}")
    newest = make.send(mine, alice, "apple tart")
    expected = [newest.id, *[m.id for m in reversed(older)]]
    assert _ids(store.messages.search(alice.id, ["apple"], limit=10)) == expected
    first = store.messages.search(alice.id, ["apple"], limit=2)
    assert _ids(first) == expected[:2]
    rest = store.messages.search(alice.id, ["apple"], before_id=first[-1].id, limit=5)
    assert _ids(rest) == expected[2:]
    assert store.messages.search(alice.id, ["cider"]) == []
    assert len(store.messages.search(dave.id, ["apple"], limit=50)) == 12


def _vm_steps(store: Store, search) -> int:
    """SQLite virtual-machine instructions (in hundreds) a search costs: deterministic work."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.db._conn.set_progress_handler(count, 100)  # type: ignore[attr-defined]
    try:
        search()
    finally:
        store.db._conn.set_progress_handler(None, 100)  # type: ignore[attr-defined]
    return steps


def test_a_search_costs_the_same_however_many_others_match(tmp_path) -> None:
    """A user who shares no conversation with the authors of a common word does not pay for
    their messages: the work stays flat while others' matches double (SQLite, where the query
    runs in this process and its work can be counted)."""
    from lnk.store.sqlite import SqliteStore
    from tests.store.conftest import Builder

    store = SqliteStore(str(tmp_path / "lnk.sqlite3"), upload_dir=str(tmp_path / "uploads"))
    make = Builder(store)
    alice, bob, carol, dave = make.users("alice", "bob", "carol", "dave")
    mine = make.direct(alice, bob)
    theirs = make.direct(carol, dave)
    make.send(mine, bob, "orange juice")
    for i in range(1500):
        make.send(theirs, carol, f"orange {i}")
    fewer = _vm_steps(store, lambda: store.messages.search(alice.id, ["orange"]))
    for i in range(1500):
        make.send(theirs, dave, f"orange {i}")
    more = _vm_steps(store, lambda: store.messages.search(alice.id, ["orange"]))
    assert len(store.messages.search(alice.id, ["orange"])) == 1
    store.close()
    assert more <= fewer * 1.1, (fewer, more)


def test_a_rare_word_costs_the_same_however_long_the_callers_history(tmp_path) -> None:
    """When the index holds few matches, they drive the query: the caller's other messages are
    not walked (SQLite, counted in virtual-machine instructions)."""
    from lnk.store.sqlite import SqliteStore
    from tests.store.conftest import Builder

    store = SqliteStore(str(tmp_path / "lnk.sqlite3"), upload_dir=str(tmp_path / "uploads"))
    make = Builder(store)
    alice, bob = make.users("alice", "bob")
    mine = make.direct(alice, bob)
    for i in range(5):
        make.send(mine, bob, f"quince jam {i}")
    for i in range(1500):
        make.send(mine, bob, f"chatter {i}")
    shorter = _vm_steps(store, lambda: store.messages.search(alice.id, ["quince"]))
    for i in range(1500):
        make.send(mine, alice, f"more chatter {i}")
    longer = _vm_steps(store, lambda: store.messages.search(alice.id, ["quince"]))
    assert len(store.messages.search(alice.id, ["quince"])) == 5
    store.close()
    assert longer <= shorter * 1.1, (shorter, longer)


def test_both_engines_fold_and_split_words_with_the_one_tokeniser(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    cafe = make.send(direct, alice, "Rendez-vous au Café crème?")
    decomposed = make.send(direct, bob, "CAFE\u0301 NOIR")  # the accent as a combining mark
    street = make.send(direct, alice, "Hauptstraße 5")
    ligature = make.send(direct, bob, "Quarterly \ufb01nance review")  # the "fi" ligature
    joined = make.send(direct, alice, "latte_macchiato")
    make.send(direct, bob, "caffeine")  # "caf" starts it, "cafe" does not

    def found(*terms: str) -> set[str]:
        return {m.id for m in store.messages.search(alice.id, search_text.terms(terms))}

    both = {cafe.id, decomposed.id}
    assert found("café") == found("Café") == found("CAFÉ") == found("cafe\u0301") == both
    assert found("cafe") == found("cafe", "CAFÉ") == both
    assert len(found("CAF")) == len(found("caf")) == 3  # a prefix
    assert found("CREME") == found("crème") == {cafe.id}
    assert found("hauptstrasse") == found("HAUPTSTRASSE") == found("hauptstraße") == {street.id}
    assert found("finance") == found("\ufb01n") == {ligature.id}
    assert found("macchiato") == found("latte") == {joined.id}
    assert found("rendez", "vous") == {cafe.id}
    assert found("cafe", "noir") == {decomposed.id}
    # the store folds raw terms itself, the same way
    assert {m.id for m in store.messages.search(alice.id, ["CAFÉ"])} == both
