"""The flask commands and configuration from the environment."""

from __future__ import annotations

import pytest

from lnk.cli import DEMO_PASSWORD
from lnk.config import DEV_JWT_SECRET, Settings


def test_seed_demo_is_idempotent_and_logs_in(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "alice" in first.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    login = client.post("/api/auth/login", json={"username": "bob", "password": DEMO_PASSWORD})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.get_json()['accessToken']}"}
    items = client.get("/api/conversations", headers=headers).get_json()["items"]
    assert sorted(c["type"] for c in items) == ["direct", "group"]
    assert all(c["lastMessage"] for c in items)


def test_create_admin_creates_or_promotes(app, client, make_user):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root", "--password", "admin-password"])
    assert result.exit_code == 0, result.output
    login = client.post("/api/auth/login", json={"username": "root", "password": "admin-password"})
    assert login.get_json()["user"]["role"] == "admin"
    make_user("promoted")
    assert (
        runner.invoke(args=["create-admin", "promoted", "--password", "whatever1"]).exit_code == 0
    )
    assert app.extensions["lnk"].store.users.get_by_username("promoted").role == "admin"


def test_production_refuses_to_start_without_jwt_secret(monkeypatch):
    monkeypatch.setenv("LNK_ENV", "production")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="JWT_SECRET"):
        Settings.from_env()
    monkeypatch.setenv("JWT_SECRET", "s" * 40)
    settings = Settings.from_env()
    assert settings.jwt_secret == "s" * 40 and settings.cookie_secure is True


def test_environment_variables_of_the_contract(monkeypatch):
    for name, value in {
        "PORT": "4000",
        "SQLITE_PATH": "/tmp/x.db",
        "UPLOAD_DIR": "/tmp/up",
        "MONGODB_URI": "mongodb://db/lnk",
        "REDIS_URL": "redis://r:6379/0",
        "RATELIMIT_ENABLED": "false",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LNK_ENV", raising=False)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    s = Settings.from_env()
    assert (s.port, s.sqlite_path, s.upload_dir) == (4000, "/tmp/x.db", "/tmp/up")
    assert (s.mongodb_uri, s.redis_url, s.ratelimit_enabled) == (
        "mongodb://db/lnk",
        "redis://r:6379/0",
        False,
    )
    assert s.jwt_secret == DEV_JWT_SECRET
