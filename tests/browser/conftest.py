"""Browser tests: the real server (``tests.support.LiveServer``) driven by Debian's Chromium
through Playwright. Each test gets fresh browser contexts; users are registered per test."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # ``tests.support`` is imported from the repository root
    sys.path.insert(0, str(ROOT))

from tests.support.api import TestUser  # noqa: E402
from tests.support.fixtures import api, live_server  # noqa: E402, F401

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in(browser, live_server) -> Iterator[Callable]:  # noqa: F811
    """``signed_in(user, viewport=DESKTOP, timezone_id=None, url=live_server.url, locale=None)``:
    a page of a fresh browser context (in that IANA time zone and with that language, e.g.
    ``en-GB``, if given; Chromium's own is en-US), logged in through the login form, on /chat.
    Fails the test on page errors or external requests."""
    contexts = []
    problems: list[str] = []

    def open_page(
        user: TestUser,
        viewport: dict | None = None,
        timezone_id: str | None = None,
        url: str | None = None,
        locale: str | None = None,
    ):
        options = {"timezone_id": timezone_id} if timezone_id else {}
        if locale:
            options["locale"] = locale
        context = browser.new_context(viewport=viewport or DESKTOP, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: problems.append(f"{user.username}: {error}"))

        def check_host(request) -> None:
            if not re.match(r"^(https?|wss?)://127\.0\.0\.1:\d+/|^(data|blob):", request.url):
                problems.append(f"external request: {request.url}")

        page.on("request", check_host)
        page.goto((url or live_server.url) + "/login")
        page.fill("#username", user.username)
        page.fill("#password", user.password)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/chat$"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def artifact(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / name)
