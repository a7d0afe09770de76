"""The read-only guard: every mutating Organizations operation in botocore's model is
refused before anything is sent, and read calls still work."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import botocore.session
import pytest

from orgtui.aws.loader import Loader
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.cli import main
from orgtui.errors import ReadOnlyViolation
from tests.support.faults import FaultServer
from tests.support.orgs import AccountSpec, PolicySpec, build_org

CREDS = ("testing", "testing", None)
MODEL = botocore.session.get_session().get_service_model("organizations")
WRITE_OPERATIONS = sorted(op for op in MODEL.operation_names if not op.startswith(READ_PREFIXES))


def sample(shape: Any) -> Any:
    """The smallest value that passes botocore's client-side validation for `shape`."""
    kind = shape.type_name
    if kind == "structure":
        return {name: sample(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [sample(shape.member)] * int(shape.metadata.get("min", 0))
    if kind == "map":
        return {}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "1" * max(12, int(shape.metadata.get("min", 1)))
    if kind in ("integer", "long"):
        return max(1, int(shape.metadata.get("min", 1)))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return datetime(2026, 1, 1, tzinfo=timezone.utc)
    if kind == "blob":
        return b"x"
    if kind in ("float", "double"):
        return 1.0
    raise AssertionError(f"no sample for {kind}")


@pytest.fixture(scope="module")
def server():
    with FaultServer() as running:
        yield running


def test_the_model_has_the_operations_that_matter():
    # A sanity check that the enumeration below is the real list, not an empty one.
    for op in (
        "RemoveAccountFromOrganization",
        "LeaveOrganization",
        "CloseAccount",
        "TagResource",
        "UntagResource",
        "AttachPolicy",
        "DeleteOrganization",
        "RegisterDelegatedAdministrator",
        "MoveAccount",
        "CreateAccount",
    ):
        assert op in WRITE_OPERATIONS
    assert len(WRITE_OPERATIONS) >= 30
    assert "ListRoots" not in WRITE_OPERATIONS


def test_every_write_operation_is_refused_before_it_is_sent(server):
    server.reset()
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, credentials=CREDS, region="us-east-1", read_only=True
        )
    )
    client = ctx.org
    method_of = {api: py for py, api in client.meta.method_to_api_mapping.items()}
    refused = []
    for op in WRITE_OPERATIONS:
        input_shape = MODEL.operation_model(op).input_shape
        params = sample(input_shape) if input_shape is not None else {}
        with pytest.raises(ReadOnlyViolation) as info:
            getattr(client, method_of[op])(**params)
        assert op in info.value.what and "read-only" in info.value.what
        assert "without `audit`" in info.value.fix
        refused.append(op)
    assert refused == WRITE_OPERATIONS
    assert server.injector.total == 0, dict(server.counts)
    # refused calls are not counted as calls made
    assert ctx.stats.total_calls == 0 and ctx.stats.attempts == 0


def test_refused_through_ctx_call_too(server):
    server.reset()
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, credentials=CREDS, region="us-east-1", read_only=True
        )
    )
    with pytest.raises(ReadOnlyViolation):
        ctx.call(ctx.org.remove_account_from_organization, AccountId="222222222222")
    assert server.injector.total == 0


def test_read_calls_still_work_under_the_guard(server):
    server.reset()
    built = build_org(
        server.client("organizations"),
        root_accounts=(AccountSpec("a", tags={"k": "v"}, delegated=("guardduty.amazonaws.com",)),),
        policies=(PolicySpec("P", ("Root",)),),
    )
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, credentials=CREDS, region="us-east-1", read_only=True
        )
    )
    snap = Loader(ctx).load()
    assert set(snap.accounts) == set(built.expected)
    assert ctx.org.describe_account(AccountId=built.accounts["a"])["Account"]["Name"] == "a"
    assert all(op.startswith(READ_PREFIXES) for op in server.counts), dict(server.counts)
    assert server.counts["ListRoots"] == 1


def test_guard_off_lets_writes_through(server):
    server.reset()
    built = build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url, credentials=CREDS, region="us-east-1", read_only=False
        )
    )
    ctx.org.tag_resource(ResourceId=built.accounts["a"], Tags=[{"Key": "k", "Value": "v"}])
    assert server.counts["TagResource"] == 1


def test_audit_report_sends_only_read_calls(server, aws_credentials, capsys):
    """`orgtui audit --report json --endpoint-url URL`: every account, no write call."""
    server.reset()
    built = build_org(
        server.client("organizations"), root_accounts=tuple(AccountSpec(f"a{k}") for k in range(3))
    )
    assert main(["audit", "--report", "json", "--endpoint-url", server.url, "--no-cache"]) == 0
    assert capsys.readouterr().out.count('"verdict"') == len(built.expected)
    assert server.counts and all(op.startswith(READ_PREFIXES) for op in server.counts)


def test_interactive_session_is_not_read_only():
    from orgtui.arguments import parse

    assert parse(["audit"]).read_only
    assert parse(["audit", "--report", "json"]).read_only
    assert not parse([]).read_only


def test_sso_token_refresh_is_the_only_sso_oidc_call_let_through(server):
    """botocore's SSO token provider refreshes an expiring token with sso-oidc CreateToken
    through the same session: `orgtui audit` must not refuse it (it changes nothing in the
    organization), and every other sso-oidc write stays refused."""
    model = botocore.session.get_session().get_service_model("sso-oidc")
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url,
            credentials=CREDS,
            region="us-east-1",
            read_only=True,
            max_attempts=1,
        )
    )
    client = ctx.client("sso-oidc")
    method_of = {api: py for py, api in client.meta.method_to_api_mapping.items()}
    let_through = []
    for op in sorted(model.operation_names):
        input_shape = model.operation_model(op).input_shape
        params = sample(input_shape) if input_shape is not None else {}
        try:
            getattr(client, method_of[op])(**params)
        except ReadOnlyViolation:
            continue
        except Exception:  # sent, and answered (moto has no sso-oidc): it passed the guard
            pass
        let_through.append(op)
    assert let_through == ["CreateToken"]


@pytest.mark.parametrize("op", ["AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"])
def test_signing_in_through_a_role_passes_the_guard(server, op):
    ctx = AwsContext(
        SessionOptions(
            endpoint_url=server.url,
            credentials=CREDS,
            region="us-east-1",
            read_only=True,
            max_attempts=1,
        )
    )
    client = ctx.client("sts")
    model = client.meta.service_model.operation_model(op)
    method = {api: py for py, api in client.meta.method_to_api_mapping.items()}[op]
    try:
        getattr(client, method)(**sample(model.input_shape))
    except ReadOnlyViolation:
        pytest.fail(f"{op} was refused")
    except Exception:
        pass
