"""The headless audit: one document, written as a rich table, JSON, CSV or Markdown.

Everything in the document that came from AWS (names, emails, OU names, states, tags,
policy names, finding messages that quote them, the caller's ARN) is untrusted: JSON
keeps it whole (control, invisible and bidi characters as `\\uXXXX` escapes), every
other format passes it through `clean()`, and CSV and Markdown also neutralise what a
spreadsheet or a Markdown viewer would execute.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from orgtui.impact_model import CHECK_NAMES, group_skipped
from orgtui.model import (
    DEFAULT_DESTINATION,
    DESTINATION_WORDS,
    Destination,
    Snapshot,
    iso,
)
from orgtui.rules import assess_all
from orgtui.text import clean, escape_for_json, plural

VERDICT_ORDER = {"blocked": 0, "review": 1, "ready": 2}


def build(
    snap: Snapshot,
    now: datetime,
    account_ids: Iterable[str] | None = None,
    *,
    destination: Destination = DEFAULT_DESTINATION,
) -> dict[str, Any]:
    """The JSON report document of DESIGN.md, for all accounts or the ones asked for,
    with the verdicts for `destination`."""
    wanted = list(account_ids) if account_ids else None
    ids = wanted if wanted is not None else list(snap.accounts)
    accounts = []
    counts = {"blocked": 0, "review": 0, "ready": 0}
    assessed = assess_all(snap, now, destination, ids)
    for acc_id in ids:
        account = snap.accounts[acc_id]
        result = assessed[acc_id]
        counts[result.verdict] += 1
        accounts.append(
            {
                "id": account.id,
                "name": account.name,
                "email": account.email,
                "state": account.state,
                "joined_method": account.joined_method,
                "joined_timestamp": iso(account.joined_timestamp),
                "parent_id": account.parent_id,
                "ou_path": snap.ou_path(account.id),
                "tags": dict(snap.tags_of(account.id)),
                "delegated_services": list(snap.delegated_services_of(account.id)),
                "policies": [
                    {
                        "id": a.policy.id,
                        "name": a.policy.name,
                        "type": a.policy.type,
                        "attached_to": a.attached_to,
                    }
                    for a in snap.applied_policies(account.id)
                ],
                **_recovery_fields(snap, account.id),
                "verdict": result.verdict,
                "findings": [
                    {"code": f.code, "severity": f.severity, "message": f.message, "fix": f.fix}
                    for f in result.findings
                ],
            }
        )
    org = snap.organization
    return {
        "generated_at": iso(now),
        "organization": {
            "id": org.id,
            "management_account_id": org.management_account_id,
            "feature_set": org.feature_set,
        },
        "caller": {"account": snap.caller.account, "arn": snap.caller.arn},
        "destination": destination,
        "summary": {"accounts": len(accounts), **counts},
        "checks": {
            **{name: snap.impact.check(name).to_report(name) for name in CHECK_NAMES},
            # only when asked for (--recovery): a report without it stays as it was
            **(
                {"recovery": snap.recovery_check.to_report("recovery")}
                if snap.recovery_check is not None
                else {}
            ),
        },
        "accounts": accounts,
    }


def _recovery_fields(snap: Snapshot, account_id: str) -> dict[str, Any]:
    """The account's `recovery` object, when the check was asked for (null: not read)."""
    if snap.recovery_check is None:
        return {}
    found = snap.recovery.get(account_id)
    if found is None:
        return {"recovery": None}
    return {
        "recovery": {
            "root_email": found.root_email,
            "phone": found.phone,
            "contact_name": found.contact_name,
            "alternate_contacts": {
                kind: (
                    {"name": c.name, "email": c.email, "phone": c.phone, "title": c.title}
                    if c is not None
                    else None
                )
                for kind, c in found.alternates.items()
            },
            "created_by_organization": found.created,
            "missing": found.missing,
        }
    }


def recovery_short(a: Mapping[str, Any]) -> str:
    """The recovery object in a few words, for CSV, Markdown and the table."""
    found = a.get("recovery")
    if found is None:
        return "not read"
    if found["missing"]:
        return "missing: " + ", ".join(found["missing"])
    return "contacts set"


def unchecked(doc: Mapping[str, Any]) -> list[str]:
    """The impact checks the report's document says were not made, with why (and a note
    they carry), in words; checks skipped for the same reason are named together."""
    return group_skipped(
        (name, "; ".join(filter(None, (check.get("reason") or "not read", check.get("note")))))
        for name, check in doc.get("checks", {}).items()
        if check["status"] != "checked"
    )


def checked_in_part(doc: Mapping[str, Any]) -> list[str]:
    """The impact checks made that could not see everything, with their note:
    `control_tower (Control Tower baselines were not read: ...)`."""
    return [
        f"{name} ({check['note']})"
        for name, check in doc.get("checks", {}).items()
        if check["status"] == "checked" and check.get("note")
    ]


