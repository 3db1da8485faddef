"""Reports, held messages and the audit log, on every engine."""

from __future__ import annotations

from lnk.domain.safety import Report
from lnk.store.base import Store
from tests.store.conftest import at


def _report(reporter: str, target_id: str, subject: str, reason: str = "spam", **kw) -> Report:
    return Report(
        id="",
        reporter_id=reporter,
        target_type=kw.pop("target_type", "message"),
        target_id=target_id,
        subject_id=subject,
        reason=reason,
        created_at=kw.pop("created_at", at()),
        **kw,
    )


def test_one_open_report_per_reporter_and_target(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    message = make.send(make.direct(alice, bob), bob, "buy now")
    first, created = store.reports.create(_report(alice.id, message.id, bob.id, note="ads"))
    assert created is True and first.id and first.status == "open" and first.note == "ads"
    again, created = store.reports.create(_report(alice.id, message.id, bob.id, "scam"))
    assert created is False and again.id == first.id and again.reason == "spam"
    _, created = store.reports.create(_report(carol.id, message.id, bob.id))
    assert created is True
    # a user report of the same id is another target
    _, created = store.reports.create(_report(alice.id, message.id, bob.id, target_type="user"))
    assert created is True
    assert store.reports.count_open("message", message.id) == 2
    assert store.reports.count_open("user", message.id) == 1
    assert store.reports.count_open_total() == 3
    assert store.reports.get(first.id) == first


def test_closing_a_target_closes_its_open_reports_and_allows_a_new_one(store: Store, make) -> None:
    alice, bob, carol = make.users("alice", "bob", "carol")
    message = make.send(make.direct(alice, bob), bob, "buy now")
    store.reports.create(_report(alice.id, message.id, bob.id))
    store.reports.create(_report(carol.id, message.id, bob.id, "harassment"))
    reasons = [r.reason for r in store.reports.open_for_target("message", message.id)]
    assert reasons == ["spam", "harassment"]
    closed = store.reports.close_for_target("message", message.id, "dismissed", carol.id, at(5))
    assert closed == 2
    assert store.reports.count_open("message", message.id) == 0
    assert store.reports.open_for_target("message", message.id) == []
    assert store.reports.list_open(10) == []
    _, created = store.reports.create(_report(alice.id, message.id, bob.id))
    assert created is True


def test_open_reports_page_newest_first(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    ids = []
    for i in range(5):
        message = make.send(direct, bob, f"m{i}")
        ids.append(store.reports.create(_report(alice.id, message.id, bob.id))[0].id)
    first = store.reports.list_open(3)
    assert [r.id for r in first] == ids[::-1][:3]
    rest = store.reports.list_open(3, before_id=first[-1].id)
    assert [r.id for r in rest] == ids[::-1][3:]
    assert store.reports.list_open(3, before_id=ids[0]) == []


def test_holding_messages(store: Store, make) -> None:
    alice, bob = make.users("alice", "bob")
    direct = make.direct(alice, bob)
    one, two = make.send(direct, bob, "one"), make.send(direct, bob, "two")
    assert store.reports.held_among([one.id, two.id]) == set()
    assert store.reports.hold(one.id, at()) is True
    assert store.reports.hold(one.id, at()) is False
    assert store.reports.held_among([one.id, two.id, "junk"]) == {one.id}
    assert store.reports.held_among([]) == set()
    assert store.reports.release(one.id) is True
    assert store.reports.release(one.id) is False
    assert store.reports.held_among([one.id]) == set()


def test_audit_log_appends_and_pages_newest_first(store: Store, make) -> None:
    admin = make.user("root", role="admin")
    entries = [
        store.audit.append(admin.id, "report.dismiss", "message", f"m{i}", at(i), {"n": i})
        for i in range(4)
    ]
    page = store.audit.page(2)
    assert [e.id for e in page] == [entries[3].id, entries[2].id]
    assert page[0].detail == {"n": 3} and page[0].at == at(3) and page[0].actor_id == admin.id
    rest = store.audit.page(10, before_id=page[-1].id)
    assert [e.action for e in rest] == ["report.dismiss"] * 2
    assert [e.target_id for e in rest] == ["m1", "m0"]
    assert not hasattr(store.audit, "update") and not hasattr(store.audit, "delete")
