"""The JSON report: the document itself, indented, with every character `clean()` would
escape written as `\\uXXXX`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from orgtui.text import escape_for_json


def to_json(doc: Mapping[str, Any], width: int | None = None) -> str:
    """The document itself: raw values, which json escapes (control characters included);
    the invisible and bidi characters `clean()` shows are written as `\\uXXXX` too, so a
    pager or an editor showing the file draws none of them; any other text as it is."""
    return escape_for_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
