"""The audit's document: `build` turns a snapshot into the report's JSON-shaped document
(DESIGN.md's report), and the readers every text format shares take it back apart (the
accounts in report order, the counts in words, what the impact checks said).

The document keeps AWS's text raw; each format escapes what it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from orgtui.impact_model import CHECK_NAMES, group_skipped
from orgtui.model import DEFAULT_DESTINATION, Destination, Snapshot, iso
from orgtui.rules import assess_all
from orgtui.text import plural

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
