"""The flask commands and configuration from the environment."""

from __future__ import annotations

import pytest

from lnk.cli import DEMO_PASSWORD
from lnk.config import Settings


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
    assert s.jwt_secret is None  # a key generated on first start (see the tests below)


def test_without_jwt_secret_a_private_random_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "instance" / "secret_key"
    first = Settings(secret_file=str(path)).signing_key()
    assert len(first) >= 32 and first != "lnk-development-secret-change-me-please-0123456789"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert Settings(secret_file=str(path)).signing_key() == first  # a restart keeps it
    other = Settings(secret_file=str(tmp_path / "elsewhere" / "secret_key")).signing_key()
    assert other != first  # each deployment gets its own
    assert Settings(jwt_secret="j" * 40, secret_file=str(path)).signing_key() == "j" * 40


def test_processes_starting_together_share_one_generated_key(tmp_path):
    """Several processes creating the key at the same moment all end up with the same one."""
    import subprocess
    import sys

    path = tmp_path / "instance" / "secret_key"
    script = (
        "import sys, time; from lnk.config import load_or_create_secret\n"
        "start = float(sys.argv[2])\n"
        "while time.time() < start: pass\n"
        "print(load_or_create_secret(sys.argv[1]))\n"
    )
    import time

    start = str(time.time() + 1.0)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), start], stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=30)[0].strip() for process in processes}
    assert len(keys) == 1 and len(keys.pop()) >= 32
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left over


def test_a_token_forged_with_the_old_development_key_is_refused(client, make_user):
    import jwt

    admin = make_user("boss")
    forged = jwt.encode(
        {
            "sub": admin.id,
            "type": "access",
            "jti": "forged",
            "fresh": False,
            "iat": 1,
            "nbf": 1,
            "exp": 4_000_000_000,
            "csrf": "x",
            "login": "any",
        },
        "lnk-development-secret-change-me-please-0123456789",
        algorithm="HS256",
    )
    answer = client.get("/api/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert answer.status_code == 401


def test_app_py_listens_on_loopback_unless_host_is_set(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    assert Settings.from_env().host == "127.0.0.1"
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert Settings.from_env().host == "0.0.0.0"
    from pathlib import Path

    procfile = (Path(__file__).resolve().parents[1] / "Procfile").read_text()
    assert "--bind 0.0.0.0:" in procfile  # a platform deployment binds every interface itself


@pytest.mark.slow
def test_a_server_started_without_host_is_reachable_only_on_loopback(tmp_path):
    """``python app.py`` with no HOST: the listening socket is bound to 127.0.0.1."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support.live_server import LiveServer

    with LiveServer(tmp_path, env={"HOST": None}) as server:
        wanted = f"0100007F:{server.port:04X}"
        listening = [
            line.split()[1]
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
            if line.split()[3] == "0A" and line.split()[1].endswith(f":{server.port:04X}")
        ]
        assert listening == [wanted]


def test_cors_origins_are_a_comma_separated_list_and_off_by_default(monkeypatch):
    monkeypatch.delenv("LNK_CORS_ORIGINS", raising=False)
    assert Settings.from_env().cors_origins == ()
    monkeypatch.setenv("LNK_CORS_ORIGINS", " https://a.example/ ,http://localhost:5173,, ")
    assert Settings.from_env().cors_origins == ("https://a.example", "http://localhost:5173")


def test_create_admin_promotes_without_asking_or_sets_the_given_password(app, client, make_user):
    runner = app.test_cli_runner()
    make_user("keeper", password="keeper-password")
    promoted = runner.invoke(args=["create-admin", "keeper"], input="")
    assert promoted.exit_code == 0, promoted.output
    assert "Password" not in promoted.output and "keeper is now an admin" in promoted.output
    kept = client.post(
        "/api/auth/login", json={"username": "keeper", "password": "keeper-password"}
    )
    assert kept.status_code == 200 and kept.get_json()["user"]["role"] == "admin"

    changed = runner.invoke(args=["create-admin", "keeper", "--password", "fresh-password"])
    assert changed.exit_code == 0 and "password changed" in changed.output
    login = client.post(
        "/api/auth/login", json={"username": "keeper", "password": "fresh-password"}
    )
    assert login.status_code == 200


def test_create_admin_states_the_password_rule(app):
    runner = app.test_cli_runner()
    asked = runner.invoke(args=["create-admin", "newroot"], input="short\nshort\n")
    assert "(must be 8-128 characters)" in asked.output  # in the prompt
    assert asked.exit_code != 0
    assert "password: must be 8-128 characters" in asked.output
    assert "invalid credentials format" not in asked.output
    assert app.extensions["lnk"].store.users.get_by_username("newroot") is None


def test_scripts_flask_creates_an_admin_without_an_activated_venv(tmp_path):
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "FLASK_APP", "PYTHONPATH")
    }
    env.update(
        SQLITE_PATH=str(tmp_path / "lnk.sqlite3"),
        UPLOAD_DIR=str(tmp_path / "uploads"),
        PATH="/usr/bin:/bin",
    )
    done = subprocess.run(
        [str(root / "scripts" / "flask"), "create-admin", "root", "--password", "admin-password"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "created admin root" in done.stdout
