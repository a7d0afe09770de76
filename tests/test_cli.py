"""The command line: options, exit codes, the report formats, and every error in words."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from orgtui import __version__
from orgtui.cli import main
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, OuSpec, PolicySpec, build_org

ROOT = Path(__file__).resolve().parent.parent
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ACCOUNT_KEYS = {
    "id",
    "name",
    "email",
    "state",
    "joined_method",
    "joined_timestamp",
    "parent_id",
    "ou_path",
    "tags",
    "delegated_services",
    "policies",
    "verdict",
    "findings",
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_error(code: int, err: str, what: str, fix: str) -> None:
    """Exit 1, two lines on stderr (what happened, how to fix it), no traceback."""
    assert code == 1, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("orgtui: ")]
    errors = [line for line in lines if line.startswith(("orgtui: error:", "orgtui: fix:"))]
    assert len(errors) == 2, err
    assert errors[0].startswith("orgtui: error: ") and what in errors[0], err
    assert errors[1].startswith("orgtui: fix: ") and fix in errors[1], err


# --- options and usage -----------------------------------------------------------------


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"orgtui {__version__}"


def test_help_lists_the_contract(capsys):
    code, out, _ = run(capsys, "-h")
    assert code == 0
    for option in (
        "audit",
        "--profile",
        "--region",
        "--endpoint-url",
        "--demo",
        "--concurrency",
        "--no-cache",
        "--version",
        "--report",
        "-o",
        "--account",
        "--fail-on",
        "table",
        "json",
        "csv",
        "markdown",
    ):
        assert option in out, option


def test_audit_help_describes_the_audit(capsys):
    code, top, _ = run(capsys, "--help")
    assert code == 0
    code, audit, _ = run(capsys, "audit", "--help")
    assert code == 0
    assert audit != top
    audit, top = " ".join(audit.split()), " ".join(top.split())
    assert "read-only" in audit and "headless audit" in audit and "--fail-on" in audit
    assert "interactive session" in top
    # Found after other options too, and with an option's value that reads "audit".
    assert " ".join(run(capsys, "--demo", "audit", "-h")[1].split()) == audit
    assert " ".join(run(capsys, "--profile", "audit", "-h")[1].split()) == top


def test_concurrency_range_is_one_number_in_help_and_error(capsys):
    _, out, _ = run(capsys, "--help")
    _, _, err = run(capsys, "--concurrency", "65")
    assert "from 1 to 64" in " ".join(out.split()) and "from 1 to 64" in err
    assert "32" not in " ".join(out.split()).split("--concurrency", 1)[1].split("--no-cache")[0]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["audit", "--report", "json", "--account", "12345"], "12 digits"),
        (["audit", "--report", "json", "--account", "12345678901a"], "12 digits"),
        (["audit", "--report", "json", "--account", "1111-2222-333"], "1111-2222-3333"),
        (["audit", "--report", "json", "--account", "11112-222-3333"], "12 digits"),
        (["audit", "--report", "json", "--endpoint-url", "not a url"], "needs http:// or https://"),
        (["audit", "--report", "json", "--endpoint-url", "127.0.0.1:5000"], "and a host"),
        (["audit", "--report", "json", "--endpoint-url", "ftp://127.0.0.1"], "http://"),
        (["audit", "--report", "json", "--endpoint-url", "http://"], "a host"),
        (["audit", "--report", "json", "--endpoint-url", "http://h:99999"], "endpoint URL"),
        (["audit", "--report", "json", "--endpoint-url", "http://[::1"], "endpoint URL"),
        (["--endpoint-url", "https://moto server"], "endpoint URL"),
        (["--report", "json"], "--report goes with"),
        (["audit", "-o", "x.json"], "needs --report"),
        (["audit", "--fail-on", "blocked"], "needs --report"),
        (["audit", "--report", "yaml"], "invalid choice"),
        (["audit", "--report", "json", "--fail-on", "never"], "invalid choice"),
        (["--concurrency", "0"], "must be `auto` or from 1 to 64"),
        (["--concurrency", "many"], "is not `auto` or a whole number"),
        (["remove"], "invalid choice"),
        (["--demo", "--endpoint-url", "http://127.0.0.1:5000"], "leave out --endpoint-url"),
        (["audit", "--endpoint-url", "http://127.0.0.1:5000", "--demo"], "leave out"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert words in err
    assert out == "" and "Traceback" not in err


# --- reports on the demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_json() -> dict:
    """The demo's JSON report, produced once through the CLI in this process."""
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["audit", "--demo", "--report", "json"]) == 0
    return json.loads(out.getvalue())


