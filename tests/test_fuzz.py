"""Property tests (hypothesis) for the pure core: readiness rules and the report writers.

Snapshots are generated with hostile text everywhere a person or AWS can put text (account,
OU and root names, emails, tag keys and values, policy names): unicode, commas, quotes,
pipes, backslashes, semicolons, rich markup brackets, CR and LF, terminal escapes (OSC,
CSI, C1, BEL), invisible bidi and zero-width characters, spreadsheet formulas, HTML,
links and backticks. Accounts have from zero
to fifty tags, optional fields missing, naive or non-UTC timestamps, and `Status` without
`State`. Example counts stay modest so the file runs in seconds on two cores.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgtui import report
from orgtui.model import (
    ACCOUNT_STATES,
    Account,
    Caller,
    Organization,
    OrgUnit,
    Policy,
    Root,
    Snapshot,
    frozen_map,
)
from orgtui.rules import WAIT_PERIOD, assess
from orgtui.text import clean

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SEVERITY = {
    "MANAGEMENT_ACCOUNT": "blocker",
    "DELEGATED_ADMIN": "blocker",
    "WAIT_PERIOD_ACTIVE": "blocker",
    "NOT_ACTIVE": "blocker",
    "STANDALONE_UNVERIFIED": "warning",
    "TAGS_WILL_BE_DELETED": "notice",
    "POLICIES_STOP_APPLYING": "notice",
}

NOW = datetime(2026, 11, 28, 17, 0, tzinfo=timezone.utc)
MGMT = "111111111111"

# Text that breaks naive writers, mixed with arbitrary unicode (no surrogates: AWS and
# JSON both reject them).
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        ",",
        ";",
        "=",
        "|",
        "||",
        "\\",
        "\\|",
        '"',
        "'",
        "`",
        "\n",
        "\r",
        "\r\n",
        "[bold]",
        "[/]",
        "[/foo]",
        "[red]x",
        "*",
        "**",
        "_",
        "#",
        "<br>",
        "-",
        "a,b|c;d=e",
        "naïve",
        "日本語",
        "🙂",
        "\t",
        "\u2028",
        "\x00",
        "--",
        "=cmd|' /C calc'!A0",
        # terminal escapes and invisible characters
        "\x1b]52;c;cm0gLXJm\x07",
        "\x1b]2;title\x07",
        "\x1b[2J",
        "\x1b[31m",
        "\x07",
        "\x7f",
        "\x9b",
        "\x9d0;t\x9c",
        "\u202e",
        "\u200b",
        "\ufeff",
        # spreadsheet formulas, HTML, links, code
        "+cmd|' /C calc'!A0",
        "@SUM(1)",
        '=HYPERLINK("http://e","x")',
        "-1+1",
        "<script>",
        "</td>",
        "[x](http://e)",
        "![i](http://e/i.png)",
        "```",
        "&lt;",
    ]
)
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=5).map("".join)
ACCOUNT_ID = st.from_regex(r"\A[0-9]{12}\Z")
STATE = st.one_of(st.sampled_from(ACCOUNT_STATES), TEXT)
JOINED = st.sampled_from(["INVITED", "CREATED", "UNKNOWN", ""])


def _timestamps() -> st.SearchStrategy[datetime | None]:
    aware = st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2030, 1, 1),
        timezones=st.sampled_from(
            [timezone.utc, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
    naive = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1))
    near = st.integers(min_value=-6 * 24 * 60, max_value=60).map(
        lambda m: NOW + timedelta(minutes=m)
    )
    return st.one_of(st.none(), aware, naive, near)


TAGS = st.one_of(
    st.just({}),
    st.dictionaries(TEXT.filter(bool), TEXT, max_size=6),
    st.builds(lambda v: {f"k{i}|,;=\n": f"{v}{i}" for i in range(50)}, TEXT),
)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    """A small organization: a root, up to three nested OUs, up to six accounts."""
    root = Root(
        "r-ab12", draw(TEXT) or "Root", "arn:root", (("SERVICE_CONTROL_POLICY", "ENABLED"),)
    )
    ou_ids: list[str] = []
    ous: dict[str, OrgUnit] = {}
    for i in range(draw(st.integers(0, 3))):
        parent = draw(st.sampled_from([root.id, *ou_ids]))
        ou_id = f"ou-ab12-{i:08d}"
        ous[ou_id] = OrgUnit(ou_id, draw(TEXT), f"arn:{ou_id}", parent)
        ou_ids.append(ou_id)
    parents = [root.id, *ou_ids]

    ids = draw(st.lists(ACCOUNT_ID, min_size=1, max_size=6, unique=True))
    if draw(st.booleans()):
        ids[0] = MGMT
    accounts: dict[str, Account] = {}
    for acc_id in ids:
        accounts[acc_id] = Account(
            id=acc_id,
            name=draw(TEXT),
            email=draw(TEXT),
            arn=f"arn:{acc_id}",
            state=draw(STATE),
            joined_method=draw(JOINED),
            joined_timestamp=draw(_timestamps()),
            parent_id=draw(st.sampled_from(parents)),
        )
    child_ous = {p: tuple(o for o in ou_ids if ous[o].parent_id == p) for p in parents}
    child_accounts = {p: tuple(a for a in ids if accounts[a].parent_id == p) for p in parents}

    tags = {a: draw(TAGS) for a in ids if draw(st.booleans())}
    delegated = {
        a: tuple(draw(st.lists(TEXT.filter(bool), min_size=1, max_size=3)))
        for a in ids
        if draw(st.integers(0, 3)) == 0
    }
    policies = {
        "p-FullAWSAccess": Policy(
            "p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY", True
        )
    }
    attachments: dict[str, list[str]] = {root.id: ["p-FullAWSAccess"]}
    for i in range(draw(st.integers(0, 3))):
        pid = f"p-fuzz{i:04d}"
        policies[pid] = Policy(
            pid,
            draw(TEXT),
            draw(st.sampled_from(["SERVICE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY"])),
        )
        for target in draw(st.lists(st.sampled_from([*parents, *ids]), max_size=3, unique=True)):
            attachments.setdefault(target, []).append(pid)

    return Snapshot(
        organization=Organization("o-fuzz12345", "arn:org", MGMT, "m@example.com", "ALL"),
        caller=Caller(MGMT, draw(TEXT) or "arn:aws:iam::111111111111:user/x"),
        roots=(root,),
        ous=frozen_map(ous),
        accounts=frozen_map(accounts),
        child_ous=frozen_map(child_ous),
        child_accounts=frozen_map(child_accounts),
        loaded_at=NOW,
        tags=frozen_map({k: frozen_map(v) for k, v in tags.items()}),
        delegated=frozen_map(delegated),
        policies=frozen_map(policies),
        attachments=frozen_map({k: tuple(v) for k, v in attachments.items()}),
        enriched=True,
    )


NOWS = st.one_of(
    st.just(NOW),
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2031, 1, 1),
        timezones=st.just(timezone.utc),
    ),
)


# --- readiness -----------------------------------------------------------------------


@FUZZ
@given(snapshots(), NOWS)
def test_readiness_verdict_follows_severities(snap: Snapshot, now: datetime) -> None:
    for account in snap.accounts.values():
        result = assess(account, snap, now)
        severities = {f.severity for f in result.findings}
        expected = (
            "blocked"
            if "blocker" in severities
            else "review"
            if "warning" in severities
            else "ready"
        )
        assert result.verdict == expected
        for finding in result.findings:
            assert SEVERITY[finding.code] == finding.severity
            assert finding.message.strip() and finding.fix.strip()
        codes = [f.code for f in result.findings]
        assert len(codes) == len(set(codes)), "a rule fired twice"

        if account.id == snap.organization.management_account_id:
            assert codes == ["MANAGEMENT_ACCOUNT"] and result.verdict == "blocked"
            continue
        assert "MANAGEMENT_ACCOUNT" not in codes
        assert ("NOT_ACTIVE" in codes) == (account.state != "ACTIVE")
        assert ("STANDALONE_UNVERIFIED" in codes) == (account.joined_method == "CREATED")
        assert ("TAGS_WILL_BE_DELETED" in codes) == bool(snap.tags_of(account.id))
        assert ("DELEGATED_ADMIN" in codes) == bool(snap.delegated_services_of(account.id))
        joined = account.joined_timestamp
        if joined is not None and joined.tzinfo is None:
            joined = joined.replace(tzinfo=timezone.utc)
        waiting = (
            account.joined_method == "CREATED" and joined is not None and now < joined + WAIT_PERIOD
        )
        assert ("WAIT_PERIOD_ACTIVE" in codes) == waiting
        tags_finding = [f for f in result.findings if f.code == "TAGS_WILL_BE_DELETED"]
        for key, value in snap.tags_of(account.id).items():
            assert f"{key}={value}" in tags_finding[0].message


RAW_ACCOUNT = st.fixed_dictionaries(
    {"Id": ACCOUNT_ID},
    optional={
        "Name": TEXT,
        "Email": TEXT,
        "Arn": TEXT,
        "State": st.one_of(st.sampled_from(ACCOUNT_STATES), st.just("")),
        "Status": st.sampled_from(["ACTIVE", "SUSPENDED", "PENDING_CLOSURE"]),
        "JoinedMethod": JOINED,
        "JoinedTimestamp": _timestamps(),
    },
)


@FUZZ
@given(RAW_ACCOUNT)
def test_account_from_api_reads_state_then_status(raw: dict[str, Any]) -> None:
    account = Account.from_api(raw, "r-ab12")
    assert account.state == (raw.get("State") or raw.get("Status") or "UNKNOWN")
    assert account.joined_method in ("INVITED", "CREATED", "UNKNOWN")
    ts = account.joined_timestamp
    assert ts is None or ts.utcoffset() == timedelta(0)
    # An account read from any API shape can be assessed.
    snap = Snapshot(
        organization=Organization("o-fuzz12345", "", MGMT, "", "ALL"),
        caller=Caller(MGMT, "arn"),
        roots=(Root("r-ab12", "Root", ""),),
        ous=frozen_map(),
        accounts=frozen_map({account.id: account}),
        child_ous=frozen_map({"r-ab12": ()}),
        child_accounts=frozen_map({"r-ab12": (account.id,)}),
        loaded_at=NOW,
    )
    doc = report.build(snap, NOW)
    assert doc["accounts"][0]["state"] == account.state
    assert json.loads(report.to_json(doc)) == doc


# --- report writers ----------------------------------------------------------------------


def _csv_cell(raw: str) -> str:
    """What a CSV cell must hold for `raw`: the one sanitizer's text, and a formula made
    plain text with a leading `'` (OWASP's prefixes)."""
    text = clean(raw)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _expected_csv_row(a: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    unchecked = ";".join(n for n, c in doc["checks"].items() if c["status"] != "checked")
    checks = " ".join(f"{label}: {words}." for label, words in report.checks_said(doc))
    return [
        _csv_cell(cell)
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
            unchecked,
            checks,
        )
    ]


def _unsafe(text: str) -> list[str]:
    """Characters no text report may hold: C0 controls but the line feed, DEL, C1, and
    the invisible characters clean() shows as escapes."""
    return [ch for ch in text if ch != "\n" and clean(ch) != ch]


def _md_unescape(cell: str) -> tuple[str, list[str]]:
    """A Markdown cell's text with backslash escapes undone, and the characters a viewer
    would act on that no backslash escapes (pipes, HTML, links, code)."""
    out, live, i = "", [], 0
    while i < len(cell):
        if cell[i] == "\\" and i + 1 < len(cell):
            out += cell[i + 1]
            i += 2
            continue
        if cell[i] in "|<>[]`":
            live.append(cell[i])
        out += cell[i]
        i += 1
    return out, live


def _cells(row: str) -> list[str]:
    """The cells of a Markdown table row, splitting on pipes not escaped by a backslash."""
    cells, current, i = [], "", 0
    while i < len(row):
        ch = row[i]
        if ch == "\\" and i + 1 < len(row):
            current += row[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current)
    assert cells[0] == "" and cells[-1] == "", f"row does not start and end with a pipe: {row!r}"
    return cells[1:-1]


@FUZZ
@given(snapshots())
def test_json_round_trips(snap: Snapshot) -> None:
    doc = report.build(snap, NOW)
    assert json.loads(report.render(doc, "json")) == doc
    assert doc["summary"]["accounts"] == len(snap.accounts)
    assert sum(doc["summary"][v] for v in ("blocked", "review", "ready")) == len(snap.accounts)
    for a in doc["accounts"]:
        assert a["tags"] == dict(snap.tags_of(a["id"]))
        assert a["name"] == snap.accounts[a["id"]].name


@FUZZ
@given(snapshots())
def test_csv_parses_back_intact(snap: Snapshot) -> None:
    doc = report.build(snap, NOW)
    text = report.render(doc, "csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(report.CSV_COLUMNS)
    assert len(rows) == 1 + len(doc["accounts"])
    for row, account in zip(rows[1:], doc["accounts"], strict=True):
        assert len(row) == len(report.CSV_COLUMNS)
        assert row == _expected_csv_row(account, doc)
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert _unsafe(text) == []


@FUZZ
@given(snapshots())
def test_markdown_table_stays_well_formed(snap: Snapshot) -> None:
    doc = report.build(snap, NOW)
    text = report.render(doc, "markdown")
    # CommonMark ends a line at LF, CR or CRLF: none may appear inside a row or item.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    start = lines.index("| Account | Id | OU path | State | Verdict | Findings |")
    rows = lines[start + 2 : start + 2 + len(doc["accounts"])]
    assert len(rows) == len(doc["accounts"])
    for row in rows:
        assert len(_cells(row)) == 6, row
    ids = sorted(_cells(row)[1].strip() for row in rows)
    assert ids == sorted(a["id"] for a in doc["accounts"])
    assert _unsafe(text) == []
    by_id = {_cells(row)[1].strip(): _cells(row) for row in rows}
    for a in doc["accounts"]:
        cells = by_id[a["id"]]
        for cell, raw in (
            (cells[0], a["name"]),
            (cells[2], " / ".join(a["ou_path"])),
            (cells[3], a["state"]),
        ):
            text, live = _md_unescape(cell.strip())
            assert live == [], cell
            assert text == clean(raw).strip(), cell
    for line in lines:  # the heading, the summary, the blockers too: no HTML, link or code
        assert [ch for ch in _md_unescape(line)[1] if ch != "|"] == [], line
    rest = lines[start + 2 + len(doc["accounts"]) :]
    blockers = [
        f
        for a in doc["accounts"]
        if a["verdict"] == "blocked"
        for f in a["findings"]
        if f["severity"] == "blocker"
    ]
    if blockers:
        assert rest[:3] == ["", "### Blockers", ""]
        assert len(rest) == 3 + len(blockers)
        assert all(line.startswith("- **") for line in rest[3:])
    else:
        assert rest == []


@FUZZ
@given(snapshots())
def test_table_renders_any_names(snap: Snapshot) -> None:
    """Names are data, not rich markup: '[/]' or '[bold]' in a name neither raises nor styles."""
    doc = report.build(snap, NOW)
    text = report.render(doc, "table", width=400)
    n = len(snap.accounts)
    assert f"{n} account{'' if n == 1 else 's'}," in text
    assert " 1 accounts" not in text
    for a in doc["accounts"]:
        assert a["id"] in text
    assert _unsafe(text) == []


@FUZZ
@given(snapshots(), st.integers(min_value=40, max_value=200))
def test_table_keeps_ids_whole_at_any_width(snap: Snapshot, width: int) -> None:
    """At any width from 40 columns, no line is wider than the console, every id is
    whole on one line and every finding code whole, and no control character shows."""
    from rich.cells import cell_len

    doc = report.build(snap, NOW)
    text = report.render(doc, "table", width=width)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    for a in doc["accounts"]:
        assert any(a["id"] in line for line in lines), (a["id"], text)
        for f in a["findings"]:
            assert any(f["code"] in line for line in lines), (f["code"], text)
    assert _unsafe(text) == []


def test_table_shows_markup_in_names_literally() -> None:
    snap = Snapshot(
        organization=Organization("o-fuzz12345", "", MGMT, "", "ALL"),
        caller=Caller(MGMT, "arn"),
        roots=(Root("r-ab12", "[/]Root", ""),),
        ous=frozen_map(),
        accounts=frozen_map(
            {
                "222222222222": Account(
                    "222222222222",
                    "[bold]prod[/bold] [/x]",
                    "",
                    "",
                    "ACTIVE",
                    "INVITED",
                    None,
                    "r-ab12",
                )
            }
        ),
        child_ous=frozen_map({"r-ab12": ()}),
        child_accounts=frozen_map({"r-ab12": ("222222222222",)}),
        loaded_at=NOW,
    )
    text = report.render(report.build(snap, NOW), "table", width=200)
    assert "[bold]prod[/bold] [/x]" in text
    assert "[/]Root" in text
