"""Provider response records, on every engine."""

from __future__ import annotations

from lnk.store.base import Store
from tests.store.conftest import at


def test_the_first_open_and_the_first_answer_stay(store: Store) -> None:
    records = store.response_times
    assert records.answered("p", "c1", at(1)) is False  # never opened: nothing to answer
    assert records.opened("p", "c1", at(0)) is True
    assert records.opened("p", "c1", at(5)) is False
    assert records.answered("p", "c1", at(30)) is True
    assert records.answered("p", "c1", at(60)) is False
    records.opened("p", "c2", at(10))
    records.opened("q", "c3", at(10))
    assert records.since("p", at(-1)) == [(at(0), at(30)), (at(10), None)]
    assert records.since("p", at(0)) == [(at(10), None)]
    assert records.since("q", at(-1)) == [(at(10), None)]
    assert records.since("nobody", at(-1)) == []