def test_json_report_is_exactly_the_design(demo_json):
    doc = demo_json
    assert list(doc) == [
        "generated_at",
        "organization",
        "caller",
        "destination",
        "summary",
        "checks",
        "accounts",
    ]
    assert doc["destination"] == "standalone"
    assert list(doc["checks"]) == [
        "stacksets",
        "control_tower",
        "identity_center",
        "ram",
        "scp_leave",
    ]
    for name, check in doc["checks"].items():
        assert check["status"] == "checked", (name, check)
        assert set(check) <= {"status", "regions", "note"}
        assert ("regions" in check) == (name in ("stacksets", "ram"))
    assert ISO_Z.match(doc["generated_at"])
    assert set(doc["organization"]) == {"id", "management_account_id", "feature_set"}
    assert doc["organization"]["management_account_id"] == "123456789012"
    assert doc["organization"]["feature_set"] == "ALL"
    assert doc["organization"]["id"].startswith("o-")
    assert set(doc["caller"]) == {"account", "arn"}
    assert set(doc["summary"]) == {"accounts", "blocked", "review", "ready"}
    s = doc["summary"]
    assert s["accounts"] == len(doc["accounts"]) == 40
    assert s["blocked"] + s["review"] + s["ready"] == s["accounts"]
    assert min(s["blocked"], s["review"], s["ready"]) > 0
    for a in doc["accounts"]:
        assert set(a) == ACCOUNT_KEYS
        assert re.fullmatch(r"\d{12}", a["id"])
        assert ISO_Z.match(a["joined_timestamp"])
        assert a["ou_path"][0] == "Root"
        assert a["verdict"] in ("blocked", "review", "ready")
        assert isinstance(a["tags"], dict) and isinstance(a["delegated_services"], list)
        for p in a["policies"]:
            assert set(p) == {"id", "name", "type", "attached_to"}
        for f in a["findings"]:
            assert set(f) == {"code", "severity", "message", "fix"}
            assert f["message"] and f["fix"]
    by_name = {a["name"]: a for a in doc["accounts"]}
    assert by_name["cardvault-prod"]["ou_path"] == ["Root", "Workloads", "Prod", "Payments", "PCI"]
    assert by_name["management"]["ou_path"] == ["Root"]
    assert [f["code"] for f in by_name["management"]["findings"]] == ["MANAGEMENT_ACCOUNT"]
    assert by_name["security-tooling"]["delegated_services"] == [
        "guardduty.amazonaws.com",
        "access-analyzer.amazonaws.com",
    ]
    assert by_name["web-prod"]["tags"] == {"team": "web", "env": "prod", "cost-center": "cc-1001"}
    assert {p["name"] for p in by_name["legacy-monolith"]["policies"]} >= {
        "RegionGuardrail",
        "BreakGlassOnly",
    }
    assert {p["name"] for p in by_name["web-prod"]["policies"]} >= {
        "DenyLeaveOrganization",
        "RegionGuardrail",
        "DenyPublicS3",
    }


def test_fail_on_blocked_and_review_exit_3(capsys):
    code, out, err = run(capsys, "audit", "--demo", "--report", "json", "--fail-on", "blocked")
    assert code == 3
    doc = json.loads(out)
    management = doc["organization"]["management_account_id"]
    blocked = sorted(
        (a for a in doc["accounts"] if a["verdict"] == "blocked" and a["id"] != management),
        key=lambda a: a["name"],
    )
    assert len(blocked) > 3
    named = ", ".join(f"{a['name']} ({a['id']})" for a in blocked[:3])
    lines = err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("orgtui: note: the management account ")
    assert lines[1] == (
        f"orgtui: --fail-on blocked: {len(blocked)} accounts are blocked: {named} and "
        f"{len(blocked) - 3} more"
    )
    code, out, err = run(capsys, "audit", "--demo", "--report", "csv", "--fail-on", "review")
    assert code == 3
    s = doc["summary"]
    met = s["blocked"] + s["review"] - 1  # all but the management account
    assert err.splitlines()[1].startswith(
        f"orgtui: --fail-on review: {met} accounts "
        f"are blocked or to review: {blocked[0]['name']} ({blocked[0]['id']})"
    )
    assert err.rstrip().endswith(f" and {met - 3} more")


