"""Credential failures that AWS reports at the first call (tests/test_cli.py covers no
credentials, an unknown profile, an expired or never-started SSO session and a member's
credentials): an expired session token and keys AWS does not accept, in two lines."""

from __future__ import annotations

import pytest

from orgtui.cli import main
from tests.support.faults import FaultServer


def _error_lines(err: str) -> list[str]:
    return [x for x in err.splitlines() if x.startswith(("orgtui: error:", "orgtui: fix:"))]


@pytest.mark.parametrize("operation", ["DescribeOrganization", "GetCallerIdentity"])
def test_expired_session_token(capsys, aws_credentials, operation):
    with FaultServer() as server:
        server.client("organizations").create_organization(FeatureSet="ALL")
        server.fail(
            operation,
            "ExpiredTokenException",
            message="The security token included in the request is expired",
        )
        code = main(["audit", "--report", "json", "--endpoint-url", server.url])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "Traceback" not in err
    assert _error_lines(err) == [
        "orgtui: error: Your AWS session token has expired.",
        "orgtui: fix: Refresh your credentials and try again.",
    ]


def test_expired_session_token_of_a_profile_names_it(capsys, aws_credentials, isolated_env):
    (isolated_env / "aws").mkdir(exist_ok=True)
    (isolated_env / "aws" / "credentials").write_text(
        "[ops]\naws_access_key_id = a\naws_secret_access_key = b\naws_session_token = c\n"
    )
    with FaultServer() as server:
        server.client("organizations").create_organization(FeatureSet="ALL")
        server.fail("DescribeOrganization", "ExpiredTokenException", message="expired")
        code = main(["audit", "--report", "json", "--endpoint-url", server.url, "--profile", "ops"])
    _, err = capsys.readouterr()
    assert code == 1
    lines = _error_lines(err)
    assert lines[0] == "orgtui: error: Your AWS session token has expired."
    assert "--profile ops" in lines[1]


def test_keys_aws_does_not_accept(capsys, aws_credentials):
    with FaultServer() as server:
        server.client("organizations").create_organization(FeatureSet="ALL")
        server.fail(
            "DescribeOrganization",
            "UnrecognizedClientException",
            status=400,
            message="The security token included in the request is invalid.",
        )
        code = main(["audit", "--report", "json", "--endpoint-url", server.url])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = _error_lines(err)
    assert lines[0] == "orgtui: error: AWS did not accept your credentials."
    assert "aws configure list" in lines[1]


def test_clients_made_before_the_ui_starts_send_nothing(aws_credentials):
    """`orgtui` makes the first clients before its UI (cli.run_tui): no request yet."""
    from orgtui.aws.session import AwsContext, SessionOptions

    with FaultServer() as server:
        ctx = AwsContext(SessionOptions(endpoint_url=server.url))
        ctx.prepare()
        assert {key[0] for key in ctx._clients} == {"organizations", "sts"}
        assert ctx.stats.attempts == 0 and not server.counts


def test_no_credentials_before_the_ui_starts_are_left_to_the_load():
    """Without credentials, preparing raises nothing: the load meets the same failure
    and words it, in the TUI or on stderr."""
    from botocore.exceptions import NoCredentialsError

    from orgtui.aws.session import AwsContext, SessionOptions

    ctx = AwsContext(SessionOptions(endpoint_url="http://127.0.0.1:9"))
    ctx.prepare()
    assert ctx._clients == {}
    with pytest.raises(NoCredentialsError):
        ctx.org  # noqa: B018
