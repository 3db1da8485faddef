"""Transcript downloads: the signed JSON document, or an HTML page that shows it and embeds it
(``flask verify-transcript`` checks either file)."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template
from markupsafe import Markup


def transcript_response(document: dict, fmt: str) -> Response:
    name = f"transcript-{document['conversation']['id']}"
    if fmt == "html":
        # ``<`` escaped so that no text in a message can end the script element
        embedded = json.dumps(document, ensure_ascii=False).replace("<", "\\u003c")
        body = render_template("transcript.html", doc=document, embedded=Markup(embedded))
        response = make_response(body)
        response.mimetype = "text/html"
        filename = f"{name}.html"
    else:
        response = make_response(json.dumps(document, ensure_ascii=False, indent=1))
        response.mimetype = "application/json"
        filename = f"{name}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