def test_fail_on_leaves_out_the_management_account(capsys):
    # The management account is always blocked: it is reported, said once, never counted.
    code, out, err = run(
        capsys,
        "audit",
        "--demo",
        "--report",
        "markdown",
        "--account",
        "1234-5678-9012",
        "--fail-on",
        "blocked",
    )
    assert code == 0
    assert "**1 account: 1 blocked, 0 to review, 0 ready.**" in out
    assert "1 accounts" not in out
    assert err == (
        "orgtui: note: the management account management (123456789012) is blocked (it can "
        "never leave the organization); it is reported but does not count toward --fail-on.\n"
    )


def test_fail_on_one_account_says_which(capsys, demo_json):
    other = next(
        a["id"]
        for a in demo_json["accounts"]
        if a["verdict"] == "blocked" and a["id"] != "123456789012"
    )
    name = next(a["name"] for a in demo_json["accounts"] if a["id"] == other)
    code, _, err = run(
        capsys, "audit", "--demo", "--report", "json", "--account", other, "--fail-on", "blocked"
    )
    assert code == 3
    assert err == f"orgtui: --fail-on blocked: 1 account is blocked: {name} ({other})\n"


def test_fail_on_line_cleans_names():
    from orgtui.headless import threshold_met

    doc = {
        "accounts": [
            {"id": f"{n:012d}", "name": name, "verdict": verdict}
            for n, (name, verdict) in enumerate(
                [("b\x1b]2;title\x07", "blocked"), ("a\nfake line", "review"), ("ok", "ready")],
                start=1,
            )
        ]
    }
    assert threshold_met(doc, None) is None
    assert threshold_met(doc, "blocked") == (
        "orgtui: --fail-on blocked: 1 account is blocked: b\\x1b]2;title\\x07 (000000000001)"
    )
    line = threshold_met(doc, "review")
    assert line is not None and "\n" not in line and "\x1b" not in line
    assert line.endswith(
        "2 accounts are blocked or to review: b\\x1b]2;title\\x07 "
        "(000000000001), a\\nfake line (000000000002)"
    )
    assert threshold_met({"accounts": [doc["accounts"][2]]}, "review") is None


def test_account_ids_with_the_consoles_dashes(capsys):
    code, out, _ = run(
        capsys,
        "audit",
        "--demo",
        "--report",
        "json",
        "--account",
        "1234-5678-9012",
        "--account",
        "123456789012",
    )
    assert code == 0
    assert [a["id"] for a in json.loads(out)["accounts"]] == ["123456789012"]


def test_fail_on_not_met_exits_0(capsys):
    # An account that is ready: the threshold is not met.
    code, out, _ = run(capsys, "audit", "--demo", "--report", "json")
    ready = next(a["id"] for a in json.loads(out)["accounts"] if a["verdict"] == "ready")
    code, out, _ = run(
        capsys, "audit", "--demo", "--report", "json", "--account", ready, "--fail-on", "review"
    )
    assert code == 0
    assert [a["id"] for a in json.loads(out)["accounts"]] == [ready]


def test_account_filter_and_unknown_account(capsys, demo_json):
    ids = [a["id"] for a in demo_json["accounts"][:2]]
    code, out, _ = run(
        capsys,
        "audit",
        "--demo",
        "--report",
        "json",
        "--account",
        ids[1],
        "--account",
        ids[0],
        "--account",
        ids[1],
    )
    assert code == 0
    doc = json.loads(out)
    assert [a["id"] for a in doc["accounts"]] == [ids[1], ids[0]]
    assert doc["summary"]["accounts"] == 2
    code, _, err = run(capsys, "audit", "--demo", "--report", "json", "--account", "999999999999")
    assert_error(code, err, "999999999999", "--account")


