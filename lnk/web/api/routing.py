"""Declaring API endpoints once: validation, authentication, rate limits and OpenAPI metadata.

pydantic validates every body and query; the same models produce the OpenAPI document
(``openapi.py``). We keep this small layer instead of flask-openapi3 because that library
regenerates each query model's JSON schema on every request (~0.4 ms here, an eighth of our
page budget).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ValidationError

from lnk.errors import BadRequest, PayloadTooLarge, ValidationFailed
from lnk.extensions import limiter
from lnk.web.context import require_user


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    status: int
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    auth: bool = True
    errors: tuple[int, ...] = ()
    description: str | None = None
    multipart: dict | None = None
    binary: bool = False


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


def json_body() -> Any:
    """The request's JSON (an empty body reads as ``{}``); 400 if malformed, 413 if too big."""
    limit = current_app.config["LNK_MAX_JSON_BYTES"]
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes")
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:  # also UnicodeDecodeError
        raise BadRequest("the body is not valid JSON") from None


def endpoint(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    status: int = 200,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    auth: bool = True,
    limit: str | None = None,
    errors: tuple[int, ...] = (),
    multipart: dict | None = None,
    binary: bool = False,
) -> Callable:
    """Registers ``fn`` at ``rule``. The view receives the path arguments, ``user`` (when
    ``auth``), and the validated ``body`` and ``query`` models."""

    def decorator(fn: Callable) -> Callable:
        def handle(kwargs: dict[str, Any]) -> Any:
            if query is not None:
                kwargs["query"] = parse(query, request.args.to_dict())
            if body is not None:
                data = json_body()
                if not isinstance(data, dict):
                    raise ValidationFailed(
                        "the body must be a JSON object", errors={"body": ["must be a JSON object"]}
                    )
                kwargs["body"] = parse(body, data)
            return fn(**kwargs)

        # The limit is checked after authentication, so that it counts per user, not per address.
        # Flask-Limiter scopes a limit by the function's module and name: give it the view's.
        handle.__module__, handle.__name__ = fn.__module__, fn.__name__
        handle.__qualname__ = fn.__qualname__
        limited = limiter.limit(limit)(handle) if limit else handle

        @wraps(fn)
        def view(**path_args: Any) -> Any:
            kwargs = dict(path_args)
            if auth:
                kwargs["user"] = require_user()
            if current_app.config["RATELIMIT_ENABLED"]:
                return limited(kwargs)
            return handle(kwargs)

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(
                method=method.lower(),
                path=(bp.url_prefix or "") + rule,
                summary=summary,
                tag=tag,
                status=status,
                body=body,
                query=query,
                response=response,
                auth=auth,
                errors=errors,
                description=(fn.__doc__ or "").strip() or None,
                multipart=multipart,
                binary=binary,
            )
        )
        return fn

    return decorator
