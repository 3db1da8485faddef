"""The page routes refuse hostile numbers with a 4xx like the API: sequence numbers beyond
2^53 in catch-up and receipt requests."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("query", ["afterSeq", "fromSeq"])
@pytest.mark.parametrize("value", [2**53, 2**64, 10**40])
def test_huge_sequence_numbers_are_422_on_the_pages(pair, query, value):
    alice, _, conversation_id = pair
    route = "messages" if query == "afterSeq" else "receipts"
    response = alice.get(f"/chat/{conversation_id}/{route}?{query}={value}", htmx=True)
    assert response.status_code == 422
    fine = alice.get(f"/chat/{conversation_id}/{route}?{query}=1", htmx=True)
    assert fine.status_code == 200
