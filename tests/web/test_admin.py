"""The admin console: only platform admins get in, user management and the flagged-message
queue work through HTMX row actions, and every action refuses a request without the CSRF token."""

from __future__ import annotations

import re

import pytest
from web_support import api_send, sign_in

from lnk.domain.events import UserSuspended
from lnk.services import accounts
from lnk.web.admin import views

CONTACT = "mail me at a@b.co"


@pytest.fixture
def admin(browser_for, ctx):
    """A signed-in platform admin (made one the way ``create-admin`` does)."""
    browser = browser_for("Ada Admin")
    accounts.grant_admin(ctx, browser.id)
    return browser


def flag(client, sender, conversation_id: str, content: str = CONTACT) -> dict:
    """A message the contact-info rule flags (the conversation has no booking)."""
    message = api_send(client, sender, conversation_id, content)
    assert [w["code"] for w in message["warnings"]] == ["contact_info"]
    return message


def row_ids(html: str, kind: str) -> list[str]:
    return re.findall(rf'id="admin-{kind}-([0-9a-f]{{24}})"', html)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in ("/admin", "/admin/users?q=al", "/admin/flagged"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=/admin")
    assert client.post("/admin/users/0123456789abcdef01234567/suspend").status_code == 302


def test_signed_in_users_who_are_not_admins_get_403(pair, ctx):
    alice, bob, _ = pair
    for path in ("/admin", "/admin/users", "/admin/flagged"):
        page = alice.get(path)
        assert page.status_code == 403 and "Forbidden" in page.text, path
    refused = alice.post(f"/admin/users/{bob.id}/suspend", {"suspended": "1"})
    assert refused.status_code == 403 and 'class="toast toast--error"' in refused.text
    assert accounts.get_user(ctx, bob.id).suspended is False


def test_the_overview_counts_users_suspensions_and_flagged_messages(client, admin, pair, ctx):
    alice, bob, conversation_id = pair
    flag(client, bob, conversation_id)
    accounts.set_suspended(ctx, accounts.get_user(ctx, admin.id), alice.id, True)
    page = admin.get("/admin")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    counts = dict(re.findall(r'id="stat-(\w+)">(\d+)<', page.text))
    assert counts == {"users": "3", "suspended": "1", "flagged": "1"}
    assert 'href="/admin/flagged"' in page.text and 'aria-current="page"' in page.text


def test_users_are_searched_by_prefix_and_paged(admin, make_user, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for name in ("zed1", "zed2", "zed3"):
        make_user(name, display_name=f"Zed <b>{name[-1]}</b>")
    make_user("other")
    first = admin.get("/admin/users?q=ZE")
    assert first.status_code == 200
    assert re.findall(r'class="admin-username">@(\w+)<', first.text) == ["zed1", "zed2"]
    assert "Zed &lt;b&gt;1&lt;/b&gt;" in first.text and "<b>1</b>" not in first.text
    next_link = re.search(r'href="(/admin/users\?[^"]+)" rel="next"', first.text).group(1)
    second = admin.get(next_link.replace("&amp;", "&"))
    assert re.findall(r'class="admin-username">@(\w+)<', second.text) == ["zed3"]
    assert 'rel="next"' not in second.text and "First page" in second.text
    everyone = admin.get("/admin/users")
    names = re.findall(r'class="admin-username">@(\w+)<', everyone.text)
    assert names == ["other", admin.account.username] and 'rel="next"' in everyone.text

    live = admin.get("/admin/users?q=oth", htmx=True, headers={"HX-Target": "admin-user-results"})
    assert live.text.lstrip().startswith('<section id="admin-user-results"')
    assert "@other" in live.text and "<html" not in live.text


def test_suspending_locks_the_user_out_and_unsuspending_lets_it_back(client, admin, pair, events):
    _, bob, _ = pair
    response = admin.post(f"/admin/users/{bob.id}/suspend", {"suspended": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="admin-user-{bob.id}"')
    assert "Suspended" in response.text and ">Unsuspend</button>" in response.text
    assert "lnk:toast" in response.headers["HX-Trigger"]
    assert [e.user_id for e in events.of_type(UserSuspended)] == [bob.id]
    me = client.get("/api/users/me", headers=bob.account.headers)
    assert me.status_code == 403 and me.get_json()["code"] == "forbidden"
    assert sign_in(client.application.test_client(), bob.account.username).status_code == 403
    assert bob.get("/chat").status_code == 403  # the browser session is refused too

    response = admin.post(f"/admin/users/{bob.id}/suspend", {"suspended": "0"})
    assert response.status_code == 200 and ">Suspend</button>" in response.text
    assert client.get("/api/users/me", headers=bob.account.headers).status_code == 200
    assert sign_in(client.application.test_client(), bob.account.username).status_code == 302


def test_admins_promote_and_demote_other_users(admin, pair):
    alice, _, _ = pair
    promoted = admin.post(f"/admin/users/{alice.id}/role", {"role": "admin"})
    assert promoted.status_code == 200
    assert "Admin</span>" in promoted.text and ">Remove admin</button>" in promoted.text
    assert alice.get("/admin").status_code == 200
    assert "Admin console" in alice.get("/chat").text
    demoted = admin.post(f"/admin/users/{alice.id}/role", {"role": "user"})
    assert demoted.status_code == 200 and ">Make admin</button>" in demoted.text
    assert alice.get("/admin").status_code == 403
    assert "Admin console" not in alice.get("/chat").text
    invalid = admin.post(f"/admin/users/{alice.id}/role", {"role": "root"})
    assert invalid.status_code == 422


def test_admins_cannot_suspend_or_demote_themselves(admin, ctx):
    page = admin.get("/admin/users")
    own_row = re.search(rf'<tr id="admin-user-{admin.id}".*?</tr>', page.text, re.S).group(0)
    assert "hx-post" not in own_row and "That’s you" in own_row
    suspend = admin.post(f"/admin/users/{admin.id}/suspend", {"suspended": "1"})
    demote = admin.post(f"/admin/users/{admin.id}/role", {"role": "user"})
    assert (suspend.status_code, demote.status_code) == (409, 409)
    assert 'class="toast toast--error"' in demote.text
    me = accounts.get_user(ctx, admin.id)
    assert me.is_admin and not me.suspended


def test_the_flagged_list_shows_contact_info_messages_newest_first(client, admin, pair):
    alice, bob, conversation_id = pair
    older = flag(client, bob, conversation_id)
    api_send(client, alice, conversation_id, "nothing to see")
    newer = flag(client, alice, conversation_id, "call me on +44 20 7946 0958")
    page = admin.get("/admin/flagged")
    assert page.status_code == 200
    assert row_ids(page.text, "flag") == [newer["id"], older["id"]]
    assert "Bob Client" in page.text and conversation_id in page.text
    assert CONTACT in page.text and "nothing to see" not in page.text


def test_flagged_messages_are_paged(client, admin, pair, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _, bob, conversation_id = pair
    sent = [flag(client, bob, conversation_id, f"mail {n} at x{n}@y.co")["id"] for n in range(3)]
    first = admin.get("/admin/flagged")
    assert row_ids(first.text, "flag") == sent[:0:-1]
    older = re.search(r'href="(/admin/flagged\?cursor=[^"]+)" rel="next"', first.text).group(1)
    second = admin.get(older)
    assert row_ids(second.text, "flag") == [sent[0]] and 'rel="next"' not in second.text


def test_deleting_a_flagged_message_deletes_it_for_everyone(client, admin, pair):
    alice, bob, conversation_id = pair
    message = flag(client, bob, conversation_id)
    response = admin.post(f"/admin/flagged/{message['id']}/delete")
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="admin-flag-{message["id"]}"')
    assert "Deleted for everyone" in response.text and CONTACT not in response.text
    seen = client.get(f"/api/messages/{message['id']}", headers=alice.account.headers).get_json()
    assert seen["deleted"] is True and seen["content"] == ""
    assert row_ids(admin.get("/admin/flagged").text, "flag") == []


def test_dismissing_a_flag_keeps_the_message_and_leaves_the_queue(client, admin, pair):
    alice, bob, conversation_id = pair
    message = flag(client, bob, conversation_id)
    response = admin.post(f"/admin/flagged/{message['id']}/dismiss")
    assert response.status_code == 200 and "Dismissed" in response.text
    assert "hx-post" not in response.text
    assert row_ids(admin.get("/admin/flagged").text, "flag") == []
    assert 'id="stat-flagged">0<' in admin.get("/admin").text
    seen = client.get(f"/api/messages/{message['id']}", headers=alice.account.headers).get_json()
    assert seen["content"] == CONTACT and seen["deleted"] is False
    again = admin.post(f"/admin/flagged/{message['id']}/dismiss")
    assert again.status_code == 200  # idempotent
    missing = admin.post("/admin/flagged/0123456789abcdef01234567/dismiss")
    assert missing.status_code == 404 and 'class="toast toast--error"' in missing.text


def test_admin_actions_refuse_requests_without_the_csrf_token(client, admin, pair, ctx):
    _, bob, conversation_id = pair
    message = flag(client, bob, conversation_id)
    attempts = [
        (f"/admin/users/{bob.id}/suspend", {"suspended": "1"}),
        (f"/admin/users/{bob.id}/role", {"role": "admin"}),
        (f"/admin/flagged/{message['id']}/delete", {}),
        (f"/admin/flagged/{message['id']}/dismiss", {}),
    ]
    for path, data in attempts:
        assert admin.post(path, data, csrf=False).status_code == 403, path
        forged = admin.post(path, data, csrf=False, headers={"X-CSRF-TOKEN": "not-it"})
        assert forged.status_code == 403, path
    account = accounts.get_user(ctx, bob.id)
    assert not account.suspended and not account.is_admin
    assert row_ids(admin.get("/admin/flagged").text, "flag") == [message["id"]]
    assert (
        client.get(f"/api/messages/{message['id']}", headers=bob.account.headers).get_json()[
            "content"
        ]
        == CONTACT
    )


def test_message_content_is_escaped(client, admin, pair):
    _, bob, conversation_id = pair
    flag(client, bob, conversation_id, "<script>alert(1)</script> write to a@b.co")
    page = admin.get("/admin/flagged")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; write to a@b.co" in page.text
    assert "<script>alert(1)" not in page.text


def test_the_chat_menu_links_to_the_console_for_admins_only(admin, pair):
    alice, _, _ = pair
    assert 'href="/admin"' in admin.get("/chat").text
    assert 'href="/admin"' not in alice.get("/chat").text
