"""Faults during a headless load (`orgtui audit --report`), against the fault endpoint.

A throttling storm slows the load but never truncates it; an error that outlasts the
retries (HTTP 500, a bare 502 from a proxy, a connection cut mid-response) ends in exit 1
with two lines of words and no report at all, never a partial one printed as whole; no
region configured anywhere still works (Organizations is served from us-east-1).
"""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path

import pytest

from orgtui.cli import main
from tests.support.faults import THROTTLE_MESSAGE, FaultServer
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, PolicySpec, build_org


def _org(server: FaultServer) -> BuiltOrg:
    """Three OUs (one nested), eleven accounts with tags, a delegated admin, two SCPs."""
    return build_org(
        server.client("organizations"),
        (
            OuSpec(
                "Prod",
                tuple(
                    AccountSpec(
                        f"prod{i}",
                        tags={"env": "prod", "n": str(i)},
                        joined_method="INVITED",
                        joined_days_ago=40,
                    )
                    for i in range(4)
                ),
                (OuSpec("Payments", (AccountSpec("pay", tags={"pci": "yes"}),)),),
            ),
            OuSpec(
                "Sec",
                (
                    AccountSpec("tools", delegated=("guardduty.amazonaws.com",)),
                    AccountSpec("logs", joined_days_ago=10),
                ),
            ),
            OuSpec("Dev", tuple(AccountSpec(f"dev{i}") for i in range(3))),
        ),
        policies=(PolicySpec("DenyLeave", ("Root",)), PolicySpec("PciGuard", ("Payments",))),
    )


def _check_complete(doc: dict, built: BuiltOrg) -> None:
    """Every account, with its path, tags, delegation and policies: the whole organization."""
    got = {a["id"]: a for a in doc["accounts"]}
    assert set(got) == set(built.expected)
    assert doc["summary"]["accounts"] == len(built.expected)
    for acc_id, exp in built.expected.items():
        a = got[acc_id]
        assert a["ou_path"] == exp.ou_path
        assert a["tags"] == exp.tags
        assert set(a["delegated_services"]) == exp.delegated
        assert {
            (p["name"], p["attached_to"]) for p in a["policies"] if p["id"] != "p-FullAWSAccess"
        } == exp.policies


def _assert_error(code: int, out: str, err: str, what: str, fix: str) -> None:
    assert code == 1, err
    assert out == "", "a failed load printed a report"
    assert "Traceback" not in err
    lines = [
        line for line in err.splitlines() if line.startswith(("orgtui: error:", "orgtui: fix:"))
    ]
    assert len(lines) == 2, err
    assert lines[0].startswith("orgtui: error: ") and what in lines[0], err
    assert lines[1].startswith("orgtui: fix: ") and fix in lines[1], err


@pytest.fixture
def fast_backoff(monkeypatch):
    """botocore's throttle backoff scaled down, so that a storm of throttles costs the test
    seconds, not half a minute. Retries still happen, as many as before."""
    from botocore.retries import standard

    monkeypatch.setitem(
        standard.ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, "throttling_base_scale", 0.02
    )


@pytest.fixture
def few_retries(monkeypatch):
    """Sessions made by the CLI give up after 2 attempts, so a persisting fault ends fast."""
    from orgtui.aws import session

    monkeypatch.setattr(
        session, "SessionOptions", functools.partial(session.SessionOptions, max_attempts=2)
    )


