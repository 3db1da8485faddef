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


def test_daily_counters_and_active_users(store: Store) -> None:
    metrics = store.metrics
    metrics.add("2026-11-01", "messages")
    metrics.add("2026-11-01", "messages", 2)
    metrics.add("2026-11-02", "offers_sent")
    metrics.add("2026-12-01", "messages")
    assert metrics.mark_active("2026-11-01", "u1") is True
    assert metrics.mark_active("2026-11-01", "u1") is False
    assert metrics.mark_active("2026-11-02", "u1") is True
    assert metrics.series("2026-11-01", "2026-11-30") == {
        ("2026-11-01", "messages"): 3,
        ("2026-11-02", "offers_sent"): 1,
    }


def test_answers_in_a_period(store: Store) -> None:
    records = store.response_times
    records.opened("p", "c1", at(0))
    records.answered("p", "c1", at(30))
    records.opened("q", "c2", at(0))
    records.answered("q", "c2", at(120))
    records.opened("q", "c3", at(0))
    assert sorted(records.answered_between(at(0), at(121))) == [30.0, 120.0]
    assert records.answered_between(at(31), at(121)) == [120.0]
