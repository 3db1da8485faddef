"""Users and revoked tokens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from lnk.domain.models import User
from lnk.store.base import DuplicateError, TokenRepository, UserRepository
from lnk.store.mongo import indexes as ix
from lnk.store.mongo.codec import parse_oid, prefix_pattern, to_bson_dt, user_from_doc
from lnk.store.mongo.units import SessionDatabase


class MongoUserRepository(UserRepository):
    def __init__(self, db: SessionDatabase) -> None:
        self._users = db[ix.USERS]

    def create(
        self, username: str, display_name: str, password_hash: str, role: str, now: datetime
    ) -> User:
        doc = {
            "username": username,
            "usernameLower": username.lower(),
            "displayName": display_name,
            "displayNameLower": display_name.lower(),
            "passwordHash": password_hash,
            "role": role,
            "suspended": False,
            "avatarUrl": None,
            "createdAt": to_bson_dt(now),
        }
        try:
            self._users.insert_one(doc)
        except DuplicateKeyError as exc:
            raise DuplicateError(f"username {username!r} is taken") from exc
        return user_from_doc(doc)

    def get(self, user_id: str) -> User | None:
        oid = parse_oid(user_id)
        doc = self._users.find_one({"_id": oid}) if oid else None
        return user_from_doc(doc) if doc else None

    def get_by_username(self, username: str) -> User | None:
        doc = self._users.find_one({"usernameLower": username.lower()})
        return user_from_doc(doc) if doc else None

    def get_many(self, user_ids: Iterable[str]) -> dict[str, User]:
        oids = list({oid for oid in map(parse_oid, user_ids) if oid is not None})
        if not oids:
            return {}
        return {str(d["_id"]): user_from_doc(d) for d in self._users.find({"_id": {"$in": oids}})}

    def search(self, prefix: str, limit: int, after_username: str | None = None) -> list[User]:
        query: dict[str, Any] = {}
        if prefix:
            pattern = prefix_pattern(prefix.lower())
            query["$or"] = [{"usernameLower": pattern}, {"displayNameLower": pattern}]
        if after_username is not None:
            query["usernameLower"] = {"$gt": after_username.lower()}
        cursor = self._users.find(query).sort("usernameLower", ASCENDING).limit(limit)
        return [user_from_doc(d) for d in cursor]

    def update(
        self,
        user_id: str,
        *,
        display_name: str | None = None,
        role: str | None = None,
        suspended: bool | None = None,
        password_hash: str | None = None,
    ) -> User | None:
        oid = parse_oid(user_id)
        if oid is None:
            return None
        changes: dict[str, Any] = {}
        if display_name is not None:
            changes["displayName"] = display_name
            changes["displayNameLower"] = display_name.lower()
        if role is not None:
            changes["role"] = role
        if suspended is not None:
            changes["suspended"] = suspended
        if password_hash is not None:
            changes["passwordHash"] = password_hash
        if not changes:
            return self.get(user_id)
        doc = self._users.find_one_and_update(
            {"_id": oid}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
        return user_from_doc(doc) if doc else None

    def record_last_seen(self, seen: Mapping[str, datetime]) -> None:
        """One ``$max`` update per distinct instant (the users of a process that died all go
        offline at the same instant): atomic per document, so a retried or concurrent recording
        never moves an instant backwards."""
        by_instant: dict[datetime, list[ObjectId]] = {}
        for user_id, when in seen.items():
            oid = parse_oid(user_id)
            if oid is not None:
                by_instant.setdefault(to_bson_dt(when), []).append(oid)
        for when, oids in by_instant.items():
            self._users.update_many({"_id": {"$in": oids}}, {"$max": {"lastSeenAt": when}})

    def count(self) -> int:
        return self._users.count_documents({})

    def count_suspended(self) -> int:
        return self._users.count_documents({"suspended": True})


class MongoTokenRepository(TokenRepository):
    """Revocations expire by themselves through the TTL index on ``expiresAt``;
    ``purge_expired`` does the same on demand (the TTL monitor runs about once a minute)."""

    def __init__(self, db: SessionDatabase) -> None:
        self._tokens = db[ix.REVOKED_TOKENS]
        self._logins = db[ix.LOGINS]

    def revoke(self, jti: str, expires_at: datetime) -> None:
        with suppress(DuplicateKeyError):  # a concurrent revoke of the same token won the upsert
            self._tokens.update_one(
                {"jti": jti},
                {"$setOnInsert": {"jti": jti, "expiresAt": to_bson_dt(expires_at)}},
                upsert=True,
            )

    def revoke_once(self, jti: str, expires_at: datetime) -> bool:
        try:
            self._tokens.insert_one({"jti": jti, "expiresAt": to_bson_dt(expires_at)})
        except DuplicateKeyError:
            return False
        return True

    def is_revoked(self, jti: str) -> bool:
        return self._tokens.find_one({"jti": jti}, {"_id": 1}) is not None

    def any_revoked(self, jtis: list[str]) -> bool:
        return bool(jtis) and self._tokens.find_one({"jti": {"$in": jtis}}, {"_id": 1}) is not None

    def record_login(self, login_id: str, user_id: str, expires_at: datetime) -> None:
        with suppress(DuplicateKeyError):  # a concurrent upsert of the same login won
            self._logins.update_one(
                {"_id": login_id},
                {"$set": {"userId": user_id}, "$max": {"expiresAt": to_bson_dt(expires_at)}},
                upsert=True,
            )

    def active_logins(self, user_id: str, now: datetime) -> list[str]:
        cursor = self._logins.find(
            {"userId": user_id, "expiresAt": {"$gt": to_bson_dt(now)}}, {"_id": 1}
        )
        return [doc["_id"] for doc in cursor]

    def purge_expired(self, now: datetime) -> int:
        expired = {"expiresAt": {"$lte": to_bson_dt(now)}}
        return (
            self._tokens.delete_many(expired).deleted_count
            + self._logins.delete_many(expired).deleted_count
        )
