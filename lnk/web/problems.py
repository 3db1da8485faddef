"""RFC 9457 problem+json: the API's only error format."""

from __future__ import annotations

import json

from flask import Response

from lnk.errors import LnkError

PROBLEM_TYPE = "application/problem+json"


def problem_body(error: LnkError) -> dict:
    body = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "detail": error.message,
        "code": error.code,
    }
    if error.errors:
        body["errors"] = error.errors
    return body


def problem_response(error: LnkError) -> Response:
    response = Response(json.dumps(problem_body(error)), status=error.status, mimetype=PROBLEM_TYPE)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response