def test_output_file(capsys, tmp_path):
    target = tmp_path / "audit.json"
    code, out, err = run(capsys, "audit", "--demo", "--report", "json", "-o", str(target))
    assert code == 0
    assert out == ""
    assert str(target) in err
    assert json.loads(target.read_text())["summary"]["accounts"] == 40


def test_output_file_not_writable(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "audit",
        "--demo",
        "--report",
        "json",
        "-o",
        str(tmp_path / "missing" / "dir" / "x.json"),
    )
    assert_error(code, err, "Could not write the report", "-o")


def test_csv_one_row_per_account(capsys, demo_json):
    code, out, _ = run(capsys, "audit", "--demo", "--report", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 40
    by_id = {r["id"]: r for r in rows}
    for a in demo_json["accounts"]:
        row = by_id[a["id"]]
        assert row["name"] == a["name"] and row["verdict"] == a["verdict"]
        assert row["findings"] == ";".join(f["code"] for f in a["findings"])
        assert row["tags"] == ";".join(f"{k}={v}" for k, v in a["tags"].items())
        assert row["ou_path"].split("/")[0] == "Root"


def test_markdown_summary_and_table(capsys, demo_json):
    code, out, _ = run(capsys, "audit", "--demo", "--report", "markdown")
    assert code == 0
    s = demo_json["summary"]
    assert (
        f"{s['accounts']} accounts: {s['blocked']} blocked, {s['review']} to review, "
        f"{s['ready']} ready" in out
    )
    table = [line for line in out.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| Account | Id | OU path")
    assert len(table) == 1 + 40  # header and one row per account
    assert all(line.count(" | ") == 5 for line in table)
    assert "### Blockers" in out and "MANAGEMENT_ACCOUNT" in out


def test_table_report(capsys):
    code, out, _ = run(capsys, "audit", "--demo", "--report", "table")
    assert code == 0
    assert "40 accounts" in out
    for name in ("management", "sandbox-alice", "cardvault-prod"):
        assert name in out


@pytest.mark.parametrize("columns", [80, 100])
def test_table_report_on_a_real_terminal(demo_json, columns):
    """In a real terminal (a pty) of 80 or 100 columns, every account id and finding
    code is whole on its line, and nothing is wider than the terminal."""
    import time

    from tests.support.terminal import spawn  # POSIX only, as the test

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc, main_fd = spawn(
        ["-m", "orgtui", "audit", "--demo", "--report", "table"],
        size=(24, columns),
        env=env,
        stderr=subprocess.PIPE,
    )
    chunks = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            data = os.read(main_fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(main_fd)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    raw = b"".join(chunks).decode("utf-8")
    assert "\x1b[" in raw  # a terminal: rich styled it
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw).replace("\r", "")
    assert "\x1b" not in text
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= columns
    for a in demo_json["accounts"]:
        assert sum(bool(re.search(rf"(?<!\d){a['id']}(?!\d)", ln)) for ln in lines) >= 1
        assert not any(re.search(rf"(?<!\d){a['id'][:-1]}$", ln) for ln in lines)
    codes = [f["code"] for a in demo_json["accounts"] for f in a["findings"]]
    for code in set(codes):
        assert len(re.findall(rf"\b{code}\b", text)) == codes.count(code), code


# --- errors, each in two lines of words ---------------------------------------------------


def test_no_credentials(capsys):
    code, _, err = run(capsys, "audit", "--report", "json")
    assert_error(code, err, "No AWS credentials", "--profile")


def test_unknown_profile(capsys, isolated_env):
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profile real]\nregion = us-east-1\n")
    code, _, err = run(capsys, "audit", "--report", "json", "--profile", "nope")
    assert_error(code, err, "'nope' does not exist", "aws configure list-profiles")


def _sso_profile(home: Path, *, expired: bool) -> None:
    start = "https://example.awsapps.com/start"
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        "[profile dev-sso]\n"
        f"sso_start_url = {start}\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n"
    )
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    if expired:
        (cache / f"{hashlib.sha1(start.encode()).hexdigest()}.json").write_text(
            json.dumps(
                {
                    "startUrl": start,
                    "region": "us-east-1",
                    "accessToken": "old",
                    "expiresAt": "2020-01-01T00:00:00Z",
                }
            )
        )


