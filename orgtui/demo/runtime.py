"""Start moto in-process, seed the sample organization (its impact too), install the rules."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from orgtui.demo.running import DEMO_CREDENTIALS, DEMO_REGION, DEMO_SEED, DemoOrg
from orgtui.demo.sample import (
    ORGANIZATION,
    ROOT_ACCOUNTS,
    SCP_DOCUMENTS,
    SCPS,
    TAG_POLICIES,
    DemoAccount,
    DemoOU,
)


def _walk(ous: tuple[DemoOU, ...]) -> Iterator[DemoAccount]:
    for ou in ous:
        yield from ou.accounts
        yield from _walk(ou.children)


def all_demo_accounts() -> list[DemoAccount]:
    return [*ROOT_ACCOUNTS, *_walk(ORGANIZATION)]


def start(
    now: datetime | None = None, member: str | None = None, target: bool | None = None
) -> DemoOrg:
    """Start the demo organization in this process.

    `now` fixes the clock the join dates are counted back from (snapshot tests pass a
    fixed one). moto's default account, 123456789012, is the management account.
    `member` (or the environment variable ORGTUI_DEMO_MEMBER) names a sample account to
    act as instead of the management account: the demo then answers as AWS answers a
    member (AccessDeniedException for management-only calls; LeaveOrganization works).
    `target` (or ORGTUI_DEMO_TARGET=1) acts as the management account of the second,
    inviting organization (demo/target.py) instead, with an example hand-over report.
    Handshakes (demo/handshakes.py) work in every mode.
    """
    import boto3
    from moto import mock_aws
    from moto.moto_api._internal import mock_random
    from moto.organizations.models import organizations_backends

    from orgtui.demo import handshakes, impact
    from orgtui.demo.rules import install, install_leave

    fixed_now = now
    now = now or datetime.now(timezone.utc)
    # moto reads these for the in-process mock; set only if absent so a user's real
    # environment is not clobbered beyond what the demo needs.
    os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")
    from orgtui.demo import recovery

    recovery.install_account_service()  # routes are taken when the mock starts
    mock = mock_aws()
    mock.start()
    mock_random.seed(DEMO_SEED)
    key, secret, _ = DEMO_CREDENTIALS
    session = boto3.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name=DEMO_REGION
    )
    org = session.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
    org.enable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")
    description = org.describe_organization()["Organization"]
    mgmt_id = description["MasterAccountId"]

    accounts, ous, specs = _seed_tree(org, root_id)
    _seed_policies(org, ous, accounts)
    impact.seed(session, mgmt_id, DEMO_REGION, description["Arn"], ous, accounts)
    recovery.seed(
        session,
        DEMO_REGION,
        accounts,
        {a["Id"]: a["Email"] for a in org.list_accounts()["Accounts"]},
    )
    backend = organizations_backends[mgmt_id]["aws"]
    _set_joined(backend, mgmt_id, specs, now)
    install(
        backend,
        {acc_id: s.refusal for acc_id, s in specs.items() if s.refusal},
        clock=_clock(fixed_now),
    )
    install_leave()
    handshakes.install(clock=_clock(fixed_now))
    running = DemoOrg(
        mock=mock,
        now=now,
        accounts=accounts,
        ous=ous,
        root_id=root_id,
        management_account_id=mgmt_id,
        caller_account_id=mgmt_id,
    )
    _second_organization(running, session, member, target, specs)
    return running


def _clock(fixed: datetime | None) -> Callable[[], datetime]:
    return (lambda: fixed) if fixed else (lambda: datetime.now(timezone.utc))


def _second_organization(
    running: DemoOrg,
    session: Any,
    member: str | None,
    target: bool | None,
    specs: dict[str, DemoAccount],
) -> None:
    """Seed the inviting organization (demo/target.py), then act as who was asked for:
    its management account (`target`, ORGTUI_DEMO_TARGET=1), a sample member (`member`,
    ORGTUI_DEMO_MEMBER), or stay the sample's management account."""
    from orgtui.demo import target as target_org

    target_org.seed(running, session)
    if target is None:
        target = os.environ.get("ORGTUI_DEMO_TARGET", "") not in ("", "0")
    member = member if member is not None else os.environ.get("ORGTUI_DEMO_MEMBER") or None
    if target:
        target_org.act_as_target(running)
    elif member:
        _act_as_member(running, member, specs)


