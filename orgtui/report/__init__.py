"""The headless audit: one document, written as a rich table, JSON, CSV or Markdown.

Everything in the document that came from AWS (names, emails, OU names, states, tags,
policy names, finding messages that quote them, the caller's ARN) is untrusted: JSON
keeps it whole (control, invisible and bidi characters as `\\uXXXX` escapes), every
other format passes it through `clean()`, and CSV and Markdown also neutralise what a
spreadsheet or a Markdown viewer would execute.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from orgtui.report.csv_format import CSV_COLUMNS, to_csv
from orgtui.report.document import build, by_verdict, checks_said
from orgtui.report.json_format import to_json
from orgtui.report.markdown_format import to_markdown
from orgtui.report.table_format import to_table, to_table_text

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "RENDERERS",
    "build",
    "by_verdict",
    "checks_said",
    "render",
    "to_json",
    "to_table",
]

Renderer = Callable[[Mapping[str, Any], "int | None"], str]

# Format name -> renderer: the document and a width (the table's; the others ignore it).
# A new format is one function and one line here (CONTRIBUTING.md, "Adding a report format").
RENDERERS: dict[str, Renderer] = {
    "table": to_table_text,
    "json": to_json,
    "csv": to_csv,
    "markdown": to_markdown,
}
FORMATS = tuple(RENDERERS)


def render(doc: Mapping[str, Any], fmt: str, *, width: int | None = None) -> str:
    """The report as text in one of FORMATS."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown format {fmt}")
    return renderer(doc, width)
