"""The OpenAPI 3.1 document, generated from the endpoints' pydantic models, and Swagger UI."""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, jsonify, render_template, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from lnk.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    LnkError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from lnk.web.api.routing import OPERATIONS, TAGS, Operation
from lnk.web.api.schemas import ProblemOut
from lnk.workers import Overloaded

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
ERRORS: dict[int, type[LnkError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    429: RateLimited,
    503: Overloaded,
}
ERROR_MEANING = {
    400: "The body is not valid JSON.",
    401: "No valid token (missing, expired, revoked or of the wrong type).",
    403: "Not allowed (a suspended account, or a rule of the operation).",
    404: "No such resource, or one the caller may not see.",
    409: "Conflicts with the current state.",
    413: "The body is too large.",
    415: "The body is not of a media type this operation takes.",
    416: "The range cannot be satisfied.",
    422: "The request is not valid; ``errors`` names the fields.",
    429: "Rate limited; retry after ``Retry-After`` seconds.",
    503: "``overloaded`` (the worker pool is full) or ``unavailable`` (storage cannot serve "
    "for now: disk full, I/O error, database busy or unreachable; nothing was changed); retry "
    "after ``Retry-After`` seconds.",
}
SUCCESS = {200: "OK", 201: "Created", 204: "No Content", 206: "Partial Content"}
INFO = {
    "title": "LNK messaging API",
    "version": "1.0.0",
    "description": "Realtime chat of the LNK service marketplace. Errors are RFC 9457 problem "
    "details (`application/problem+json`) with a machine-readable `code`; lists are "
    "cursor-paginated. JSON bodies are `application/json`, validated strictly: a number field "
    "takes a JSON number and a boolean field a JSON boolean. The realtime events of the "
    "`/messaging` Socket.IO namespace are described by the AsyncAPI document at `/asyncapi.json`.",
    "license": {"name": "Proprietary", "identifier": "LicenseRef-Proprietary"},
}


def _path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


@cache
def build_spec() -> dict:
    """The document without ``servers`` (which names the host the request came to)."""
    models: list[tuple[type[BaseModel], str]] = [(ProblemOut, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.path), {})[op.method] = _operation(op, refs)
    used = {op.tag for op in OPERATIONS}
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "tags": [
            {"name": name, "description": text} for name, text in TAGS.items() if name in used
        ],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _operation(op: Operation, refs: dict) -> dict:
    out: dict = {"summary": op.summary, "tags": [op.tag]}
    if op.operation_id:
        out["operationId"] = op.operation_id
    if op.description:
        out["description"] = op.description
    out["security"] = [{"bearer": []}] if op.bearer else []
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9a-f]{24}$"}
            if converter == "oid:"
            else {"type": "string"},
        }
        for converter, name in re.findall(r"<(\w+:)?(\w+)>", op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            described = [prop, *prop.get("anyOf", [])]
            text = next((p["description"] for p in described if "description" in p), None)
            if text:
                param["description"] = text
            params.append(param)
    if params:
        out["parameters"] = params
    if op.body is not None:
        body = op.body.model_json_schema()  # an empty body reads as {}: is that enough?
        out["requestBody"] = {
            "required": bool(body.get("required") or body.get("not")),
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.multipart is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": op.multipart}},
        }
    out["responses"] = {**_successes(op, refs), **_problems(op, refs)}
    return out


def _successes(op: Operation, refs: dict) -> dict:
    statuses = {op.status: SUCCESS.get(op.status, "OK"), **(op.also or {})}
    responses: dict = {}
    for status, description in sorted(statuses.items()):
        response: dict = {"description": description}
        if status in (204, 304):
            pass
        elif op.binary:
            binary = {"type": "string", "format": "binary"}
            response["content"] = {media: {"schema": binary} for media in op.binary}
        elif op.response is not None:
            schema = refs[(op.response, "serialization")]
            response["content"] = {"application/json": {"schema": schema}}
        responses[str(status)] = response
    return responses


def _problems(op: Operation, refs: dict) -> dict:
    codes = set(op.errors) | {503}  # every operation may find storage unavailable
    if op.auth:
        codes |= {401, 403}
    if op.body is not None:
        codes |= {400, 413, 415, 422}
    if op.query is not None:
        codes.add(422)
    if op.limit:
        codes.add(429)
    problem = {"application/problem+json": {"schema": refs[(ProblemOut, "serialization")]}}
    responses: dict = {}
    for code in sorted(codes):
        response: dict = {"description": ERROR_MEANING[code]}
        if code != 416:  # the range error of a download is bodiless
            response["content"] = problem
        if code in (429, 503):
            response["headers"] = {
                "Retry-After": {
                    "description": "seconds to wait",
                    "schema": {"type": "integer", "minimum": 1},
                }
            }
        responses[str(code)] = response
    return responses


def spec_for_request() -> dict:
    return {**build_spec(), "servers": [{"url": request.host_url.rstrip("/")}]}


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(spec_for_request())


@bp.get("/docs")
def docs():
    return render_template("docs.html")
