"""Translating failures: problem+json under /api, an HTML page elsewhere. Nothing becomes a bare
500 without being logged."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from lnk.errors import LnkError, NotFound, PayloadTooLarge, RateLimited
from lnk.store.failures import as_unavailable
from lnk.web.problems import problem_response

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/openapi.json"


def render_error(error: LnkError):
    if _wants_json():
        return problem_response(error)
    return render_template("error.html", error=error), error.status, error.headers


def register(app: Flask) -> None:
    @app.errorhandler(LnkError)
    def _lnk_error(error: LnkError):
        return render_error(error)

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(error: RateLimitExceeded):
        retry = 60
        limit = getattr(error, "limit", None)
        if limit is not None:
            retry = max(1, int(limit.limit.get_expiry()))
        return render_error(
            RateLimited(
                f"rate limit exceeded ({error.description})", headers={"Retry-After": str(retry)}
            )
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            lnk_error: LnkError = PayloadTooLarge("the request body is too large")
        elif status == 404:
            lnk_error = NotFound("no such resource")
        else:
            lnk_error = LnkError(error.description or error.name)
            lnk_error.status, lnk_error.title = status, error.name
            lnk_error.code = {405: "method_not_allowed", 400: "bad_request"}.get(
                status, "http_error"
            )
            if isinstance(error, MethodNotAllowed) and error.valid_methods:
                lnk_error.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return render_error(lnk_error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        unavailable = as_unavailable(error)
        if unavailable is not None:  # one line, no traceback: it is not a bug
            log.warning("%s %s: %s", request.method, request.path, unavailable.message)
            return render_error(unavailable)
        log.exception("unhandled error on %s %s", request.method, request.path)
        failure = LnkError("an unexpected error occurred; it has been logged")
        failure.status, failure.title, failure.code = 500, "Internal Server Error", "internal"
        return render_error(failure)
