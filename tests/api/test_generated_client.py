"""A client generated from /openapi.json by openapi-python-client drives a live server: register,
start a conversation (and ask again: 200), send (and repeat the clientId: 200), list, upload,
send the file and download it. Undocumented statuses raise (``raise_on_unexpected_status``)."""

from __future__ import annotations

import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.live_server import LiveServer

pytestmark = pytest.mark.slow

# Generators know a few media types; the thumbnail's image types read as bytes as well.
GENERATOR_CONFIG = """
content_type_overrides:
  image/png: application/octet-stream
  image/jpeg: application/octet-stream
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with LiveServer(tmp_path_factory.mktemp("client-server"), name="client") as live:
        yield live


@pytest.fixture(scope="module")
def lnk_client(server, tmp_path_factory):
    """The generated package, imported as ``lnk_client``."""
    work = tmp_path_factory.mktemp("generated")
    spec = work / "openapi.json"
    spec.write_text(json.dumps(requests.get(server.url + "/openapi.json", timeout=10).json()))
    config = work / "config.yaml"
    config.write_text(GENERATOR_CONFIG)
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec)]
        + ["--output-path", str(work / "lnk_client"), "--meta", "none", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Warning" not in result.stdout, result.stdout[-3000:]
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module("lnk_client")
    finally:
        sys.path.remove(str(work))
        for name in [n for n in sys.modules if n == "lnk_client" or n.startswith("lnk_client.")]:
            del sys.modules[name]


def test_a_generated_client_talks_to_the_server(server, lnk_client):
    from lnk_client import AuthenticatedClient, Client
    from lnk_client.api.auth import register
    from lnk_client.api.conversations import create_conversation
    from lnk_client.api.files import download_file, upload_chat_files
    from lnk_client.api.messages import list_messages, send_message
    from lnk_client.models import (
        AuthOut,
        CreateConversationBody,
        CreateConversationBodyType,
        RegisterBody,
        SendMessageBody,
        SentMessageOut,
        UploadChatFilesBody,
        UploadOut,
    )
    from lnk_client.types import File

    anonymous = Client(base_url=server.url, raise_on_unexpected_status=True)
    accounts = []
    for name in ("gen_alice", "gen_bob"):
        created = register.sync_detailed(
            client=anonymous, body=RegisterBody(username=name, password="generated-pw-1")
        )
        assert created.status_code == 201 and isinstance(created.parsed, AuthOut)
        accounts.append(created.parsed)
    alice, bob = accounts
    client = AuthenticatedClient(
        base_url=server.url, token=alice.access_token, raise_on_unexpected_status=True
    )

    direct = CreateConversationBody(
        type_=CreateConversationBodyType.DIRECT, participant_ids=[bob.user.id]
    )
    first = create_conversation.sync_detailed(client=client, body=direct)
    again = create_conversation.sync_detailed(client=client, body=direct)
    assert (first.status_code, again.status_code) == (201, 200)
    cid = first.parsed.id
    assert again.parsed.id == cid

    body = SendMessageBody(content="hello from a generated client", client_id="gen-1")
    sent = send_message.sync_detailed(cid, client=client, body=body)
    repeat = send_message.sync_detailed(cid, client=client, body=body)
    assert (sent.status_code, repeat.status_code) == (201, 200)
    assert isinstance(repeat.parsed, SentMessageOut) and repeat.parsed.id == sent.parsed.id
    assert sent.parsed.created_at.tzinfo is not None  # parsed as a date-time

    page = list_messages.sync(cid, client=client)
    assert [m.content for m in page.items] == ["hello from a generated client"]

    text = b"notes for the meeting\n"
    upload = upload_chat_files.sync_detailed(
        client=client,
        body=UploadChatFilesBody(
            files=[File(payload=io.BytesIO(text), file_name="notes.txt", mime_type="text/plain")]
        ),
    )
    assert upload.status_code == 201 and isinstance(upload.parsed, UploadOut)
    file_id = upload.parsed.files[0].id
    with_file = send_message.sync_detailed(
        cid, client=client, body=SendMessageBody(attachment_ids=[file_id])
    )
    assert with_file.status_code == 201 and with_file.parsed.type_.value == "media"

    bob_client = AuthenticatedClient(
        base_url=server.url, token=bob.access_token, raise_on_unexpected_status=True
    )
    downloaded = download_file.sync(file_id, client=bob_client)
    assert downloaded.payload.read() == text
