"""Users and revoked tokens."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from lnk.domain.models import User
from lnk.store.base import DuplicateError, Store, TokenRepository, UserRepository
from lnk.store.sqlite.codec import to_ms, user_from_row
from lnk.store.sqlite.connection import Database, placeholders

# Greater than any UTF-8 text starting with the prefix (SQLite compares text bytewise).
_PREFIX_END = "\U0010ffff"


class SqliteUserRepository(UserRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, username: str, display_name: str, password_hash: str, role: str, now: datetime
    ) -> User:
        user = User(
            id=Store.new_id(),
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            created_at=now,
        )
        try:
            self.db.run(
                "INSERT INTO users (id, username, username_lower, display_name,"
                " display_name_lower, password_hash, role, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    user.id,
                    username,
                    username.lower(),
                    display_name,
                    display_name.lower(),
                    password_hash,
                    role,
                    to_ms(now),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateError(f"username {username!r} is taken") from exc
        return user

    def get(self, user_id: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row else None

    def get_by_username(self, username: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE username_lower = ?", (username.lower(),))
        return user_from_row(row) if row else None

    def get_many(self, user_ids: Iterable[str]) -> dict[str, User]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return {}
        rows = self.db.all(f"SELECT * FROM users WHERE id IN ({placeholders(len(ids))})", ids)
        return {r["id"]: user_from_row(r) for r in rows}

    def search(self, prefix: str, limit: int, after_username: str | None = None) -> list[User]:
        where, params = [], []
        if prefix:
            low, high = prefix.lower(), prefix.lower() + _PREFIX_END
            where.append(
                "((username_lower >= ? AND username_lower < ?)"
                " OR (display_name_lower >= ? AND display_name_lower < ?))"
            )
            params += [low, high, low, high]
        if after_username is not None:
            where.append("username_lower > ?")
            params.append(after_username.lower())
        sql = "SELECT * FROM users"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.db.all(sql + " ORDER BY username_lower LIMIT ?", [*params, limit])
        return [user_from_row(r) for r in rows]

    def update(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        role: str | None = None,
        suspended: bool | None = None,
        password_hash: str | None = None,
    ) -> User | None:
        sets: dict[str, Any] = {}
        if display_name is not None:
            sets["display_name"] = display_name
            sets["display_name_lower"] = display_name.lower()
        if role is not None:
            sets["role"] = role
        if suspended is not None:
            sets["suspended"] = int(suspended)
        if password_hash is not None:
            sets["password_hash"] = password_hash
        if not sets:
            return self.get(user_id)
        assignments = ", ".join(f"{column} = ?" for column in sets)
        row = self.db.one(
            f"UPDATE users SET {assignments} WHERE id = ? RETURNING *", [*sets.values(), user_id]
        )
        return user_from_row(row) if row else None

    def record_last_seen(self, seen: Mapping[str, datetime]) -> None:
        if not seen:
            return
        with self.db.write() as cur:
            cur.executemany(
                "UPDATE users SET last_seen_at = ?1 WHERE id = ?2"
                " AND (last_seen_at IS NULL OR last_seen_at < ?1)",
                [(to_ms(when), user_id) for user_id, when in seen.items()],
            )

    def count(self) -> int:
        return int(self.db.one("SELECT count(*) FROM users")[0])

    def count_suspended(self) -> int:
        sql = "SELECT count(*) FROM users INDEXED BY users_suspended WHERE suspended = 1"
        return int(self.db.one(sql)[0])


class SqliteTokenRepository(TokenRepository):
    def __init__(self, db: Database) -> None:
        self.db = db

    def revoke(self, jti: str, expires_at: datetime) -> None:
        self.db.run(
            "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)"
            " ON CONFLICT (jti) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
            (jti, to_ms(expires_at)),
        )

    def revoke_once(self, jti: str, expires_at: datetime) -> bool:
        return (
            self.db.run(
                "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)"
                " ON CONFLICT (jti) DO NOTHING",
                (jti, to_ms(expires_at)),
            )
            == 1
        )

    def is_revoked(self, jti: str) -> bool:
        return self.db.one("SELECT 1 FROM revoked_tokens WHERE jti = ?", (jti,)) is not None

    def any_revoked(self, jtis: list[str]) -> bool:
        sql = f"SELECT 1 FROM revoked_tokens WHERE jti IN ({placeholders(len(jtis))}) LIMIT 1"
        return bool(jtis) and self.db.one(sql, jtis) is not None

    def record_login(self, login_id: str, user_id: str, expires_at: datetime) -> None:
        self.db.run(
            "INSERT INTO logins (id, user_id, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
            (login_id, user_id, to_ms(expires_at)),
        )

    def active_logins(self, user_id: str, now: datetime) -> list[str]:
        rows = self.db.all(
            "SELECT id FROM logins WHERE user_id = ? AND expires_at > ?", (user_id, to_ms(now))
        )
        return [row[0] for row in rows]

    def purge_expired(self, now: datetime) -> int:
        cutoff = to_ms(now)
        return self.db.run("DELETE FROM revoked_tokens WHERE expires_at <= ?", (cutoff,)) + (
            self.db.run("DELETE FROM logins WHERE expires_at <= ?", (cutoff,))
        )
