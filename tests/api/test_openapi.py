"""The OpenAPI document: valid, complete (every /api route has a stable id, a tag, its security
and every status it answers with), and as strict as the server."""

from __future__ import annotations

import re

import jsonschema
import pytest
from openapi_spec_validator import validate

from lnk.domain.names import NAME_PATTERN, name_pattern_from_unicode, refused_characters
from lnk.services.context import Rules

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operation(spec: dict, method: str, path: str) -> dict:
    return spec["paths"][path][method]


def api_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes += [(method.lower(), path) for method in rule.methods - SKIPPED_METHODS]
    return routes


def test_the_document_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_api_route_has_a_camel_case_operation_id_and_a_declared_tag(app, spec):
    declared_tags = {tag["name"] for tag in spec["tags"]}
    problems, seen = [], {}
    for method, path in api_routes(app):
        op = spec["paths"].get(path, {}).get(method)
        where = f"{method.upper()} {path}"
        if op is None:
            problems.append(f"{where}: not in /openapi.json (declare it with routing.endpoint)")
            continue
        op_id = op.get("operationId")
        if not op_id or not CAMEL_CASE.match(op_id):
            problems.append(f"{where}: give it operation_id='camelCaseName' next to the route")
        elif op_id in seen:
            problems.append(f"{where}: operationId {op_id!r} is also {seen[op_id]}")
        else:
            seen[op_id] = where
        if len(op.get("tags", [])) != 1 or op["tags"][0] not in declared_tags:
            problems.append(f"{where}: tag must be one of routing.TAGS, got {op.get('tags')}")
        if "security" not in op:
            problems.append(f"{where}: no security declared")
    assert not problems, "\n".join(problems)
    assert len(seen) >= 40


def test_operation_ids_are_the_stable_names(spec):
    assert operation(spec, "post", "/api/conversations/{id}/messages")["operationId"] == (
        "sendMessage"
    )
    assert operation(spec, "get", "/api/conversations/{id}/messages")["operationId"] == (
        "listMessages"
    )
    assert operation(spec, "post", "/api/auth/register")["operationId"] == "register"
    assert operation(spec, "get", "/api/files/{id}")["operationId"] == "downloadFile"


def test_security_per_operation_and_servers(spec):
    assert spec["servers"] == [{"url": "http://localhost"}]
    for path in ("/api/auth/register", "/api/auth/login"):
        assert operation(spec, "post", path)["security"] == []
    for path in ("/api/auth/refresh", "/api/auth/logout"):
        op = operation(spec, "post", path)
        assert op["security"] == [{"bearer": []}]
        assert "401" in op["responses"]
    assert operation(spec, "get", "/api/users/me")["security"] == [{"bearer": []}]


def test_every_success_status_is_documented(spec):
    for path in ("/api/conversations/{id}/messages", "/api/conversations/{id}/messages/location"):
        responses = operation(spec, "post", path)["responses"]
        assert {"200", "201"} <= set(responses)
        assert "clientId" in responses["200"]["description"]
        assert responses["200"]["content"] == responses["201"]["content"]
    responses = operation(spec, "post", "/api/conversations")["responses"]
    assert {"200", "201"} <= set(responses)
    assert operation(spec, "delete", "/api/messages/{id}")["responses"]["204"] == {
        "description": "No Content"
    }
    assert {"200", "206", "304", "416"} <= set(
        operation(spec, "get", "/api/files/{id}")["responses"]
    )


def test_file_downloads_are_typed_binary(spec):
    content = operation(spec, "get", "/api/files/{id}")["responses"]["200"]["content"]
    assert "*/*" not in content
    assert {"image/*", "application/*", "text/plain"} <= set(content)
    assert all(m["schema"] == {"type": "string", "format": "binary"} for m in content.values())
    thumb = operation(spec, "get", "/api/files/{id}/thumbnail")["responses"]["200"]["content"]
    assert set(thumb) == {"image/png", "image/jpeg"}


def test_timestamps_are_date_times(spec):
    schemas = spec["components"]["schemas"]
    created = schemas["MessageOut"]["properties"]["createdAt"]
    assert (created["type"], created["format"]) == ("string", "date-time")
    edited = schemas["MessageOut"]["properties"]["editedAt"]["anyOf"]
    assert {"type": "string", "format": "date-time"} in edited
    assert schemas["ConversationOut"]["properties"]["updatedAt"]["format"] == "date-time"


def test_optional_bodies_are_not_required(spec):
    for method, path in [
        ("put", "/api/conversations/{id}"),
        ("post", "/api/conversations/{id}/messages/bulk-mark-read"),
        ("post", "/api/auth/logout"),
    ]:
        assert operation(spec, method, path)["requestBody"]["required"] is False, path
    assert operation(spec, "post", "/api/conversations/{id}/messages")["requestBody"]["required"]


def test_schemas_match_the_server_rules(spec):
    schemas = spec["components"]["schemas"]
    send = schemas["SendMessageBody"]
    assert send["properties"]["content"]["anyOf"][0]["maxLength"] == 4000
    assert schemas["EditMessageBody"]["properties"]["content"]["maxLength"] == 4000
    at_least_one = jsonschema.Draft202012Validator({**send, "components": spec["components"]})
    for body in (
        {"content": "hi"},
        {"attachmentIds": ["a" * 24]},
        {"content": " ", "attachmentIds": ["a" * 24], "clientId": "c"},
    ):
        assert at_least_one.is_valid(body), body
    for body in ({}, {"content": "  "}, {"content": None, "attachmentIds": []}, {"clientId": "x"}):
        assert not at_least_one.is_valid(body), body
    assert "emoji" in schemas["ReactionBody"]["properties"]["emoji"]["description"]
    ids = schemas["BulkReadBody"]["properties"]["messageIds"]["anyOf"][0]
    assert ids["maxItems"] == Rules.max_read_ids
    upload = operation(spec, "post", "/api/upload/chat-files")["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["files"]["minItems"] == 1
    cursor = {p["name"]: p for p in operation(spec, "get", "/api/conversations")["parameters"]}[
        "cursor"
    ]
    assert "422" in cursor["description"]
    client_id = send["properties"]["clientId"]["anyOf"][0]
    assert "409" in client_id["description"] and "conversation" in client_id["description"]


def test_errors_are_documented_as_problems(spec):
    responses = operation(spec, "post", "/api/conversations/{id}/messages")["responses"]
    assert {"400", "401", "403", "404", "413", "415", "422", "429"} <= set(responses)
    assert "application/problem+json" in responses["422"]["content"]
    assert "Retry-After" in responses["429"]["headers"]


def test_name_fields_document_the_characters_names_refuse(spec):
    assert name_pattern_from_unicode() == NAME_PATTERN  # the domain rule, for this Unicode
    schemas = spec["components"]["schemas"]
    for model, field in [
        ("RegisterBody", "displayName"),
        ("CreateConversationBody", "title"),
        ("LocationBody", "address"),
        ("PackageBody", "title"),
    ]:
        prop = schemas[model]["properties"][field]
        prop = prop.get("anyOf", [prop])[0]
        assert prop["pattern"] == NAME_PATTERN, (model, field)
    name = re.compile(NAME_PATTERN)
    for text in (
        "Bob",
        "Zoë 👩‍💻",
        "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    ):
        assert name.match(text) and not refused_characters(text)
    for text in ("a\u202eb", "line\nbreak", "zero\u200bwidth"):
        assert not name.match(text) and refused_characters(text)
