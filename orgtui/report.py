"""The headless audit: one document, written as a rich table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orgtui.impact_model import CHECK_NAMES, group_skipped
from orgtui.model import Assessment, Snapshot, iso
from orgtui.rules import assess

FORMATS = ("table", "json", "csv", "markdown")
VERDICT_ORDER = {"blocked": 0, "review": 1, "ready": 2}
VERDICT_STYLE = {"blocked": "bold red", "review": "yellow", "ready": "green"}


def build(
    snap: Snapshot, now: datetime, account_ids: Iterable[str] | None = None
) -> dict[str, Any]:
    """The JSON report document of DESIGN.md, for all accounts or the ones asked for."""
    wanted = list(account_ids) if account_ids else None
    ids = wanted if wanted is not None else list(snap.accounts)
    accounts = []
    counts = {"blocked": 0, "review": 0, "ready": 0}
    for acc_id in ids:
        account = snap.accounts[acc_id]
        result: Assessment = assess(account, snap, now)
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
        "summary": {"accounts": len(accounts), **counts},
        "checks": {name: snap.impact.check(name).to_report(name) for name in CHECK_NAMES},
        "accounts": accounts,
    }


def unchecked(doc: Mapping[str, Any]) -> list[str]:
    """The impact checks the report's document says were not made, with why, in words;
    checks skipped for the same reason are named together."""
    return group_skipped((name, check.get("reason") or "not read")
                         for name, check in doc.get("checks", {}).items()
                         if check["status"] != "checked")


def to_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# `unchecked` (last, so the columns before keep their places) names the impact checks that
# were skipped, e.g. "identity_center;ram". Skipping is organization-wide, so every row
# carries the same value: CSV stays one row per account, and a row cut out of the file
# still says that its findings may be incomplete. The reasons are in the JSON report.
CSV_COLUMNS = (
    "id", "name", "email", "state", "joined_method", "joined_timestamp", "parent_id",
    "ou_path", "verdict", "findings", "delegated_services", "tags", "policies", "unchecked",
)


def to_csv(doc: Mapping[str, Any]) -> str:
    """One row per account; tags as k=v;k=v, findings as codes; quoting by the csv module."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # With "\n" as line terminator the csv module leaves a lone "\r" unquoted, and readers
    # take it for a line break: rows holding one are written with every field quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    skipped = ";".join(n for n, c in doc.get("checks", {}).items() if c["status"] != "checked")
    for a in doc["accounts"]:
        row = [
            a["id"], a["name"], a["email"], a["state"], a["joined_method"],
            a["joined_timestamp"] or "", a["parent_id"], "/".join(a["ou_path"]),
            a["verdict"], ";".join(f["code"] for f in a["findings"]),
            ";".join(a["delegated_services"]),
            ";".join(f"{k}={v}" for k, v in a["tags"].items()),
            ";".join(p["name"] for p in a["policies"]),
            skipped,
        ]
        (quoted if any("\r" in str(cell) for cell in row) else writer).writerow(row)
    return out.getvalue()


def _md(text: Any) -> str:
    """A Markdown table cell: pipes escaped, line breaks folded."""
    return (
        str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    )


def to_markdown(doc: Mapping[str, Any]) -> str:
    s = doc["summary"]
    org = doc["organization"]
    lines = [
        f"## orgtui audit: organization {org['id']}",
        "",
        f"Generated {doc['generated_at']} by `{_md(doc['caller']['arn'])}`; management "
        f"account {org['management_account_id']}.",
        "",
        f"**{s['accounts']} accounts: {s['blocked']} blocked, {s['review']} to review, "
        f"{s['ready']} ready.**",
        "",
        _md_checks(doc),
        "",
        "| Account | Id | OU path | State | Verdict | Findings |",
        "|---|---|---|---|---|---|",
    ]
    for a in sorted(doc["accounts"], key=lambda a: (VERDICT_ORDER[a["verdict"]], a["name"])):
        codes = ", ".join(f["code"] for f in a["findings"]) or "none"
        lines.append(
            f"| {_md(a['name'])} | {a['id']} | {_md(' / '.join(a['ou_path']))} | "
            f"{_md(a['state'])} | {a['verdict']} | {_md(codes)} |"
        )
    blocked = [a for a in doc["accounts"] if a["verdict"] == "blocked"]
    if blocked:
        lines += ["", "### Blockers", ""]
        for a in blocked:
            for f in a["findings"]:
                if f["severity"] == "blocker":
                    lines.append(
                        f"- **{_md(a['name'])}** ({a['id']}) {f['code']}: {_md(f['message'])} "
                        f"*Fix:* {_md(f['fix'])}"
                    )
    return "\n".join(lines) + "\n"


def _md_checks(doc: Mapping[str, Any]) -> str:
    """The line under the summary: which impact checks were made, and which not and why."""
    missing = unchecked(doc)
    if not missing:
        return "Impact checks: all made (StackSets, Control Tower, Identity Center, RAM, SCPs)."
    return f"**Not checked:** {_md('; '.join(missing))}. Findings of these kinds may be missing."


def to_table(doc: Mapping[str, Any], console: Console) -> None:
    s = doc["summary"]
    table = Table(
        title=f"Organization {escape(doc['organization']['id'])}: {s['accounts']} accounts, "
        f"{s['blocked']} blocked, {s['review']} review, {s['ready']} ready",
        expand=False,
    )
    for col in ("Account", "Id", "OU path", "State", "Verdict", "Findings"):
        table.add_column(col, overflow="fold")
    for a in sorted(doc["accounts"], key=lambda a: (VERDICT_ORDER[a["verdict"]], a["name"])):
        # Names are data, not markup: "[/]" in an account name must neither style nor raise.
        table.add_row(
            escape(a["name"]), a["id"], escape(" / ".join(a["ou_path"])), escape(a["state"]),
            f"[{VERDICT_STYLE[a['verdict']]}]{a['verdict']}[/]",
            "\n".join(f["code"] for f in a["findings"]) or "-",
        )
    console.print(table)
    missing = unchecked(doc)
    if missing:
        console.print(f"Not checked: {escape('; '.join(missing))}.", style="yellow")


def render(doc: Mapping[str, Any], fmt: str, *, width: int | None = None) -> str:
    """The report as text in one of FORMATS."""
    if fmt == "json":
        return to_json(doc)
    if fmt == "csv":
        return to_csv(doc)
    if fmt == "markdown":
        return to_markdown(doc)
    if fmt == "table":
        buf = io.StringIO()
        to_table(doc, Console(file=buf, width=width or 160, force_terminal=False,
                              color_system=None))
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt}")
