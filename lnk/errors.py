"""LnkError and its subclasses: the only failures services raise.

Three translators turn them into a response: problem+json (API), an HTML error page (pages) and a
socket acknowledgement ``{ok: false, error: {code, message}}``.
"""

from __future__ import annotations


class LnkError(Exception):
    code = "bad_request"
    status = 400
    # True for a refusal that still keeps what its unit of work wrote before it (e.g. an
    # answer to an offer found past due stores the expiry, then refuses the answer).
    keeps_writes = False
    title = "Bad Request"

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        self.errors = errors
        self.headers = headers or {}

    def to_ack(self) -> dict:
        return {"ok": False, "error": {"code": self.code, "message": self.message}}


class BadRequest(LnkError):
    pass


class ValidationFailed(LnkError):
    code, status, title = "validation_error", 422, "Unprocessable Content"

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(f"{name}: {message}", errors={name: [message]})


class Unauthorized(LnkError):
    code, status, title = "unauthorized", 401, "Unauthorized"


class Forbidden(LnkError):
    code, status, title = "forbidden", 403, "Forbidden"


class Blocked(Forbidden):
    """One of the two people blocked the other: no direct conversation or send between them."""

    code = "blocked"


class EditWindowExpired(Forbidden):
    code = "edit_window_expired"


class NotFound(LnkError):
    code, status, title = "not_found", 404, "Not Found"


class Conflict(LnkError):
    code, status, title = "conflict", 409, "Conflict"


class PayloadTooLarge(LnkError):
    code, status, title = "payload_too_large", 413, "Payload Too Large"


class QuotaExceeded(PayloadTooLarge):
    code = "quota_exceeded"


class UnsupportedMediaType(LnkError):
    code, status, title = "unsupported_media_type", 415, "Unsupported Media Type"


class RateLimited(LnkError):
    code, status, title = "rate_limited", 429, "Too Many Requests"


class Unavailable(LnkError):
    """Storage (or another dependency) cannot serve the request right now; retry later."""

    code, status, title = "unavailable", 503, "Service Unavailable"

    def __init__(self, message: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(
            message or "the service is temporarily unavailable; retry shortly",
            headers={"Retry-After": str(retry_after)},
        )
