"""The table report (rich): columns that fit the width, folding into one block per account
when they can't; in colour on a terminal, plain text into a file or a pipe."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from orgtui.model import DEFAULT_DESTINATION
from orgtui.report.document import (
    by_verdict,
    checks_complete,
    checks_said,
    recovery_short,
    summary_words,
)
from orgtui.text import clean

VERDICT_STYLE = {"blocked": "bold red", "review": "yellow", "ready": "green"}
TABLE_WIDTH = 160  # a file or a pipe has no width of its own
# How narrow a folding column may get before it moves into the Account cell: the email
# first, then the OU path; an Account column narrower than a typical name reads worse than
# one block per account. Ids, verdicts and finding codes never fold.
FOLD_MIN = {"account": 16, "email": 16, "ou_path": 14, "state": 10}
# The columns of each layout, widest first; a column missing from a layout is shown as a
# line of the Account cell (ACCOUNT_LINES).
LAYOUTS = (
    ("account", "id", "email", "ou_path", "state", "verdict", "findings"),
    ("account", "id", "ou_path", "state", "verdict", "findings"),
    ("account", "id", "state", "verdict", "findings"),
)
HEADERS = {
    "account": "Account",
    "id": "Id",
    "email": "Email",
    "ou_path": "OU path",
    "state": "State",
    "verdict": "Verdict",
    "findings": "Findings",
}
ACCOUNT_LINES = ("ou_path", "email")  # in this order under the name, when not columns
NO_WRAP = ("id", "verdict", "findings")


def _cells(a: Mapping[str, Any]) -> dict[str, list[str]]:
    """An account's table cells as lines of clean text."""
    return {
        "account": [clean(a["name"])],
        "id": [clean(a["id"])],
        "email": [clean(a["email"])],
        "ou_path": [clean(" / ".join(a["ou_path"]))],
        "state": [clean(a["state"])],
        "verdict": [a["verdict"]],
        "findings": [clean(f["code"]) for f in a["findings"]] or ["-"],
        # --recovery: its few words under the findings
        **(
            {"findings": [*([clean(f["code"]) for f in a["findings"]]), clean(recovery_short(a))]}
            if "recovery" in a
            else {}
        ),
    }


def _merged(cells: dict[str, list[str]], columns: tuple[str, ...]) -> dict[str, list[str]]:
    """`cells` with the columns left out of `columns` as lines of the Account cell."""
    extra = [line for key in ACCOUNT_LINES if key not in columns for line in cells[key]]
    return {**cells, "account": cells["account"] + extra}


def _column_widths(
    rows: list[dict[str, list[str]]], columns: tuple[str, ...], width: int
) -> dict[str, int] | None:
    """Each column's width for a table `width` cells wide, or None when these columns
    can't fit: ids, verdicts and codes at full width; every folding column at least at
    FOLD_MIN (less when all of it is narrower), the room left shared out evenly."""
    natural = {
        key: max(cell_len(line) for row in [{key: [HEADERS[key]]}, *rows] for line in row[key])
        for key in columns
    }
    widths = {
        key: natural[key] if key in NO_WRAP else min(natural[key], FOLD_MIN[key]) for key in columns
    }
    room = width - (3 * len(columns) - 3) - sum(widths.values())  # separators, padding
    if room < 0:
        return None
    while room > 0:  # one cell at a time to the narrowest column still folded
        folded = [key for key in columns if widths[key] < natural[key]]
        if not folded:
            break
        widths[min(folded, key=lambda key: widths[key])] += 1
        room -= 1
    return widths


def to_table(doc: Mapping[str, Any], console: Console) -> None:
    """The report on a rich console, laid out for its width: the widest layout that keeps
    every id, verdict and finding code whole, else one block of lines per account."""
    accounts = by_verdict(doc["accounts"])
    cells = [_cells(a) for a in accounts]
    destination = doc.get("destination", DEFAULT_DESTINATION)
    title = Text(
        f"Organization {clean(doc['organization']['id'])}, destination {destination}: "
        f"{summary_words(doc['summary'])}",
        style="bold",
    )
    for columns in LAYOUTS:
        rows = [_merged(c, columns) for c in cells]
        widths = _column_widths(rows, columns, console.width)
        if widths is not None:
            break
    else:
        _print_blocks(title, cells, console)
        _print_unchecked(doc, console)
        return
    # No outer edges (more room for the data); a blank line between accounts, whose cells
    # hold several lines. Widths are fixed here, so rich never shrinks an id or a code.
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, leading=1)
    for key in columns:
        table.add_column(HEADERS[key], width=widths[key], no_wrap=key in NO_WRAP, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(key, row[key]) for key in columns))
    console.print(table)
    _print_unchecked(doc, console)


def _print_unchecked(doc: Mapping[str, Any], console: Console) -> None:
    """What the impact checks say, as every format says it: the checks not made and why,
    those made in part and their notes (which may quote AWS), or that all were made."""
    said = checks_said(doc)
    style = "" if checks_complete(said) else "yellow"
    for label, words in said:
        console.print(Text(f"{label}: {clean(words)}.", style=style))


def _cell(key: str, lines: list[str]) -> Text:
    if key == "verdict":
        return Text(lines[0], style=VERDICT_STYLE[lines[0]])
    if key == "account":  # the name, then what folded into it, dimmed
        text = Text(lines[0])
        for line in lines[1:]:
            text.append("\n" + line, style="dim")
        return text
    return Text("\n".join(lines))


def _print_blocks(title: Text, cells: list[dict[str, list[str]]], console: Console) -> None:
    """One block per account, for a terminal too narrow for any table: the id, verdict
    and name on the first line, then the OU path, state and email, then one code a line."""
    console.print(title)
    for c in cells:
        head = Text.assemble(
            c["id"][0], "  ", _cell("verdict", c["verdict"]), "  ", c["account"][0]
        )
        console.print()
        console.print(head, overflow="fold")
        for line in (*c["ou_path"], f"{c['state'][0]}  {c['email'][0]}", *c["findings"]):
            console.print(Text("  " + line), overflow="fold")


def to_table_text(doc: Mapping[str, Any], width: int | None = None) -> str:
    """The table as plain text (no colour codes), `width` columns wide."""
    buf = io.StringIO()
    to_table(
        doc, Console(file=buf, width=width or TABLE_WIDTH, force_terminal=False, color_system=None)
    )
    return buf.getvalue()
