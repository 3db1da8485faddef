"""Rate limits shared by the API and the pages, and the per-account login backoff.

A person reaches the same action through ``/api/...`` and through the pages' ``POST`` routes:
both count against one bucket (``shared_limit`` scopes), per user once signed in, per client
address before (``LNK_TRUSTED_PROXIES`` makes that the real client behind a proxy).

Repeated failed logins for one account make it wait, in steps, whatever address they come from:
5 failures within a minute, 10 within 15 minutes, 20 within an hour, 50 within a day. A success
clears the count. The counts live in Redis with ``REDIS_URL`` (shared by every process), else in
memory.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from limits import parse_many, storage, strategies

from lnk.errors import RateLimited
from lnk.extensions import limiter


def address_key() -> str:
    return f"addr:{request.remote_addr or 'unknown'}"


LOGIN = limiter.shared_limit("20/minute", scope="login", key_func=address_key, methods=["POST"])
REGISTER = limiter.shared_limit(
    "20/minute", scope="register", key_func=address_key, methods=["POST"]
)
SEND = limiter.shared_limit("300/minute", scope="send")
CREATE_CONVERSATION = limiter.shared_limit("30/minute", scope="conversation-create")
SEARCH = limiter.shared_limit("60/minute", scope="search")  # message search
USER_SEARCH = limiter.shared_limit("300/minute", scope="user-search")  # typed key by key
PASSWORD = limiter.shared_limit("10/minute", scope="password")
REPORT = limiter.shared_limit("30/minute", scope="report")  # reports and blocks
EXPORT = limiter.shared_limit("10/minute", scope="transcript-export")
# Page actions that the API leaves unlimited (edits, reactions, reads, settings): a ceiling.
ACTIONS = limiter.shared_limit("600/minute", scope="page-actions")

LOGIN_FAILURE_STEPS = "5/minute;10/15 minutes;20/hour;50/day"


class LoginBackoff:
    """Counts failed logins per account name; ``check`` refuses while a step is exhausted."""

    def __init__(self, enabled: bool, storage_uri: str | None) -> None:
        self.items = parse_many(LOGIN_FAILURE_STEPS)
        self._limiter: strategies.RateLimiter | None = None
        if enabled:
            backend = storage.storage_from_string(storage_uri or "memory://")
            self._limiter = strategies.MovingWindowRateLimiter(backend)

    @staticmethod
    def _account(username: str) -> str:
        return (username or "").strip().lower()[:64]

    def check(self, username: str) -> None:
        """Raises RateLimited (with Retry-After) while this account must wait."""
        if self._limiter is None:
            return
        account = self._account(username)
        waits = [
            self._limiter.get_window_stats(item, "login-failures", account).reset_time
            for item in self.items
            if not self._limiter.test(item, "login-failures", account)
        ]
        if waits:
            retry = max(1, int(max(waits) - time.time() + 0.999))
            raise RateLimited(
                f"too many failed logins for this account; retry in {retry} s",
                headers={"Retry-After": str(retry)},
            )

    def failed(self, username: str) -> None:
        if self._limiter is not None:
            account = self._account(username)
            for item in self.items:
                self._limiter.hit(item, "login-failures", account)

    def succeeded(self, username: str) -> None:
        if self._limiter is not None:
            account = self._account(username)
            for item in self.items:
                self._limiter.clear(item, "login-failures", account)


def login_backoff() -> LoginBackoff:
    return current_app.extensions["lnk_login_backoff"]


def init_limits(app: Flask, *, enabled: bool, storage_uri: str | None) -> None:
    app.extensions["lnk_login_backoff"] = LoginBackoff(enabled, storage_uri)


def authenticate(username: str, password: str):
    """``accounts.authenticate`` behind the account's backoff (API and login form alike)."""
    from lnk.errors import Unauthorized
    from lnk.services import accounts
    from lnk.web.context import ctx

    backoff = login_backoff()
    backoff.check(username)
    try:
        user = accounts.authenticate(ctx(), username, password)
    except Unauthorized:
        backoff.failed(username)
        raise
    backoff.succeeded(username)
    return user
