"""Message search, with a cost bounded by the caller's own conversations.

Letting the full-text index drive the query alone (newest match first, joined to the caller's
memberships) walks every match of every user until ``limit`` of them are the caller's: a user
who shares no conversation with the authors of a common word reads all of its matches. So the
search takes two bounded steps, newest first (by rowid):

1. The newest ``CANDIDATES`` matches of the index (a walk of its posting lists, nothing else),
   joined to the caller's memberships (a small batch of them first, which is enough for common
   words). When the index holds fewer matches than that, or enough
   of them are the caller's, that is the answer: the common cases cost about a millisecond.
2. Otherwise each of the caller's conversations is walked newest first (index
   ``(conversation_id, seq)``) below the oldest candidate, each message checked against the index
   by rowid, until ``limit`` matches; the pages are merged.

Either way the work is at most ``CANDIDATES`` index entries plus the caller's own messages,
whatever anyone else wrote. The query runs in the worker pool (``Database.read_in_worker``).
"""

from __future__ import annotations

import heapq
import json
import sqlite3

CANDIDATES = 1000
_ABOVE_ALL = 1 << 62

_VISIBLE = (
    " m.deleted = 0 AND NOT EXISTS"
    " (SELECT 1 FROM hidden_messages AS h WHERE h.message_id = m.id AND h.user_id = :user)"
)


def search_rows(
    conn: sqlite3.Connection,
    user_id: str,
    match: str,
    *,
    conversation_id: str | None,
    before_id: str | None,
    limit: int,
) -> list[sqlite3.Row]:
    """The newest ``limit`` rows of ``messages`` the user may see that match ``match`` (an FTS5
    query), below ``before_id`` when given."""
    below = _ABOVE_ALL
    if before_id is not None:
        row = conn.execute("SELECT rowid FROM messages WHERE id = ?", (before_id,)).fetchone()
        if row is None:
            return []
        below = row[0]
    sql = "SELECT conversation_id, cleared_seq FROM participants WHERE user_id = ?"
    params: list[object] = [user_id]
    if conversation_id is not None:
        sql += " AND conversation_id = ?"
        params.append(conversation_id)
    memberships = conn.execute(sql, params).fetchall()
    if not memberships or limit <= 0:
        return []
    args = {"user": user_id, "match": match, "below": below, "limit": limit}

    below_clause = " AND rowid < :below" if before_id is not None else ""
    # a small batch first: for common words the caller's newest matches are among the newest
    first = min(CANDIDATES, max(4 * limit, 64))
    for batch in (first, CANDIDATES) if first < CANDIDATES else (CANDIDATES,):
        hits = [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH :match"
                + below_clause
                + " ORDER BY rowid DESC LIMIT :candidates",
                {**args, "candidates": batch},
            )
        ]
        if not hits:
            return []
        found = conn.execute(
            # CROSS JOIN fixes the order: the candidates drive, each looked up by rowid
            "SELECT m.* FROM json_each(:hits) AS hit"
            " CROSS JOIN messages AS m ON m.rowid = hit.value"
            " CROSS JOIN participants AS p"
            " ON p.conversation_id = m.conversation_id AND p.user_id = :user"
            f" WHERE m.seq > p.cleared_seq AND {_VISIBLE}"
            + (" AND m.conversation_id = :conv" if conversation_id else "")
            + " ORDER BY m.rowid DESC LIMIT :limit",
            {**args, "hits": json.dumps(hits), "conv": conversation_id},
        ).fetchall()
        if len(hits) < batch or len(found) >= limit:
            return found

    wanted = limit - len(found)
    floor = hits[-1]
    pages = [
        conn.execute(
            "SELECT m.* FROM messages AS m"
            " WHERE m.conversation_id = :conv AND m.seq > :cleared AND m.rowid < :floor"
            f" AND {_VISIBLE} AND EXISTS (SELECT 1 FROM messages_fts"
            " WHERE messages_fts MATCH :match AND messages_fts.rowid = m.rowid)"
            " ORDER BY m.seq DESC LIMIT :limit",
            {**args, "conv": conv, "cleared": cleared, "floor": floor, "limit": wanted},
        ).fetchall()
        for conv, cleared in memberships
    ]
    older = heapq.nlargest(wanted, (row for page in pages for row in page), key=_rowid)
    return [*found, *older]


def _rowid(row: sqlite3.Row) -> int:
    return int(row["rowid"])
