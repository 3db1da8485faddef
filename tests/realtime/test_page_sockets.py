"""Page sockets (``auth: {fragments: true}``) get message events rendered; API sockets keep JSON."""

from __future__ import annotations

from tests.support.sockets import SocketClient


def _page_socket(server, user) -> SocketClient:
    return SocketClient(server.url, auth={"token": user.access_token, "fragments": True}).connect()


def test_page_sockets_get_their_own_view_rendered_and_api_sockets_the_message_json(
    api, live_server, socket_factory
):
    alice, bob, carol = api.users(3, "pages")
    cid = api.group(alice, [bob, carol], "Pages")["id"]
    alice_page, bob_page = _page_socket(live_server, alice), _page_socket(live_server, bob)
    alice_api, carol_api = socket_factory(alice), socket_factory(carol)
    try:
        sent = api.send(alice, cid, "rendered <b>once</b>")

        for json_socket in (alice_api, carol_api):
            event = json_socket.wait_for("newMessage")
            assert event["message"] == api.json("GET", f"/api/messages/{sent['id']}", carol)
        mine = alice_page.wait_for("newMessage")
        theirs = bob_page.wait_for("newMessage")
        assert set(mine) == {
            "conversationId",
            "message",
            "html",
            "preview",
            "lastMessageId",
            "archived",
        }
        assert mine["archived"] is theirs["archived"] is False
        assert mine["message"]["id"] == theirs["message"]["id"] == sent["id"]
        assert "msg--mine" in mine["html"] and "msg--mine" not in theirs["html"]
        assert "rendered &lt;b&gt;once&lt;/b&gt;" in theirs["html"]
        assert mine["preview"].startswith("You: ") and not theirs["preview"].startswith("You")

        api.json("POST", f"/api/messages/{sent['id']}/reaction", bob, json={"emoji": "👍"})
        update = bob_page.wait_for("messageUpdated")
        assert update["action"] == "reaction" and 'aria-pressed="true"' in update["html"]
        assert "message" in carol_api.wait_for("messageUpdated")
        assert "html" not in carol_api.received("messageUpdated")[0]

        # everything else is the same for both kinds of socket
        api.json("POST", f"/api/conversations/{cid}/messages/bulk-mark-read", bob, json={})
        read = alice_page.wait_for("messageRead")
        assert read == alice_api.wait_for("messageRead")
        assert read["messageIds"] == [sent["id"]] and read["userId"] == bob.id
        for socket in (alice_page, bob_page, alice_api, carol_api):
            assert len(socket.received("newMessage")) == 1
    finally:
        alice_page.close()
        bob_page.close()


def test_a_fragments_flag_that_is_not_true_keeps_the_json(api, live_server):
    alice, bob = api.users(2, "flag")
    cid = api.direct(alice, bob)["id"]
    odd = SocketClient(live_server.url, auth={"token": bob.access_token, "fragments": "yes"})
    odd.connect()
    try:
        api.send(alice, cid, "plain")
        event = odd.wait_for("newMessage")
        assert event["message"]["content"] == "plain" and "html" not in event
    finally:
        odd.close()