def report(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    code = main(["audit", "--report", "json", "--endpoint-url", url, *extra])
    out, err = capsys.readouterr()
    return code, out, err


# --- throttling ------------------------------------------------------------------------


def test_throttling_storm_completes_whole(capsys, aws_credentials, fast_backoff):
    """One request in flight allowed, eight asked for, and a run of injected throttles on
    the walk and the tags: the report is complete and right, and the throttles were seen."""
    with FaultServer(latency=0.01, max_in_flight=1) as server:
        built = _org(server)
        injected = [
            server.fail(
                "ListTagsForResource", "TooManyRequestsException", message=THROTTLE_MESSAGE, times=8
            ),
            server.fail(
                "ListAccountsForParent",
                "TooManyRequestsException",
                message="Rate exceeded",
                times=4,
            ),
            server.fail(
                "ListOrganizationalUnitsForParent",
                "TooManyRequestsException",
                message=THROTTLE_MESSAGE,
                times=2,
            ),
            server.fail(
                "ListTargetsForPolicy",
                "TooManyRequestsException",
                message=THROTTLE_MESSAGE,
                times=2,
            ),
        ]
        code, out, err = report(capsys, server.url, "--concurrency", "8")
        capped = server.injector.throttled
    assert code == 0, err
    _check_complete(json.loads(out), built)
    assert all(f.seen == f.times for f in injected)
    assert capped > 0, "the in-flight cap never throttled: the storm did not happen"
    assert "Traceback" not in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_says_slowed_not_stuck_while_throttled(monkeypatch, aws_credentials, fast_backoff):
    """On a terminal the progress line says that AWS throttles and orgtui retries."""
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    monkeypatch.setenv("COLUMNS", "120")
    with FaultServer() as server:
        built = _org(server)
        server.fail(
            "ListTagsForResource", "TooManyRequestsException", message=THROTTLE_MESSAGE, times=3
        )
        out = io.StringIO()
        monkeypatch.setattr("sys.stdout", out)
        code = main(["audit", "--report", "json", "--endpoint-url", server.url])
    assert code == 0, tty.getvalue()
    _check_complete(json.loads(out.getvalue()), built)
    assert "slowed by AWS throttling, retrying" in tty.getvalue()
    # The level the limiter allows in flight, read live (auto starts at 8).
    assert re.search(r"concurrency \d+", tty.getvalue())


def test_progress_note_wording():
    from orgtui.progress import status_note, throttle_note

    assert throttle_note(0) == ""
    assert throttle_note(7) == "slowed by AWS throttling, retrying (7)"
    assert status_note(8, 0) == "concurrency 8"
    assert status_note(7, 3) == "concurrency 7 · slowed by AWS throttling, retrying (3)"
    assert status_note(None, 0) == ""


# --- errors that outlast the retries ---------------------------------------------------


def test_service_exception_on_enrichment_exits_1_without_a_report(
    capsys, aws_credentials, few_retries
):
    with FaultServer() as server:
        _org(server)
        fault = server.fail(
            "ListTagsForResource",
            "ServiceException",
            status=500,
            message="Internal failure",
            skip=3,
        )
        code, out, err = report(capsys, server.url)
    assert fault.seen >= 2  # retried by botocore, then given up
    _assert_error(code, out, err, "internal error during ListTagsForResource", "Try again")


def test_service_exception_with_output_file_writes_no_file(
    capsys, aws_credentials, few_retries, tmp_path
):
    target = tmp_path / "audit.json"
    with FaultServer() as server:
        _org(server)
        server.fail("ListDelegatedServicesForAccount", "ServiceException", status=500)
        code, out, err = report(capsys, server.url, "-o", str(target))
    _assert_error(
        code, out, err, "internal error during ListDelegatedServicesForAccount", "Try again"
    )
    assert not target.exists()


def test_bare_502_mid_walk_exits_1_without_a_report(capsys, aws_credentials, few_retries):
    """A proxy answers 502 with an HTML page, after part of the walk went through."""
    with FaultServer() as server:
        _org(server)
        fault = server.fail("ListAccountsForParent", "BadGateway", kind="drop", skip=2)
        code, out, err = report(capsys, server.url)
    assert fault.seen >= 2
    _assert_error(
        code, out, err, "answered HTTP 502 (Bad Gateway) to ListAccountsForParent", "proxy"
    )


def test_connection_cut_mid_response_exits_1_without_a_report(capsys, aws_credentials, few_retries):
    """The TCP connection closes halfway through an answer, on every retry."""
    with FaultServer() as server:
        _org(server)
        fault = server.fail("ListTagsForResource", "Reset", kind="reset", skip=4)
        code, out, err = report(capsys, server.url)
    assert fault.seen >= 2
    _assert_error(code, out, err, f"connection to the AWS endpoint {server.url}", "network")
    assert "was cut" in err


def test_connection_cut_once_is_retried(capsys, aws_credentials):
    with FaultServer() as server:
        built = _org(server)
        fault = server.fail("ListAccountsForParent", "Reset", kind="reset", times=1, skip=1)
        code, out, err = report(capsys, server.url)
    assert code == 0, err
    assert fault.seen == 1
    _check_complete(json.loads(out), built)


# --- no region -----------------------------------------------------------------------------


def test_no_region_anywhere_still_works(capsys, monkeypatch, aws_credentials, isolated_env):
    """No AWS_REGION, no AWS_DEFAULT_REGION, a profile without a region: us-east-1."""
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    config = Path(isolated_env / "aws" / "config")
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[profile nore]\noutput = json\n")
    creds = Path(isolated_env / "aws" / "credentials")
    creds.write_text("[nore]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    scopes: list[str] = []
    with FaultServer() as server:
        built = _org(server)
        inner = server.injector.app

        def spy(environ, start_response):
            scopes.append(environ.get("HTTP_AUTHORIZATION", ""))
            return inner(environ, start_response)

        server.injector.app = spy
        code, out, err = report(capsys, server.url, "--profile", "nore")
    assert code == 0, err
    _check_complete(json.loads(out), built)
    assert scopes and all("/us-east-1/" in s for s in scopes if s)


def test_garbled_answer_in_words():
    """An answer botocore cannot parse (a captive portal, a wrong --endpoint-url)."""
    from botocore.parsers import ResponseParserError

    from orgtui.aws.errors import translate

    problem = translate(ResponseParserError("Unable to parse response, invalid XML received"))
    assert "could not be read" in problem.what and "--endpoint-url" in problem.fix
