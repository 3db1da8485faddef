"""Cross-cutting protections: CSRF on cookie-authenticated writes, rate limits, unknown fields,
error format of unknown routes, and the OpenAPI document and Swagger UI."""

from __future__ import annotations

import pytest
from flask_jwt_extended import decode_token

from lnk import create_app
from lnk.config import Settings


def test_cookie_authenticated_write_needs_the_csrf_header(app, client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    client.set_cookie("access_token_cookie", alice.access_token)
    with app.app_context():
        csrf_value = decode_token(alice.access_token)["csrf"]
    body = {"type": "direct", "participantIds": [bob.id]}
    assert client.get("/api/users/me").status_code == 200  # reads need no CSRF token
    refused = client.post("/api/conversations", json=body)
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    assert client.get("/api/conversations").get_json()["items"] == []
    accepted = client.post("/api/conversations", json=body, headers={"X-CSRF-TOKEN": csrf_value})
    assert accepted.status_code == 201


def test_rate_limit_answers_429_with_retry_after(tmp_path):
    app = create_app(
        Settings(
            env="testing",
            sqlite_path=str(tmp_path / "rl.sqlite3"),
            upload_dir=str(tmp_path / "up"),
            ratelimit_enabled=True,
        )
    )
    client = app.test_client()
    statuses = [
        client.post(
            "/api/auth/login", json={"username": f"nobody{i}", "password": "x" * 8}
        ).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429
    limited = client.post("/api/auth/login", json={"username": "nobody", "password": "x" * 8})
    assert limited.get_json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_unknown_fields_are_ignored(client, make_user):
    alice, bob = make_user("alice"), make_user("bob")
    response = client.post(
        "/api/conversations",
        headers=alice.headers,
        json={"type": "direct", "participantIds": [bob.id], "color": "red"},
    )
    assert response.status_code == 201 and "color" not in response.get_json()


@pytest.mark.parametrize("method, path", [("get", "/api/nope"), ("delete", "/api/users/me")])
def test_unknown_routes_and_methods_are_problems(client, make_user, method, path):
    user = make_user()
    response = getattr(client, method)(path, headers=user.headers)
    assert response.status_code in (404, 405)
    assert response.content_type == "application/problem+json"


def test_openapi_documents_every_contract_route(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    expected = {
        "/api/auth/register": {"post"},
        "/api/auth/login": {"post"},
        "/api/auth/refresh": {"post"},
        "/api/auth/logout": {"post"},
        "/api/users/me": {"get"},
        "/api/users": {"get"},
        "/api/users/{id}": {"get"},
        "/api/conversations": {"get", "post"},
        "/api/conversations/{id}": {"get", "put", "delete"},
        "/api/conversations/{id}/archive": {"put"},
        "/api/conversations/{id}/unarchive": {"put"},
        "/api/conversations/{id}/unread-count": {"get"},
        "/api/conversations/{id}/messages": {"get", "post"},
        "/api/conversations/{id}/messages/location": {"post"},
        "/api/conversations/{id}/messages/bulk-mark-read": {"post"},
        "/api/messages/search": {"get"},
        "/api/messages/{id}": {"get", "put", "delete"},
        "/api/messages/{id}/for-me": {"delete"},
        "/api/messages/{id}/read": {"post"},
        "/api/messages/{id}/reaction": {"post", "delete"},
        "/api/messages/{id}/reads": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    send = paths["/api/conversations/{id}/messages"]["post"]
    body_ref = send["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body_schema = spec["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert {"content", "attachmentIds", "replyToId", "clientId"} <= set(body_schema["properties"])
    assert "422" in send["responses"] and "201" in send["responses"]


def test_swagger_ui_is_served_without_external_hosts(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "swagger-ui-bundle.js" in html and "http://" not in html and "https://" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
