"""The CSV report: one row per account, every cell cleaned and a cell a spreadsheet would
run as a formula made text."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from orgtui.report.document import checks_said, recovery_short
from orgtui.text import clean

# `unchecked` names the impact checks that were skipped, e.g. "identity_center;ram", and
# `checks` (last, so the columns before keep their places) says in words what the other
# formats say about the checks: why they were skipped, the notes of those made in part, or
# that all were made. Checks are organization-wide, so every row carries the same values:
# CSV stays one row per account, and a row cut out of the file still says that its
# findings may be incomplete.
CSV_COLUMNS = (
    "id",
    "name",
    "email",
    "state",
    "joined_method",
    "joined_timestamp",
    "parent_id",
    "ou_path",
    "verdict",
    "findings",
    "delegated_services",
    "tags",
    "policies",
    "unchecked",
    "checks",
)
# A spreadsheet takes a cell starting with one of these for a formula (OWASP, CSV
# injection); `clean()` already turns a leading tab or CR into visible `\t`, `\r`.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A CSV cell: one line, control characters visible, a formula made plain text by a
    leading `'`."""
    text = clean(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_row(a: Mapping[str, Any], skipped: str = "", checks: str = "") -> list[str]:
    """One account's cells, in CSV_COLUMNS order: tags as k=v;k=v, findings as codes;
    `skipped` and `checks` are the `unchecked` and `checks` cells, the same every row."""
    return [
        csv_cell(cell)
        for cell in (
            a["id"],
            a["name"],
            a["email"],
            a["state"],
            a["joined_method"],
            a["joined_timestamp"] or "",
            a["parent_id"],
            "/".join(a["ou_path"]),
            a["verdict"],
            ";".join(f["code"] for f in a["findings"]),
            ";".join(a["delegated_services"]),
            ";".join(f"{k}={v}" for k, v in a["tags"].items()),
            ";".join(p["name"] for p in a["policies"]),
            skipped,
            checks,
        )
    ]


def to_csv(doc: Mapping[str, Any], width: int | None = None) -> str:
    """One row per account; quoting by the csv module (no cell holds a line break)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    recovery = "recovery" in doc.get("checks", {})  # a column only when it was read
    writer.writerow([*CSV_COLUMNS, *(["recovery"] if recovery else [])])
    skipped = ";".join(n for n, c in doc.get("checks", {}).items() if c["status"] != "checked")
    checks = " ".join(f"{label}: {words}." for label, words in checks_said(doc))
    writer.writerows(
        [*csv_row(a, skipped, checks), *([csv_cell(recovery_short(a))] if recovery else [])]
        for a in doc["accounts"]
    )
    return out.getvalue()
