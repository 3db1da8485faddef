"""``SeqGate``: a conversation's messages leave in seq order, whatever order they arrive in."""

from __future__ import annotations

from lnk.realtime.ordering import SeqGate, conversation_seq


def make():
    gate = SeqGate(hold=10.0, first_hold=10.0)
    out: list[tuple[str, int, str]] = []

    def submit(cid: str, seq: int, view: str = "api") -> None:
        payload = {"conversationId": cid, "message": {"seq": seq}}
        stream, _ = conversation_seq("newMessage", payload, [f"{view}:someone"])
        gate.submit(stream, seq, lambda: out.append((cid, seq, view)))

    return gate, out, submit


def test_a_message_ahead_of_a_gap_waits_for_it_in_every_view():
    gate, out, submit = make()
    for view in ("api", "page"):  # the JSON for API sockets, the rendered view for pages
        submit("c", 1, view)
        submit("c", 3, view)
    submit("d", 1)  # another conversation is not held up
    assert out == [("c", 1, "api"), ("c", 1, "page"), ("d", 1, "api")]
    assert gate.held == 2
    submit("c", 2, "api")
    submit("c", 2, "page")
    assert out[3:] == [("c", 2, "api"), ("c", 3, "api"), ("c", 2, "page"), ("c", 3, "page")]
    assert gate.held == 0


def test_a_gap_that_never_fills_is_given_up_after_the_hold_in_order():
    gate, out, submit = make()
    submit("c", 1)
    submit("c", 4)
    submit("c", 3)
    assert gate.release_due(now=0) == 0
    assert gate.release_due(now=1e12) == 2
    assert out == [("c", 1, "api"), ("c", 3, "api"), ("c", 4, "api")]
    submit("c", 5)
    assert out[-1] == ("c", 5, "api")


def test_repeats_and_late_arrivals_go_out_at_once():
    _, out, submit = make()
    submit("c", 1)
    submit("c", 2)
    submit("c", 2)
    submit("c", 1)
    assert [seq for _, seq, _ in out] == [1, 2, 2, 1]


def test_the_first_message_seen_waits_briefly_for_its_predecessor():
    gate, out, submit = make()
    submit("c", 8)  # another process's seq 7 may still be on its way
    assert out == []
    submit("c", 7)
    assert out == []  # still unknown where the conversation stands: both wait
    assert gate.release_due(now=1e12) == 2
    assert [seq for _, seq, _ in out] == [7, 8]
    submit("c", 9)
    assert [seq for _, seq, _ in out] == [7, 8, 9]
    submit("d", 2)
    submit("d", 1)  # the predecessor arrived in time
    assert [seq for cid, seq, _ in out if cid == "d"] == [1, 2]


def test_only_new_message_payloads_with_a_seq_are_gated():
    payload = {"conversationId": "c", "message": {"id": "m", "seq": 3}}
    assert conversation_seq("newMessage", payload, ["api:u1", "api:u2"]) == ("c|api", 3)
    assert conversation_seq("messageUpdated", payload) is None
    assert conversation_seq("newMessage", {"conversationId": "c", "message": {}}) is None