def _seed_tree(
    org: Any, root_id: str
) -> tuple[dict[str, str], dict[str, str], dict[str, DemoAccount]]:
    """Create the sample's OUs and accounts: ids by name, and the specs by account id."""
    accounts: dict[str, str] = {}
    ous: dict[str, str] = {"Root": root_id}
    specs: dict[str, DemoAccount] = {}

    def add_accounts(parent: str, items: tuple[DemoAccount, ...]) -> None:
        for spec in items:
            status = org.create_account(AccountName=spec.name, Email=f"aws+{spec.name}@example.com")
            acc_id = status["CreateAccountStatus"]["AccountId"]
            if parent != root_id:
                org.move_account(
                    AccountId=acc_id, SourceParentId=root_id, DestinationParentId=parent
                )
            if spec.tags:
                org.tag_resource(
                    ResourceId=acc_id, Tags=[{"Key": k, "Value": v} for k, v in spec.tags.items()]
                )
            for service in spec.delegated:
                org.register_delegated_administrator(AccountId=acc_id, ServicePrincipal=service)
            accounts[spec.name] = acc_id
            specs[acc_id] = spec

    def add_ous(parent: str, items: tuple[DemoOU, ...]) -> None:
        for ou in items:
            ou_id = org.create_organizational_unit(ParentId=parent, Name=ou.name)[
                "OrganizationalUnit"
            ]["Id"]
            ous[ou.name] = ou_id
            add_accounts(ou_id, ou.accounts)
            add_ous(ou_id, ou.children)

    add_accounts(root_id, ROOT_ACCOUNTS)
    add_ous(root_id, ORGANIZATION)
    return accounts, ous, specs


def _seed_policies(org: Any, ous: dict[str, str], accounts: dict[str, str]) -> None:
    """Create the SCPs (with their documents) and tag policies, attached where they go."""
    for kind, policies in (("SERVICE_CONTROL_POLICY", SCPS), ("TAG_POLICY", TAG_POLICIES)):
        for name, description_text, targets in policies:
            content = (
                json.dumps({"Version": "2012-10-17", "Statement": SCP_DOCUMENTS[name]})
                if kind == "SERVICE_CONTROL_POLICY"
                else '{"tags":{"cost-center":{"tag_key":{"@@assign":"cost-center"}}}}'
            )
            policy_id = org.create_policy(
                Name=name, Description=description_text, Type=kind, Content=content
            )["Policy"]["PolicySummary"]["Id"]
            for target in targets:
                org.attach_policy(PolicyId=policy_id, TargetId=ous.get(target) or accounts[target])


def _set_joined(backend: Any, mgmt_id: str, specs: dict[str, DemoAccount], now: datetime) -> None:
    """moto makes every account CREATED "now" and ACTIVE: set the join method, date and
    state of each one on the backend objects. Each account's time differs by its index in
    microseconds: moto pages ListAccounts by this time, and two equal ones on a page's
    edge make it give the same page token again (which orgtui refuses as a loop)."""
    for index, fake in enumerate(backend.accounts):
        tick = timedelta(microseconds=index)
        spec = specs.get(fake.id)
        if fake.id == mgmt_id:
            fake.joined_method = "CREATED"  # the management account created the org
            fake.name = "management"
            fake.create_time = (now - timedelta(days=2000) + tick).replace(tzinfo=None)
            continue
        if spec is None:
            continue
        fake.joined_method = spec.joined
        fake.create_time = (now - timedelta(days=spec.age_days) + tick).replace(tzinfo=None)
        fake.state = spec.state
        fake.status = "SUSPENDED" if spec.state != "ACTIVE" else "ACTIVE"


def _act_as_member(running: DemoOrg, member: str, specs: dict[str, DemoAccount]) -> None:
    """From now on every call (STS included) is the member's, answered as AWS answers one."""
    from moto.organizations.models import organizations_backends

    from orgtui.demo.rules import deny_member
    from orgtui.errors import OrgtuiError

    member_id = running.accounts.get(member, member if member in specs else None)
    if member_id is None:
        running.mock.stop()
        raise OrgtuiError(
            f"The demo has no member account named '{member}'.",
            "Use one of: " + ", ".join(sorted(running.accounts)) + " (ORGTUI_DEMO_MEMBER).",
        )
    # moto picks the acting account from MOTO_ACCOUNT_ID first.
    running._saved_account_env = os.environ.get("MOTO_ACCOUNT_ID")
    running._switched = True
    running.caller_account_id = member_id
    deny_member(organizations_backends[member_id]["aws"], member_id)
    os.environ["MOTO_ACCOUNT_ID"] = member_id
