"""Account & security in the pages: changing the password, signing out other devices or
everywhere, and blocking from a direct conversation — through real cookies and CSRF tokens,
with bad input answered by clear errors that change nothing."""

from __future__ import annotations

import json

import pytest
from web_support import Browser, api_send, form_token, sign_in

PASSWORD = "correct-horse-1"


@pytest.fixture
def alice_twice(app, browser_for):
    """Alice signed in on two devices (two cookie jars) and holding an API token."""
    first = browser_for("Alice Provider")
    second = app.test_client()
    assert sign_in(second, first.account.username).status_code == 302
    return first, Browser(second, first.account)


def signed_out(browser: Browser) -> bool:
    """The next page load ends on the login page."""
    return browser.get("/chat", follow_redirects=True).request.path == "/login"


def can_log_in(app, username: str, password: str) -> bool:
    return sign_in(app.test_client(), username, password).status_code == 302


def change(browser: Browser, current: str, new: str, confirm: str | None = None, **kwargs):
    form = {"currentPassword": current, "newPassword": new, "confirmPassword": confirm or new}
    return browser.post("/account/password", form, **kwargs)


def test_the_account_menu_leads_to_the_account_page(browser_for):
    alice = browser_for("Alice Provider")
    assert 'href="/account"' in alice.get("/chat").text
    page = alice.get("/account")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for part in (
        "Account &amp; security",
        "The new password must be 8-128 characters.",
        'hx-post="/account/password"',
        "Sign out of all other devices",
        "Sign out everywhere",
        "You haven't blocked anyone",
    ):
        assert part in page.text, part


def test_a_changed_password_signs_out_every_other_device_and_keeps_this_one(
    app, client, alice_twice
):
    here, elsewhere = alice_twice
    answer = change(here, PASSWORD, "a-brand-new-secret")
    assert answer.status_code == 200
    assert "Password changed" in answer.text and 'value=""' in answer.text
    assert not signed_out(here) and here.get("/account").status_code == 200
    assert signed_out(elsewhere)
    api = client.get("/api/users/me", headers=here.account.headers)
    assert api.status_code == 401  # the API login ended too
    assert not can_log_in(app, here.account.username, PASSWORD)
    assert can_log_in(app, here.account.username, "a-brand-new-secret")


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        ("not-my-password", "a-brand-new-secret", None, "currentPassword", "is not correct"),
        ("", "a-brand-new-secret", None, "currentPassword", "Enter your current password"),
        (PASSWORD, "short", None, "newPassword", "Must be 8-128 characters"),
        (PASSWORD, "x" * 129, None, "newPassword", "Must be 8-128 characters"),
        (PASSWORD, "a-brand-new-secret", "a-brand-new-secreT", "confirmPassword", "differ"),
    ],
    ids=["wrong-current", "no-current", "short", "long", "mismatch"],
)
def test_bad_password_input_is_an_inline_error_and_changes_nothing(
    app, alice_twice, current, new, confirm, field, message
):
    here, elsewhere = alice_twice
    answer = change(here, current, new, confirm)
    assert answer.status_code == 422
    assert f'id="f-{field}-error"' in answer.text and message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert new not in answer.text and PASSWORD not in answer.text  # nothing typed comes back
    assert not signed_out(here) and not signed_out(elsewhere)
    assert can_log_in(app, here.account.username, PASSWORD)


