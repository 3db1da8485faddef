"""The OpenAPI 3.1 document, generated from the endpoints' pydantic models, and Swagger UI."""

from __future__ import annotations

import re
from functools import cache

from flask import Blueprint, jsonify, render_template
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from lnk.errors import (
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
from lnk.web.api.routing import OPERATIONS, Operation
from lnk.web.api.schemas import ProblemOut

bp = Blueprint("openapi", __name__)

REF = "#/components/schemas/{model}"
ERRORS: dict[int, type[LnkError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    429: RateLimited,
}


def _path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _schema_ref(model: object, refs: dict) -> dict:
    return refs[(model, "validation" if model in _INPUTS else "serialization")]


_INPUTS: set = set()


@cache
def build_spec() -> dict:
    models: list[tuple[type[BaseModel], str]] = [(ProblemOut, "serialization")]
    for op in OPERATIONS:
        if op.body is not None:
            models.append((op.body, "validation"))
            _INPUTS.add(op.body)
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, top = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.path), {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LNK messaging API",
            "version": "1.0.0",
            "description": "Realtime chat of the LNK service marketplace. Errors are RFC 9457 "
            "problem details; lists are cursor-paginated.",
        },
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def _operation(op: Operation, refs: dict) -> dict:
    out: dict = {"summary": op.summary, "tags": [op.tag], "operationId": f"{op.method}_{op.path}"}
    if op.description:
        out["description"] = op.description
    if op.auth:
        out["security"] = [{"bearer": []}]
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        }
        for name in re.findall(r"<(?:\w+:)?(\w+)>", op.path)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(op.body, refs)}},
        }
    if op.multipart is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": op.multipart}},
        }
    responses: dict = {}
    if op.status == 204:
        responses["204"] = {"description": "No Content"}
    elif op.binary:
        responses[str(op.status)] = {
            "description": "The file's bytes",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        content = (
            {"application/json": {"schema": _schema_ref(op.response, refs)}}
            if op.response is not None
            else {}
        )
        responses[str(op.status)] = {"description": "OK", "content": content}
    codes = set(op.errors) | {400, 413, 429} | ({401, 403} if op.auth else set())
    if op.body is not None or op.query is not None:
        codes.add(422)
    problem = {"application/problem+json": {"schema": refs[(ProblemOut, "serialization")]}}
    for code in sorted(codes):
        responses[str(code)] = {
            "description": ERRORS[code].title if code in ERRORS else "Bad Request",
            "content": problem,
        }
    out["responses"] = responses
    return out


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())


@bp.get("/docs")
def docs():
    return render_template("docs.html")
