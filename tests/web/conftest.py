"""Page and partial tests: fixtures (see ``web_support`` for the helpers)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from web_support import browser_for, pair  # noqa: E402, F401
