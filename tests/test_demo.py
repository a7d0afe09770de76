"""The demo organization: it shows every case, its names and ids are fixed, and it refuses
removals the way AWS does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from orgtui.aws.error_words import REASONS
from orgtui.aws.errors import translate
from orgtui.aws.loader import Loader
from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION
from orgtui.demo.runtime import all_demo_accounts
from orgtui.rules import assess_all
from tests.conftest import DEMO_NOW


def demo_ctx(read_only: bool = False) -> AwsContext:
    return AwsContext(
        SessionOptions(credentials=DEMO_CREDENTIALS, region=DEMO_REGION, read_only=read_only)
    )


@pytest.fixture
def loaded(demo):
    snap = Loader(demo_ctx(read_only=True)).load()
    return demo, snap, assess_all(snap, DEMO_NOW)


def test_demo_shows_every_case(loaded):
    demo, snap, results = loaded
    assert 35 <= len(snap.accounts) <= 45
    assert len(snap.accounts) == len(all_demo_accounts()) + 1  # and the management account
    assert snap.organization.management_account_id == demo.management_account_id
    assert max(len(snap.ou_path(a)) for a in snap.accounts) >= 4  # Root + 3 OUs or more
    methods = {a.joined_method for a in snap.accounts.values()}
    assert methods == {"INVITED", "CREATED"}
    states = {a.state for a in snap.accounts.values()}
    assert {"ACTIVE", "SUSPENDED"} <= states
    alice = snap.accounts[demo.accounts["sandbox-alice"]]
    # to the second: each demo account's time differs by a microsecond (demo/runtime.py)
    assert abs(DEMO_NOW - alice.joined_timestamp - timedelta(days=2)) < timedelta(seconds=1)
    joined = {a.joined_timestamp for a in snap.accounts.values()}
    assert len(joined) > 10  # varied join dates
    services = {s for a in snap.accounts for s in snap.delegated_services_of(a)}
    assert len({a for a in snap.accounts if snap.delegated_services_of(a)}) >= 2
    assert len(services) >= 2
    assert sum(1 for a in snap.accounts if snap.tags_of(a)) > 20
    # SCPs attached at the root, at OUs, and to a single account
    kinds = set()
    for target, policy_ids in snap.attachments.items():
        if any(
            p not in ("p-FullAWSAccess",) and snap.policies[p].type == "SERVICE_CONTROL_POLICY"
            for p in policy_ids
        ):
            kinds.add(
                "root" if target == demo.root_id else "ou" if target in snap.ous else "account"
            )
    assert kinds == {"root", "ou", "account"}
    # every verdict and every finding code appears
    assert {r.verdict for r in results.values()} == {"blocked", "review", "ready"}
    found = {f.code for r in results.values() for f in r.findings}
    # (REMOVAL_REFUSED only once AWS refused a removal in this organization; the impact
    # codes need the impact read, which Loader.load does not make)
    assert found == {
        "MANAGEMENT_ACCOUNT",
        "DELEGATED_ADMIN",
        "WAIT_PERIOD_ACTIVE",
        "NOT_ACTIVE",
        "STANDALONE_UNVERIFIED",
        "STANDALONE_ATTESTED",
        "TAGS_WILL_BE_DELETED",
        "POLICIES_STOP_APPLYING",
    }


def test_demo_verdicts_of_named_accounts(loaded):
    demo, snap, results = loaded

    def codes(name: str) -> list[str]:
        acc = demo.management_account_id if name == "management" else demo.accounts[name]
        return [f.code for f in results[acc].findings]

    assert codes("management") == ["MANAGEMENT_ACCOUNT"]
    assert "WAIT_PERIOD_ACTIVE" in codes("sandbox-alice")
    assert "WAIT_PERIOD_ACTIVE" in codes("sandbox-dave")  # 3.5 days
    assert "WAIT_PERIOD_ACTIVE" not in codes("sandbox-erin")  # 4.5 days
    assert "NOT_ACTIVE" in codes("contoso-legacy")
    assert "NOT_ACTIVE" in codes("old-events")  # PENDING_CLOSURE
    assert codes("security-tooling")[0] == "DELEGATED_ADMIN"
    assert results[demo.accounts["northwind-shared"]].verdict == "ready"
    assert snap.ou_path(demo.accounts["tokenizer-prod"]) == [
        "Root",
        "Workloads",
        "Prod",
        "Payments",
        "PCI",
    ]


def test_demo_names_and_ids_are_fixed(demo):
    first = (dict(demo.accounts), dict(demo.ous), demo.root_id)
    demo.stop()
    from orgtui import demo as demo_mod

    again = demo_mod.start(now=DEMO_NOW)
    try:
        assert (dict(again.accounts), dict(again.ous), again.root_id) == first
    finally:
        again.stop()
    demo.mock.start()  # the fixture stops it once more


REFUSALS = [
    ("management", "MasterCannotLeaveOrganizationException", None),
    (
        "security-tooling",
        "ConstraintViolationException",
        "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
    ),
    ("sandbox-alice", "ConstraintViolationException", "WAIT_PERIOD_ACTIVE"),
    ("sandbox-dave", "ConstraintViolationException", "WAIT_PERIOD_ACTIVE"),
    (
        "sandbox-carol",
        "ConstraintViolationException",
        "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION",
    ),
    (
        "tokenizer-prod",
        "ConstraintViolationException",
        "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED",
    ),
]


@pytest.mark.parametrize("name, code, reason", REFUSALS)
def test_demo_refuses_removal_as_aws_does(demo, name, code, reason):
    acc = demo.management_account_id if name == "management" else demo.accounts[name]
    ctx = demo_ctx()
    with pytest.raises(ClientError) as info:
        ctx.org.remove_account_from_organization(AccountId=acc)
    error = info.value.response["Error"]
    assert error["Code"] == code
    problem = translate(info.value)
    assert problem.code == code
    if reason:
        assert problem.reason == reason
        assert (problem.what, problem.fix) == REASONS[reason]
    else:
        assert "management account" in problem.what
    # still in the organization
    ids = {a["Id"] for a in ctx.org.list_accounts()["Accounts"]}
    assert acc in ids


def test_demo_refuses_a_suspended_account_in_words_that_fit(demo):
    ctx = demo_ctx()
    with pytest.raises(ClientError) as info:
        ctx.org.remove_account_from_organization(AccountId=demo.accounts["contoso-legacy"])
    problem = translate(info.value)
    assert problem.code == "ConstraintViolationException"
    assert "SUSPENDED" in problem.what
    assert "management account" not in problem.what


@pytest.mark.parametrize("name", ["northwind-shared", "sandbox-erin"])
def test_demo_removes_an_account_aws_would_let_go(demo, name):
    ctx = demo_ctx()
    acc = demo.accounts[name]
    ctx.org.remove_account_from_organization(AccountId=acc)
    ids = {a["Id"] for a in ctx.org.list_accounts()["Accounts"]}
    assert acc not in ids


def test_demo_unknown_account_is_not_found(demo):
    ctx = demo_ctx()
    with pytest.raises(ClientError) as info:
        ctx.org.remove_account_from_organization(AccountId="999999999999")
    assert info.value.response["Error"]["Code"] == "AccountNotFoundException"


def test_the_demo_extra_installs_every_moto_service_the_demo_imports():
    """`pip install 'orgtui[demo]'` must be enough for `orgtui --demo`: each moto
    service the demo imports that has an extra of its own (CloudFormation needs
    openapi-spec-validator, cfn-lint, ...) is named in the demo extra."""
    import ast
    import re
    from importlib.metadata import metadata
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    used = set()
    for source in (root / "orgtui" / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("moto."):
                used.add(node.module.split(".")[1])
    assert {"cloudformation", "organizations", "ram", "ssoadmin"} <= used
    # moto names its extras after the client (sso-admin), its packages without the dash.
    extra_of = {s: "sso-admin" if s == "ssoadmin" else s for s in used}
    requires = metadata("moto").get_all("Requires-Dist") or []
    needs = {extra_of[s] for s in used if any(f'extra == "{extra_of[s]}"' in r for r in requires)}
    assert "cloudformation" in needs
    optional = tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    (moto,) = [r for r in optional["demo"] if r.startswith("moto")]
    found = re.match(r"moto\[([^\]]*)\]", moto)
    declared = {e.strip() for e in found.group(1).split(",")} if found else set()
    assert needs <= declared, f"add {sorted(needs - declared)} to the demo extra's moto"
