"""Forms the browser posts itself (scripts off, or submitted before htmx wired a form it just
swapped in): every htmx form is also a plain POST form to the same route, carrying a CSRF token
in a field; such a post saves and answers with the page it came from, a refusal is the error
page, and nothing typed ever lands in a URL."""

from __future__ import annotations

import re
from pathlib import Path

from web_support import form_token

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FORM_TAG = re.compile(r"<form\b[^>]*>", re.S)


def _attr(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def test_every_htmx_form_posts_to_its_route_without_scripts_too():
    """A form without ``method`` is a GET when the browser submits it: the text typed into it
    would be in the address (history, logs). So every ``hx-post`` form is a plain POST form to
    the same route with the CSRF field, and so is the composer (which script posts)."""
    checked = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        source = template.read_text()
        for match in FORM_TAG.finditer(source):
            tag = match.group(0)
            hx_post = _attr(tag, "hx-post")
            if hx_post is None and _attr(tag, "id") != "composer":
                continue
            where = f"{template.relative_to(TEMPLATES)}: {tag[:90]}"
            assert _attr(tag, "method") == "post", where
            action = _attr(tag, "action")
            assert action and action == (hx_post or action), where
            body = source[match.end() : source.index("</form>", match.end())]
            assert "csrf_field()" in body, where
            checked.append(where)
    assert len(checked) >= 12, checked


def _message(client, user, conversation_id: str) -> dict:
    return client.get(
        f"/api/conversations/{conversation_id}/messages", headers=user.account.headers
    ).get_json()["items"][0]


def _own_message(client, alice, conversation_id: str) -> dict:
    alice.post(f"/chat/{conversation_id}/messages", {"content": "Thursday at 3pm"})
    return _message(client, alice, conversation_id)


def test_an_edit_posted_without_scripts_saves_and_answers_with_the_page(client, pair):
    alice, _, conversation_id = pair
    message = _own_message(client, alice, conversation_id)
    form = alice.get(f"/chat/messages/{message['id']}/edit", htmx=True)
    assert (
        'method="post"' in form.text
        and f'action="/chat/messages/{message["id"]}/edit"' in form.text
    )
    page = f"http://localhost/chat/{conversation_id}"
    response = alice.post(
        f"/chat/messages/{message['id']}/edit",
        {"content": "Thursday at 4pm", "csrf_token": form_token(form.text)},
        csrf=False,
        htmx=False,
        headers={"Referer": page},
    )
    assert (
        response.status_code == 303 and response.headers["Location"] == f"/chat/{conversation_id}"
    )
    assert _message(client, alice, conversation_id)["content"] == "Thursday at 4pm"
    shown = alice.get(response.headers["Location"])
    assert "Thursday at 4pm" in shown.text


def test_a_plain_post_goes_back_only_to_a_page_of_this_site(client, pair):
    alice, _, conversation_id = pair
    message = _own_message(client, alice, conversation_id)
    token = form_token(alice.get(f"/chat/messages/{message['id']}/edit", htmx=True).text)
    for referrer in ("https://evil.example/chat/x", "", "http://localhost//evil.example/"):
        response = alice.post(
            f"/chat/messages/{message['id']}/reaction",
            {"emoji": "👍", "csrf_token": token},
            csrf=False,
            htmx=False,
            headers={"Referer": referrer} if referrer else {},
        )
        assert response.status_code == 303 and response.headers["Location"] == "/chat", referrer


def test_a_plain_post_without_a_valid_token_is_refused_and_changes_nothing(client, pair):
    alice, _, conversation_id = pair
    message = _own_message(client, alice, conversation_id)
    token = form_token(alice.get(f"/chat/messages/{message['id']}/edit", htmx=True).text)
    for fields in ({}, {"csrf_token": "forged"}, {"csrf_token": token[:-2] + "xx"}):
        response = alice.post(
            f"/chat/messages/{message['id']}/edit",
            {"content": "forged", **fields},
            csrf=False,
            htmx=False,
        )
        assert response.status_code == 403, fields
        assert "CSRF" in response.text
    # a header, when sent, is what counts: a wrong one is not rescued by a good field
    wrong = alice.post(
        f"/chat/messages/{message['id']}/edit",
        {"content": "forged", "csrf_token": token},
        csrf=False,
        headers={"X-CSRF-TOKEN": "not-it"},
    )
    assert wrong.status_code == 403
    assert _message(client, alice, conversation_id)["content"] == "Thursday at 3pm"


def test_another_browser_session_token_is_refused(app, client, pair):
    alice, _, conversation_id = pair
    message = _own_message(client, alice, conversation_id)
    stranger = app.test_client()
    theirs = form_token(stranger.get("/login").text)  # valid, but for another session
    response = alice.post(
        f"/chat/messages/{message['id']}/edit",
        {"content": "forged", "csrf_token": theirs},
        csrf=False,
        htmx=False,
    )
    assert response.status_code == 403
    assert _message(client, alice, conversation_id)["content"] == "Thursday at 3pm"


def test_a_refused_plain_post_is_the_error_page_saying_why(client, pair):
    alice, _, conversation_id = pair
    message = _own_message(client, alice, conversation_id)
    token = form_token(alice.get(f"/chat/messages/{message['id']}/edit", htmx=True).text)
    empty = alice.post(
        f"/chat/messages/{message['id']}/edit",
        {"content": "  ", "csrf_token": token},
        csrf=False,
        htmx=False,
    )
    assert empty.status_code == 422 and empty.text.lstrip().lower().startswith("<!doctype html>")
    located = alice.post(
        f"/chat/{conversation_id}/location",
        {"latitude": "north", "longitude": "2", "csrf_token": token},
        csrf=False,
        htmx=False,
    )
    assert located.status_code == 422
    assert located.text.lstrip().lower().startswith("<!doctype html>")
    assert "latitude: must be a number" in located.text
    assert "HX-Retarget" not in located.headers
    assert _message(client, alice, conversation_id)["content"] == "Thursday at 3pm"
