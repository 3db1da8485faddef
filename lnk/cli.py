"""``flask`` commands: create-admin, seed-demo and verify-transcript."""

from __future__ import annotations

import click
from flask import Flask

from lnk.errors import LnkError
from lnk.services import accounts, conversations, messages, transcripts
from lnk.web.context import ctx

DEMO_PASSWORD = "demo-password"
DEMO_USERS = [("alice", "Alice Provider"), ("bob", "Bob Client"), ("carol", "Carol Client")]


def seed_demo_data() -> dict:
    """A few users, a direct and a group conversation with messages. Idempotent."""
    c = ctx()
    users = {}
    for username, display in DEMO_USERS:
        user = accounts.find_by_username(c, username)
        users[username] = user or accounts.register(c, username, DEMO_PASSWORD, display)
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    direct, created = conversations.create_conversation(c, bob, "direct", [alice.id])
    if created:
        for sender, text in [
            (bob, "Hi Alice! Are you free to fix my kitchen sink this week?"),
            (alice, "Hello Bob, yes, Thursday afternoon works for me."),
            (bob, "Great, see you Thursday then."),
        ]:
            messages.send_message(c, sender, direct.id, content=text)
    groups, _ = conversations.list_conversations(c, alice, limit=100)
    if not any(g.type == "group" for g in groups):
        group, _ = conversations.create_conversation(
            c, alice, "group", [bob.id, carol.id], "Neighbourhood helpers"
        )
        for sender, text in [
            (alice, "Welcome to the group, everyone!"),
            (carol, "Thanks Alice. Does anyone know a good electrician?"),
            (bob, "Alice fixed my sink last month, ask her."),
        ]:
            messages.send_message(c, sender, group.id, content=text)
    return users


def register(app: Flask) -> None:
    @app.cli.command("verify-transcript")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def verify_transcript(path: str) -> None:
        """Check a transcript export (JSON or HTML): its hash chain and this server's signature.
        Exits 0 if intact, 1 if not."""
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            document = transcripts.from_text(text)
        except ValueError as error:
            click.echo(f"FAILED: {error}", err=True)
            raise SystemExit(1) from None
        verdict = transcripts.verify(document, ctx().transcript_key)
        if not verdict.ok:
            click.echo(f"FAILED: {verdict.reason}", err=True)
            raise SystemExit(1)
        click.echo(f"OK: {verdict.messages} messages, {verdict.reason}")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option(
        "--password",
        default=None,
        help="For a new user; for an existing one, replaces its password. 8-128 characters.",
    )
    @click.option("--display-name", default=None)
    def create_admin(username: str, password: str | None, display_name: str | None) -> None:
        """Create a platform admin, or make an existing user one. A new user's password (8-128
        characters) is asked for unless --password gives it; an existing user keeps its password
        unless --password gives a new one."""
        c = ctx()
        existing = accounts.find_by_username(c, username)
        try:
            if existing:
                if password is not None:
                    accounts.reset_password(c, existing.id, password)
                accounts.grant_admin(c, existing.id)
                changed = " (password changed)" if password is not None else ""
                click.echo(f"{username} is now an admin{changed}")
                return
            if password is None:
                password = click.prompt(
                    f"Password for the new admin {username} ({accounts.PASSWORD_RULE})",
                    hide_input=True,
                    confirmation_prompt=True,
                )
            accounts.register(c, username, password, display_name, role="admin")
        except LnkError as error:
            raise click.ClickException(_explained(error)) from None
        click.echo(f"created admin {username}")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create demo users and conversations (safe to run twice)."""
        seed_demo_data()
        names = ", ".join(u for u, _ in DEMO_USERS)
        click.echo(f"demo users: {names} (password: {DEMO_PASSWORD})")


def _explained(error: LnkError) -> str:
    """``password: must be 8-128 characters`` rather than a bare ``invalid credentials format``."""
    errors = getattr(error, "errors", None) or {}
    if not errors:
        return error.message
    return "; ".join(f"{field}: {', '.join(problems)}" for field, problems in errors.items())
