"""Redocly CLI (pinned in tools/apilint, installed by scripts/test) lints /openapi.json with its
recommended rules: no errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "apilint"
REDOCLY = TOOLS / "node_modules" / ".bin" / "redocly"
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "CI": "true"}


def test_redocly_recommended_rules_find_no_error(client, tmp_path):
    assert REDOCLY.exists(), "run scripts/test (or npm ci --prefix tools/apilint) first"
    spec = client.get("/openapi.json", base_url="http://127.0.0.1:3001").get_json()
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec))
    result = subprocess.run(
        [str(REDOCLY), "lint", "--config", str(TOOLS / "redocly.yaml"), "--format", "json", path],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **QUIET},
    )
    report = json.loads(result.stdout)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert report["totals"]["errors"] == 0, json.dumps(errors, indent=1)[:4000]
    assert result.returncode == 0, result.stderr[-2000:]