@pytest.mark.parametrize("via_env", [False, True])
def test_expired_sso_token(capsys, monkeypatch, tmp_path, via_env):
    monkeypatch.setenv("HOME", str(tmp_path))
    _sso_profile(tmp_path, expired=True)
    argv = ["audit", "--report", "json"]
    if via_env:
        monkeypatch.setenv("AWS_PROFILE", "dev-sso")
    else:
        argv += ["--profile", "dev-sso"]
    code, _, err = run(capsys, *argv)
    assert_error(code, err, "SSO session has expired", "aws sso login --profile dev-sso")


def test_sso_never_signed_in(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    _sso_profile(tmp_path, expired=False)
    code, _, err = run(capsys, "audit", "--report", "json", "--profile", "dev-sso")
    assert_error(code, err, "SSO", "aws sso login --profile dev-sso")


def test_access_denied(capsys, aws_credentials):
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail(
            "ListRoots",
            "AccessDeniedException",
            message="not authorized to perform organizations:ListRoots",
        )
        code, out, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert out == ""
    assert_error(code, err, "Access denied to organizations:ListRoots", "Grant")


def test_not_in_an_organization(capsys, moto_endpoint):
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", moto_endpoint)
    assert_error(code, err, "not a member of an organization", "belongs to an organization")


def test_not_in_an_organization_exact_aws_shape(capsys, aws_credentials):
    with FaultServer() as server:
        build_org(server.client("organizations"))
        server.fail(
            "DescribeOrganization",
            "AWSOrganizationsNotInUseException",
            message="Your account is not a member of an organization.",
        )
        code, _, err = run(capsys, "audit", "--report", "csv", "--endpoint-url", server.url)
    assert_error(code, err, "not a member of an organization", "organization")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_endpoint_unreachable(capsys, aws_credentials):
    from orgtui.aws import session

    url = f"http://127.0.0.1:{_closed_port()}"
    attempts: list[str] = []
    original = session.AwsContext._request_created

    def counting(self, operation_name: str = "", **kw):
        attempts.append(operation_name)
        return original(self, operation_name=operation_name, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(session.AwsContext, "_request_created", counting)
    try:
        code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", url)
    finally:
        mp.undo()
    assert_error(code, err, f"Could not reach the AWS endpoint {url}", "--endpoint-url")
    # an unreachable endpoint is not retried like throttling (12 attempts, minutes): each
    # call sent (DescribeOrganization, and GetCallerIdentity beside it) is tried twice
    assert attempts
    assert all(attempts.count(op) == session.CONNECT_ATTEMPTS for op in attempts), attempts


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://admin:s3cr3t@127.0.0.1:5000/path", "http://***@127.0.0.1:5000/path"),
        ("https://s3cr3t@vpce.example.com", "https://***@vpce.example.com"),
        ("http://a@b:s3cr3t@host/x@y", "http://***@host/x@y"),
        ("admin:s3cr3t@host:5000", "***@host:5000"),
        ("http://host:5000/?user=a@b", "http://host:5000/?user=a@b"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url, shown):
    from orgtui.text import redact_url

    assert redact_url(url) == shown
    assert "s3cr3t" not in redact_url(url)


def test_password_in_endpoint_url_is_never_echoed(capsys, aws_credentials):
    url = f"http://admin:s3cr3t@127.0.0.1:{_closed_port()}"
    code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", url)
    assert_error(code, err, "Could not reach the AWS endpoint", "--endpoint-url")
    assert "s3cr3t" not in err and "admin" not in err
    assert "http://***@127.0.0.1" in err
    code, _, err = run(
        capsys, "audit", "--report", "json", "--endpoint-url", "ftp://admin:s3cr3t@127.0.0.1"
    )
    assert code == 2
    assert "s3cr3t" not in err and "'ftp://***@127.0.0.1' is not an endpoint URL" in err


def test_a_hostile_settings_key_is_reported_clean(capsys):
    from orgtui import files

    path = files.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('"x\\u001b]2;pwned\\u0007\\nfake" = 1\n', encoding="utf-8")
    code, _, err = run(capsys, "audit", "--report", "json", "--demo")
    assert code == 0
    line = next(ln for ln in err.splitlines() if ln.startswith("orgtui: settings: "))
    assert "unknown setting 'x\\x1b]2;pwned\\x07\\nfake' ignored" in line
    assert "\x1b" not in err and "\x07" not in err


def test_an_error_message_from_the_endpoint_reaches_stderr_clean(capsys, aws_credentials):
    """A hostile endpoint's error message is quoted in the words, never as escapes: no
    window title, no clipboard, no second line."""
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail(
            "ListRoots",
            "AccessDeniedException",
            message="denied\x1b]2;pwned\x07\x1b]52;c;eA==\x07\nfake: line",
        )
        code, _, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert_error(code, err, "Access denied to organizations:ListRoots", "Grant")
    assert "\x1b" not in err and "\x07" not in err
    assert "denied\\x1b]2;pwned\\x07" in err and "\\nfake: line" in err


def test_member_account_credentials(capsys, monkeypatch):
    """A member's credentials: the report shows the caller's own account, says why on
    stderr, and exits 0."""
    monkeypatch.delenv("MOTO_ACCOUNT_ID")  # moto would take the account from it
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (OuSpec("Prod", (AccountSpec("member"),)),),
            policies=(PolicySpec("P", ("Prod",)),),
        )
        member = built.accounts["member"]
        creds = server.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
            RoleSessionName="member-test",
        )["Credentials"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
        monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
        server.fail("ListRoots", "AccessDeniedException")  # as AWS answers a member
        code, out, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["caller"]["account"] == member
    assert doc["organization"]["management_account_id"] == built.management_account_id
    assert [a["id"] for a in doc["accounts"]] == [member]
    assert f"member account {member}" in err and "management account" in err
    assert "Traceback" not in err


def test_management_credentials_report_every_account(capsys, aws_credentials):
    """Done-when: every account with the right path, tags, delegation, state, policies."""
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                OuSpec(
                    "Sec",
                    (
                        AccountSpec(
                            "tools",
                            tags={"team": "sec", "tier": "1"},
                            delegated=("guardduty.amazonaws.com",),
                        ),
                    ),
                    (
                        OuSpec(
                            "Deep",
                            (
                                AccountSpec(
                                    "old",
                                    joined_method="INVITED",
                                    joined_days_ago=30,
                                    state="SUSPENDED",
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            root_accounts=(AccountSpec("new", joined_days_ago=1),),
            policies=(PolicySpec("G", ("Root",)), PolicySpec("D", ("Deep",))),
        )
        code, out, err = run(capsys, "audit", "--report", "json", "--endpoint-url", server.url)
        counts = dict(server.counts)
    assert code == 0, err
    doc = json.loads(out)
    got = {a["id"]: a for a in doc["accounts"]}
    assert set(got) == set(built.expected)
    for acc_id, exp in built.expected.items():
        a = got[acc_id]
        assert a["ou_path"] == exp.ou_path
        assert a["tags"] == exp.tags
        assert set(a["delegated_services"]) == exp.delegated
        assert a["state"] == exp.state and a["joined_method"] == exp.joined_method
        assert {
            (p["name"], p["attached_to"]) for p in a["policies"] if p["id"] != "p-FullAWSAccess"
        } == exp.policies
    codes = {
        got[built.accounts[n]]["name"]: [f["code"] for f in got[built.accounts[n]]["findings"]]
        for n in ("tools", "old", "new")
    }
    assert codes["tools"][0] == "DELEGATED_ADMIN"
    assert "NOT_ACTIVE" in codes["old"] and "STANDALONE_UNVERIFIED" not in codes["old"]
    assert codes["new"][:2] == ["WAIT_PERIOD_ACTIVE", "STANDALONE_UNVERIFIED"]
    assert all(op.startswith(("List", "Describe", "Get")) for op in counts)
    # The impact checks: nothing seeded beyond the SCPs, so one call each (and their
    # DescribePolicy per attached SCP); the rest is the load's minimum.
    impact = {
        "ListStackSets": 1,
        "ListAWSServiceAccessForOrganization": 1,
        "ListInstances": 1,
        "ListPermissionSets": 1,
        "GetResourceShares": 1,
        "DescribePolicy": len(built.policies),
    }
    assert {op: counts.get(op) for op in impact} == impact
    assert sum(counts.values()) - sum(impact.values()) <= built.minimum_calls() + 3


# --- the installed console script, in a real process ---------------------------------------


def _script() -> list[str]:
    exe = Path(sys.executable).with_name("orgtui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "orgtui"]


def test_console_script_runs(tmp_path):
    env = {k: v for k, v in os.environ.items()}
    version = subprocess.run(
        [*_script(), "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert version.returncode == 0 and version.stdout.strip() == f"orgtui {__version__}"
    report = subprocess.run(
        [*_script(), "audit", "--demo", "--report", "json", "--fail-on", "blocked"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert report.returncode == 3, report.stderr
    assert json.loads(report.stdout)["summary"]["accounts"] == 40


def test_console_script_error_has_no_traceback(tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    result = subprocess.run(
        [
            *_script(),
            "audit",
            "--report",
            "json",
            "--endpoint-url",
            f"http://127.0.0.1:{_closed_port()}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith("orgtui: error: Could not reach")
    assert result.stderr.splitlines()[1].startswith("orgtui: fix: ")


def _report_into_a_pipe(env: dict[str, str], read: int) -> tuple[int, str]:
    """`python -m orgtui --demo audit --report json` into a pipe whose reader takes `read`
    bytes and closes it; the exit code and stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "orgtui", "--demo", "audit", "--report", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    if read:
        assert len(proc.stdout.read(read)) == read
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("unbuffered", [True, False])
def test_a_report_pipe_closed_mid_stream_is_an_error_in_words(unbuffered):
    """`| head -c 100`: the demo's report (120 KB) is more than the pipe holds, so its
    reader is gone before the end. With PYTHONUNBUFFERED, Python's text layer took the
    partial write for a whole one (exit 0, 64 KB delivered); without, BrokenPipeError."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    code, err = _report_into_a_pipe(env, read=100)
    assert code == 1, err
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err and "Unexpected" not in err
    assert re.fullmatch(
        r"orgtui: error: The report was cut short: the program reading it closed the pipe "
        r"after [\d,]+ of [\d,]+ bytes\.",
        lines[0],
    )
    assert lines[1].startswith("orgtui: fix: ") and "-o FILE" in lines[1]


def test_a_report_pipe_already_closed_is_said_in_words():
    code, err = _report_into_a_pipe(dict(os.environ), read=0)
    assert code == 1, err
    assert "BrokenPipeError" not in err and "Unexpected" not in err
    assert err.splitlines()[0] == (
        "orgtui: error: The report was not written: the program meant to read it had "
        "already closed the pipe."
    )


def test_a_report_to_a_closed_stdout_is_said_in_words(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["audit", "--demo", "--report", "csv"]) == 1
    assert "stdout is closed" in capsys.readouterr().err


def test_entry_flushes_then_ends_the_process_without_teardown(monkeypatch):
    """The console script flushes stdout and stderr, then ends with os._exit: the
    interpreter's teardown of a large load is skipped (the report is already written)."""
    from orgtui import cli

    events: list[tuple[str, object]] = []

    class Stream(io.StringIO):
        def flush(self) -> None:
            events.append(("flush", self))

    class Ended(Exception):
        pass

    def end(code: int) -> None:
        events.append(("exit", code))
        raise Ended

    out, err = Stream(), Stream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(os, "_exit", end)
    with pytest.raises(Ended):
        cli.entry()
    assert events == [("flush", out), ("flush", err), ("exit", 3)]


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "orgtui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("moto", "The demo needs moto, which is not installed."),
        ("openapi_spec_validator", "CloudFormation extra; openapi_spec_validator is missing"),
    ],
)
def test_demo_without_what_moto_needs_says_how_to_install_it(capsys, monkeypatch, missing, words):
    import orgtui.demo

    def start(*args, **kwargs):
        raise ModuleNotFoundError(f"No module named '{missing}'", name=missing)

    monkeypatch.setattr(orgtui.demo, "start", start)
    code, out, err = run(capsys, "--demo", "audit", "--report", "json")
    assert code == 1 and out == ""
    assert words in err
    assert "pip install 'orgtui[demo]'" in err and "Traceback" not in err