ALL_MADE = "all made (StackSets, Control Tower, Identity Center, RAM, SCPs)"


def checks_said(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the document's `checks` say, as (label, words) pairs, one way for every text
    format (JSON says it in `checks` itself): the checks not made and why, the checks made
    in part and their notes, or that all were made. The words may quote AWS: raw here."""
    said = [
        (label, "; ".join(parts))
        for label, parts in (
            ("Not checked", unchecked(doc)),
            ("Checked in part", checked_in_part(doc)),
        )
        if parts
    ]
    return said or [("Impact checks", ALL_MADE)]


def checks_complete(said: list[tuple[str, str]]) -> bool:
    return said == [("Impact checks", ALL_MADE)]


def by_verdict(accounts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Accounts in report order: blocked first, then to review, then ready; by name."""
    return sorted(accounts, key=lambda a: (VERDICT_ORDER[a["verdict"]], a["name"]))


def summary_words(summary: Mapping[str, int], review: str = "review") -> str:
    """`1 account, 1 blocked, 0 review, 0 ready`: the counts with the noun agreeing."""
    return (
        f"{plural(summary['accounts'], 'account')}, {summary['blocked']} blocked, "
        f"{summary['review']} {review}, {summary['ready']} ready"
    )


# --- JSON ---------------------------------------------------------------------------------


def to_json(doc: Mapping[str, Any], width: int | None = None) -> str:
    """The document itself: raw values, which json escapes (control characters included);
    the invisible and bidi characters `clean()` shows are written as `\\uXXXX` too, so a
    pager or an editor showing the file draws none of them; any other text as it is."""
    return escape_for_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


# --- CSV ----------------------------------------------------------------------------------

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


# --- Markdown -----------------------------------------------------------------------------

# Backslash first, so that the escapes added after it are not escaped again. Pipes end a
# table cell; <, > open raw HTML; [, ] make links and images; backticks open code spans.
_MD_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\|<>[]`"})


def md(text: Any) -> str:
    """Untrusted text in Markdown: one line, control characters visible, and nothing a
    viewer would take for a table cell's end, HTML, a link or code."""
    return clean(text).translate(_MD_ESCAPES)


def to_markdown(doc: Mapping[str, Any], width: int | None = None) -> str:
    s = doc["summary"]
    org = doc["organization"]
    lines = [
        f"## orgtui audit: organization {md(org['id'])}",
        "",
        f"Generated {md(doc['generated_at'])} by {md(doc['caller']['arn'])}; management "
        f"account {md(org['management_account_id'])}.",
        "",
        _md_destination(doc),
        "",
        f"**{plural(s['accounts'], 'account')}: {s['blocked']} blocked, {s['review']} to "
        f"review, {s['ready']} ready.**",
        "",
        *_md_checks(doc),
        "",
    ]
    recovery = "recovery" in doc.get("checks", {})
    lines += (
        [
            "| Account | Id | OU path | State | Verdict | Findings | Recovery |",
            "|---|---|---|---|---|---|---|",
        ]
        if recovery
        else [
            "| Account | Id | OU path | State | Verdict | Findings |",
            "|---|---|---|---|---|---|",
        ]
    )
    for a in by_verdict(doc["accounts"]):
        codes = ", ".join(f["code"] for f in a["findings"]) or "none"
        extra = f" {md(recovery_short(a))} |" if recovery else ""
        lines.append(
            f"| {md(a['name'])} | {md(a['id'])} | {md(' / '.join(a['ou_path']))} | "
            f"{md(a['state'])} | {a['verdict']} | {md(codes)} |{extra}"
        )
    blocked = [a for a in doc["accounts"] if a["verdict"] == "blocked"]
    if blocked:
        lines += ["", "### Blockers", ""]
        for a in blocked:
            for f in a["findings"]:
                if f["severity"] == "blocker":
                    lines.append(
                        f"- **{md(a['name'])}** ({md(a['id'])}) {md(f['code'])}: "
                        f"{md(f['message'])} *Fix:* {md(f['fix'])}"
                    )
    return "\n".join(lines) + "\n"


def _md_destination(doc: Mapping[str, Any]) -> str:
    destination = doc.get("destination", DEFAULT_DESTINATION)
    return f"Verdicts for the destination **{destination}**: {DESTINATION_WORDS[destination]}."


def _md_checks(doc: Mapping[str, Any]) -> list[str]:
    """The paragraphs under the summary: that every impact check was made, or which were
    not (and why) and which were made in part (and their notes)."""
    said = checks_said(doc)
    if checks_complete(said):
        return [f"Impact checks: {ALL_MADE}."]
    paragraphs = [
        f"**{label}:** {md(words)}. Findings of these kinds may be missing."
        for label, words in said
    ]
    return [line for paragraph in paragraphs for line in ("", paragraph)][1:]


# --- table --------------------------------------------------------------------------------

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


# --- the formats ----------------------------------------------------------------------------

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
