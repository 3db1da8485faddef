"""Sending Web Push messages (RFC 8030) with pywebpush: aes128gcm payload encryption (RFC 8291)
and a VAPID signature (RFC 8292). A 404 or 410 from the push service means the subscription is
gone for good; 429 and 5xx are worth another try."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from lnk.domain.notifications import PushSubscription

log = logging.getLogger(__name__)

TIMEOUT_S = 15.0
TTL_S = 24 * 3600


@dataclass
class PushResult:
    delivered: int = 0
    gone: list[str] | None = None  # endpoints the push service no longer knows
    temporary_error: str | None = None
    permanent_error: str | None = None


class WebPushSender:
    def __init__(self, vapid: Vapid02, subject: str) -> None:
        self.vapid = vapid
        self.subject = subject
        self.session = requests.Session()

    def send(self, subscriptions: list[PushSubscription], payload: str) -> PushResult:
        result = PushResult(gone=[])
        for sub in subscriptions:
            info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
            try:
                webpush(
                    info,
                    data=payload,
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.subject},  # pywebpush adds aud and exp
                    content_encoding="aes128gcm",
                    timeout=TIMEOUT_S,
                    ttl=TTL_S,
                    requests_session=self.session,
                )
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status in (404, 410):
                    result.gone.append(sub.endpoint)
                elif status is None or status == 429 or status >= 500:
                    result.temporary_error = f"push service: {status or exc}"
                else:
                    result.permanent_error = f"push service refused: {status}"
            except (requests.RequestException, OSError) as exc:
                result.temporary_error = f"push service unreachable: {exc!r}"
            except ValueError as exc:  # malformed subscription keys
                log.warning("push subscription %s has bad keys: %s", sub.id, exc)
                result.gone.append(sub.endpoint)
            else:
                result.delivered += 1
        return result