def test_account_actions_without_the_csrf_token_are_refused_and_change_nothing(app, alice_twice):
    here, elsewhere = alice_twice
    refused = change(here, PASSWORD, "a-brand-new-secret", csrf=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    for path in ("/account/sign-out-others", "/account/sign-out-everywhere"):
        answer = here.post(path, csrf=False)
        assert answer.status_code == 403 and "CSRF" in answer.text
    forged = here.post("/account/password", {}, csrf=False, headers={"X-CSRF-TOKEN": "forged"})
    assert forged.status_code == 403
    assert not signed_out(here) and not signed_out(elsewhere)
    assert can_log_in(app, here.account.username, PASSWORD)


def test_signing_out_of_other_devices_keeps_this_one(alice_twice):
    here, elsewhere = alice_twice
    answer = here.post("/account/sign-out-others")
    assert answer.status_code == 200 and "Every other device was signed out" in answer.text
    assert not signed_out(here)
    assert signed_out(elsewhere)


def test_signing_out_everywhere_ends_this_session_too(client, alice_twice):
    here, elsewhere = alice_twice
    answer = here.post("/account/sign-out-everywhere")
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == "/login"
    assert here.client.get_cookie("access_token_cookie") is None
    assert signed_out(here) and signed_out(elsewhere)
    assert client.get("/api/users/me", headers=here.account.headers).status_code == 401


def test_blocking_from_the_conversation_menu_turns_both_composers_into_notices(pair, client, ctx):
    alice, bob, cid = pair
    menu = alice.get(f"/chat/{cid}").text
    assert f'hx-get="/chat/users/{bob.id}/block"' in menu and "Block user" in menu

    dialog = alice.get(f"/chat/users/{bob.id}/block", htmx=True)
    assert dialog.status_code == 200
    assert "Block Bob Client?" in dialog.text and "online or typing" in dialog.text
    assert ctx.store.blocks.between(alice.id, bob.id) == (False, False)  # asking blocks nothing

    done = alice.post(f"/chat/users/{bob.id}/block")
    assert done.status_code == 200
    trigger = json.loads(done.headers["HX-Trigger"])
    assert trigger["lnk:block"] == {"userId": bob.id, "blocking": True, "blockedBy": False}
    assert trigger["lnk:toast"]["message"] == "You blocked Bob Client."
    assert ctx.store.blocks.between(alice.id, bob.id) == (True, False)

    mine = alice.get(f"/chat/{cid}").text
    assert "You blocked Bob Client." in mine and 'id="composer"' in mine
    assert 'autocomplete="off" hidden>' in mine  # the composer gives way to the notice
    assert 'data-block-entry="block" hidden' in mine
    muted = alice.post(f"/chat/{cid}/mute", {"muted": "1"}).text  # re-renders the menu
    assert 'data-block-entry="block" hidden' in muted and "Unblock user" in muted
    theirs = bob.get(f"/chat/{cid}").text
    assert "You can't send messages to Alice Provider in this conversation." in theirs

    refused = bob.post(f"/chat/{cid}/messages", {"content": "are you there?", "clientId": "c1"})
    assert refused.status_code == 403
    assert "You can&#39;t send messages to Alice Provider in this conversation." in refused.text
    assert json.loads(refused.headers["HX-Trigger"])["lnk:block"] == {
        "userId": alice.id,
        "blocking": False,
        "blockedBy": True,
    }
    own = alice.post(f"/chat/{cid}/messages", {"content": "one last word"})
    assert own.status_code == 403 and "Unblock them to send messages here" in own.text
    listed = client.get(f"/api/conversations/{cid}/messages", headers=alice.account.headers)
    assert [m["content"] for m in listed.get_json()["items"]] == ["Hi Alice"]


def test_unblocking_from_the_account_page_lets_messages_through_again(pair, client):
    alice, bob, cid = pair
    alice.post(f"/chat/users/{bob.id}/block")
    page = alice.get("/account").text
    assert f'id="blocked-{bob.id}"' in page and "@" + bob.account.username in page

    answer = alice.post(f"/chat/users/{bob.id}/unblock", {"list": "1"})
    assert answer.status_code == 200
    assert 'id="blocked-list"' in answer.text and "You haven't blocked anyone" in answer.text
    trigger = json.loads(answer.headers["HX-Trigger"])
    assert trigger["lnk:block"] == {"userId": bob.id, "blocking": False, "blockedBy": False}
    assert trigger["lnk:toast"]["message"] == "You unblocked Bob Client."
    assert bob.post(f"/chat/{cid}/messages", {"content": "back again"}).status_code == 201
    assert f'data-block-user="{bob.id}" hidden>' in alice.get(f"/chat/{cid}").text
    api_send(client, alice, cid, "welcome back")


def test_bad_block_requests_are_clear_errors_that_block_nobody(pair, ctx):
    alice, bob, _ = pair
    forged = alice.post(f"/chat/users/{bob.id}/block", csrf=False)
    assert forged.status_code == 403 and "CSRF" in forged.text
    unknown = alice.post(f"/chat/users/{'0' * 24}/block")
    assert unknown.status_code == 404 and "toast" in unknown.text
    assert alice.get(f"/chat/users/{'0' * 24}/block", htmx=True).status_code == 404
    itself = alice.post(f"/chat/users/{alice.id}/block")
    assert itself.status_code == 422 and "yourself" in itself.text
    assert ctx.store.blocks.related(alice.id) == set()


def test_the_forms_work_as_plain_posts_with_their_csrf_field(app, pair, ctx):
    """Posted by the browser itself (scripts off): the token in the form stands in for the
    header; a success shows the page again, a refusal is the error page."""
    alice, bob, cid = pair
    token = form_token(alice.get("/account").text)
    plain = {"csrf": False, "htmx": False, "headers": {"Referer": "http://localhost/account"}}
    wrong = {
        "currentPassword": "nope-nope",
        "newPassword": "a-brand-new-secret",
        "confirmPassword": "a-brand-new-secret",
    }
    refused = alice.post("/account/password", {**wrong, "csrf_token": token}, **plain)
    assert refused.status_code == 422 and "The current password is not correct" in refused.text
    right = {
        "currentPassword": PASSWORD,
        "newPassword": "a-brand-new-secret",
        "confirmPassword": "a-brand-new-secret",
    }
    forged = alice.post("/account/password", right, **plain)  # no token at all
    assert forged.status_code == 403 and can_log_in(app, alice.account.username, PASSWORD)
    changed = alice.post("/account/password", {**right, "csrf_token": token}, **plain)
    assert changed.status_code == 303 and changed.headers["Location"] == "/account"
    assert can_log_in(app, alice.account.username, "a-brand-new-secret")

    dialog = alice.get(f"/chat/users/{bob.id}/block", htmx=True).text
    blocked = alice.post(f"/chat/users/{bob.id}/block", {"csrf_token": form_token(dialog)}, **plain)
    assert blocked.status_code == 303 and ctx.store.blocks.between(alice.id, bob.id)[0]
    everywhere = alice.post("/account/sign-out-everywhere", {"csrf_token": token}, **plain)
    assert everywhere.status_code == 303 and everywhere.headers["Location"] == "/login"
    assert signed_out(alice)
