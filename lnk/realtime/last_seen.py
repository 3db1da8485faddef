"""Recording "last seen" from the realtime upkeep (the rule is ``lnk.services.last_seen``).

The users announced offline in one tick are stored in one write after their announcements, so
no announcement waits on storage and a process that reaps a dead one (hundreds of users at the
same instant) writes once. When storage is temporarily unavailable the instants are kept
(bounded) and written again a few seconds later.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lnk.services import last_seen
from lnk.services.context import ServiceContext
from lnk.store.failures import as_unavailable

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
MAX_OWED = 10_000  # users kept for a retry while storage is away; the oldest instants go first


class LastSeenRecorder:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._owed: dict[str, datetime] = {}
        self._retry_at = 0.0

    def add(self, user_id: str, when: float) -> None:
        """``when``: a UNIX time, as the presence registries give it."""
        self._keep(user_id, datetime.fromtimestamp(when, UTC))

    def _keep(self, user_id: str, instant: datetime) -> None:
        if user_id not in self._owed or self._owed[user_id] < instant:
            self._owed[user_id] = instant

    def flush(self, now: float) -> None:
        if not self._owed or now < self._retry_at:
            return
        owed, self._owed = self._owed, {}
        try:
            last_seen.record(self.ctx, owed)
        except Exception as exc:
            if as_unavailable(exc) is None:
                log.exception("recording last seen failed; %d users not recorded", len(owed))
                return
            log.warning("storage unavailable, last seen of %d users kept: %s", len(owed), exc)
            for user_id, instant in owed.items():
                self._keep(user_id, instant)
            if len(self._owed) > MAX_OWED:
                newest = sorted(self._owed.items(), key=lambda item: item[1])[-MAX_OWED:]
                self._owed = dict(newest)
            self._retry_at = now + RETRY_SECONDS
