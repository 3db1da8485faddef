"""Seed a large SQLite store for the read benchmarks.

1,000,000 messages over 1,000 conversations (one of them holding 200,000) and a user `bench` in
500 of them. Users and conversations go through the store API; the bulk of the messages is
inserted with plain SQL in large transactions (through the store API it would take an hour), then
one last message per conversation goes through ``MessageRepository.append`` so that sequence
counters, last-message previews and unread counts are exactly what the application maintains.

    .venv/bin/python bench/seed_sqlite.py instance/bench.sqlite3
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, ".")

from bson import ObjectId  # noqa: E402

from lnk.store.base import NewMessage  # noqa: E402
from lnk.store.sqlite import SqliteStore, fts  # noqa: E402

TOTAL_MESSAGES = 1_000_000
CONVERSATIONS = 1_000
BIG = 200_000
USER_CONVERSATIONS = 500
WORDS = [
    "plumbing",
    "kitchen",
    "sink",
    "repair",
    "tomorrow",
    "morning",
    "afternoon",
    "evening",
    "price",
    "quote",
    "invoice",
    "booking",
    "confirm",
    "schedule",
    "garden",
    "lawn",
    "painting",
    "wall",
    "ceiling",
    "electrician",
    "wiring",
    "socket",
    "lamp",
    "delivery",
    "parcel",
    "address",
    "street",
    "city",
    "cleaning",
    "windows",
    "carpet",
    "office",
    "meeting",
    "call",
    "thanks",
    "hello",
    "great",
    "perfect",
    "sure",
    "okay",
    "maybe",
    "later",
    "today",
    "week",
    "weekend",
    "monday",
    "tuesday",
    "friday",
    "hour",
    "minutes",
    "discount",
    "deposit",
    "payment",
    "cash",
    "card",
    "transfer",
    "photo",
    "picture",
    "estimate",
    "materials",
    "tools",
    "ladder",
    "paint",
    "brush",
    "tiles",
    "bathroom",
    "shower",
    "leak",
    "water",
    "heating",
    "boiler",
    "radiator",
    "furniture",
    "assembly",
    "moving",
    "boxes",
    "truck",
    "help",
    "question",
    "answer",
    "available",
    "busy",
]


FILLER = [
    "the",
    "a",
    "to",
    "and",
    "i",
    "you",
    "it",
    "is",
    "for",
    "of",
    "on",
    "in",
    "we",
    "can",
    "be",
    "at",
    "that",
    "this",
    "will",
    "with",
    "my",
    "your",
    "me",
    "so",
    "no",
    "yes",
]


def _vocabulary() -> tuple[list[str], list[float]]:
    """Zipf (s=1) over 5,000 words: stop words first, the trade words spread over ranks 30-2,000,
    synthetic words elsewhere; a trade word then appears in roughly 0.1-2% of messages."""
    gen = random.Random(7)
    synthetic = [
        "".join(
            gen.choice("bcdfghjklmnprstvwz") + gen.choice("aeiou") for _ in range(gen.randint(2, 4))
        )
        for _ in range(5000)
    ]
    vocab = FILLER + synthetic[: 5000 - len(FILLER) - len(WORDS)]
    for i, word in enumerate(WORDS):
        vocab.insert(30 + i * 20, word)
    cumulative, total = [], 0.0
    for rank in range(1, len(vocab) + 1):
        total += 1 / rank
        cumulative.append(total)
    return vocab, cumulative


VOCAB, CUMULATIVE = _vocabulary()


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCAB, cum_weights=CUMULATIVE, k=n))


def main(path: str) -> None:
    rng = random.Random(42)
    started = time.perf_counter()
    store = SqliteStore(path, upload_dir=path + ".uploads")
    now = datetime.now(UTC) - timedelta(days=30)
    bench = store.users.create("bench", "Bench User", "x", "user", now)
    others = [
        store.users.create(f"peer{i}", f"Peer {i}", "x", "user", now) for i in range(CONVERSATIONS)
    ]
    conversations = []
    for i in range(CONVERSATIONS):
        a = bench.id if i < USER_CONVERSATIONS else others[i - 1].id
        b = others[i].id
        key = ":".join(sorted((a, b)))
        conversations.append(
            store.conversations.create(
                "direct", None, a, [(a, "member"), (b, "member")], now, direct_key=key
            )
        )
    store.close()

    sizes = [BIG] + [(TOTAL_MESSAGES - BIG) // (CONVERSATIONS - 1)] * (CONVERSATIONS - 1)
    sizes[-1] += TOTAL_MESSAGES - sum(sizes)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    t0 = int(now.timestamp() * 1000)
    inserted = 0
    for conv, size in zip(conversations, sizes, strict=True):
        members = [p.user_id for p in conv.participants]
        db.execute("BEGIN")
        rows = (
            (
                str(ObjectId()),
                conv.id,
                seq,
                members[seq % 2],
                "text",
                words(rng, rng.randint(4, 14)),
                t0 + seq * 1000,
            )
            for seq in range(1, size)
        )  # the last one goes through the store below
        db.executemany(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, type, content,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.execute("UPDATE conversations SET last_seq = ? WHERE id = ?", (size - 1, conv.id))
        db.execute("COMMIT")
        inserted += size - 1
        if inserted and inserted % 100_000 < size:
            print(f"  {inserted:,} messages ({time.perf_counter() - started:.0f} s)", flush=True)
    db.close()

    store = SqliteStore(path, upload_dir=path + ".uploads")
    print(f"  indexed {fts.catch_up(store.db):,} messages for search", flush=True)
    for i, conv in enumerate(conversations):
        sender = conv.participants[1].user_id
        store.messages.append(
            NewMessage(conv.id, sender, "text", content=words(rng, 8), preview="latest"),
            now + timedelta(minutes=i),
        )
    store.close()
    print(f"seeded {TOTAL_MESSAGES:,} messages in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "instance/bench.sqlite3")
