"""Bulk-write helpers shared by the repositories."""

from __future__ import annotations

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from lnk.store.mongo.codec import Doc

DUPLICATE_KEY = 11000


def insert_ignoring_duplicates(collection: Collection[Doc], docs: list[Doc]) -> list[Doc]:
    """Unordered insert; returns the documents that were inserted (duplicate keys are skipped,
    any other write error is raised)."""
    if not docs:
        return []
    try:
        collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        failed = {e["index"] for e in errors}
        return [d for i, d in enumerate(docs) if i not in failed]
    return docs
