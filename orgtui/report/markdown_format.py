"""The Markdown report, for tickets: the summary, what the impact checks said, and a
table of accounts, every cell cleaned and escaped so no viewer renders markup from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgtui.model import DEFAULT_DESTINATION, DESTINATION_WORDS
from orgtui.report.document import (
    ALL_MADE,
    by_verdict,
    checks_complete,
    checks_said,
    recovery_short,
)
from orgtui.text import clean, plural

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
