"""Declaring API endpoints once: validation, authentication, rate limits and OpenAPI metadata.

pydantic validates every body and query; the same models produce the OpenAPI document
(``openapi.py``). Every route declares, next to itself, a stable camelCase ``operation_id``, the
``tag`` of its section (one of ``TAGS``) and every status it can answer with; the OpenAPI tests
fail for a route under /api that lacks them.

JSON bodies are validated in strict mode: a number field takes a JSON number, a boolean field
true or false, never a string or a number standing in for them.

We keep this small layer instead of flask-openapi3 because that library regenerates each query
model's JSON schema on every request (~0.4 ms here, an eighth of our page budget).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.routing import BaseConverter

from lnk.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from lnk.extensions import limiter
from lnk.web.context import require_user

# The sections of the API: an operation's tag must be one of these (described in OpenAPI).
TAGS: dict[str, str] = {
    "auth": "Accounts and tokens: register, log in, refresh, log out.",
    "users": "The signed-in user and the user directory.",
    "conversations": "Direct and group conversations, per-user archive, mute and unread count.",
    "messages": "Sending, history, edits, deletes, reads, reactions and search.",
    "marketplace": "Service packages, offers and booking requests in conversations, bookings.",
    "files": "Uploading chat files and downloading them.",
    "notifications": "Email and Web Push notification settings, the VAPID key, push subscriptions.",
    "safety": "Reporting messages and users to the moderators, and blocking users.",
}


class ObjectIdConverter(BaseConverter):
    """``<oid:name>``: a 24-hex id (what every id in the API looks like). A path parameter
    without a converter gets this one, so ``/messages/search`` can never match
    ``/messages/<id>`` and the OpenAPI pattern of a path id is what the router matches."""

    regex = "[0-9a-f]{24}"


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    status: int
    operation_id: str | None = None
    # Other success statuses of the same response body, with what they mean.
    also: dict[int, str] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    auth: bool = True
    errors: tuple[int, ...] = ()
    description: str | None = None
    multipart: dict | None = None
    binary: tuple[str, ...] = ()
    # A Bearer token is expected even where the view checks it itself (refresh, logout).
    bearer: bool = True
    limit: str | None = None


OPERATIONS: list[Operation] = []


def validation_errors(error: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or prefix or "body"
        errors.setdefault(name, []).append(item["msg"])
    return errors


def parse(model: type[BaseModel], data: Any) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(
            "the request is not valid", errors=validation_errors(error)
        ) from None


def is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


def raw_json_body() -> bytes:
    """The request's JSON text (an empty body reads as ``{}``): 413 if too big, 415 if a body
    comes with another media type."""
    limit = current_app.config["LNK_MAX_JSON_BYTES"]
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes")
    if not raw.strip():
        return b"{}"
    if not is_json_type(request.mimetype):
        raise UnsupportedMediaType("send the body as application/json")
    return raw


def parse_json_body(model: type[BaseModel]) -> BaseModel:
    """The body validated strictly against ``model``: 400 if not JSON, 422 if not an object or
    not valid (a number field takes a JSON number, a boolean field a JSON boolean)."""
    raw = raw_json_body()
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        kinds = {item["type"] for item in error.errors()}
        if "json_invalid" in kinds:
            raise BadRequest("the body is not valid JSON") from None
        if "model_type" in kinds and not raw.lstrip().startswith(b"{"):
            raise ValidationFailed(
                "the body must be a JSON object", errors={"body": ["must be a JSON object"]}
            ) from None
        raise ValidationFailed(
            "the request is not valid", errors=validation_errors(error)
        ) from None


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    operation_id: str | None = None,
    status: int = 200,
    also: dict[int, str] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    auth: bool = True,
    limit: str | Callable | None = None,
    errors: tuple[int, ...] = (),
    multipart: dict | None = None,
    binary: tuple[str, ...] = (),
    bearer: bool | None = None,
) -> Callable:
    """Registers ``fn`` at ``rule``. The view receives the path arguments, ``user`` (when
    ``auth``), and the validated ``body`` and ``query`` models.

    ``operation_id`` is the operation's stable camelCase name in OpenAPI (generated clients name
    their functions after it); ``status`` the usual success status and ``also`` the other ones
    with the same body; ``errors`` the problem statuses beyond the ones every operation has;
    ``binary`` the media types of a file response; ``bearer`` says that a Bearer token is
    expected where the view checks it itself (default: ``auth``)."""

    def decorator(fn: Callable) -> Callable:
        def handle(kwargs: dict[str, Any]) -> Any:
            if query is not None:
                kwargs["query"] = parse(query, request.args.to_dict())
            if body is not None:
                kwargs["body"] = parse_json_body(body)
            return fn(**kwargs)

        # The limit is checked after authentication, so that it counts per user, not per address.
        # Flask-Limiter scopes a limit by the function's module and name: give it the view's.
        handle.__module__, handle.__name__ = fn.__module__, fn.__name__
        handle.__qualname__ = fn.__qualname__
        if isinstance(limit, str):
            limited = limiter.limit(limit)(handle)
        else:  # a shared bucket (``lnk.web.limits``) or none
            limited = limit(handle) if limit else handle

        @wraps(fn)
        def view(**path_args: Any) -> Any:
            kwargs = dict(path_args)
            if auth:
                kwargs["user"] = require_user()
            if current_app.config["RATELIMIT_ENABLED"]:
                return limited(kwargs)
            return handle(kwargs)

        routed = re.sub(r"<(\w+)>", r"<oid:\1>", rule)
        bp.add_url_rule(routed, endpoint=fn.__name__, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(
                method=method.lower(),
                path=(bp.url_prefix or "") + routed,
                summary=summary,
                tag=tag,
                status=status,
                operation_id=operation_id,
                also=also,
                body=body,
                query=query,
                response=response,
                auth=auth,
                errors=errors,
                description=(fn.__doc__ or "").strip() or None,
                multipart=multipart,
                binary=binary,
                bearer=auth if bearer is None else bearer,
                limit=limit,
            )
        )
        return fn

    return decorator
