"""Impact rules as pure functions: what each selects, what it names, and the edges."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgtui.impact_model import (
    Check,
    Impact,
    PermissionSetInfo,
    ResourceShareInfo,
    StackSetInfo,
)
from orgtui.model import FULL_AWS_ACCESS_ID, Policy, frozen_map
from orgtui.rules import RULES, assess
from orgtui.rules.impact import (
    action_matches,
    control_tower_enrolled,
    identity_center_lost,
    leave_denial,
    leave_denied,
    ram_shares_lost,
    stacksets_deleted,
)
from tests.support.orgs import MGMT_ID, PROD_ID, ROOT_ID, WORKLOADS_ID, make_account, make_snapshot

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
MEMBER = "222222222222"
OTHER = "333333333333"
ORG_ARN = f"arn:aws:organizations::{MGMT_ID}:organization/o-test"
IMPACT_CODES = [
    "STACKSET_STACKS_DELETED",
    "CONTROL_TOWER_ENROLLED",
    "IDENTITY_CENTER_ACCESS_LOST",
    "RAM_SHARES_LOST",
    "LEAVE_DENIED_BY_SCP",
]


def snap_with(impact: Impact, *accounts, **kwargs):
    accounts = accounts or (make_account(MEMBER), make_account(OTHER, parent_id=WORKLOADS_ID))
    return replace(make_snapshot(*accounts, **kwargs), impact=impact)


def stack_set(
    name: str,
    *,
    model: str = "SERVICE_MANAGED",
    auto: bool = True,
    retain: bool = False,
    region: str = "us-east-1",
) -> StackSetInfo:
    return StackSetInfo(
        id=f"{name}:0000",
        name=name,
        region=region,
        permission_model=model,
        auto_deployment=auto,
        retain_stacks=retain,
    )


def with_stacks(
    *sets_and_instances: tuple[StackSetInfo, list[tuple[str, str]]], **kwargs
) -> Impact:
    """Impact holding StackSets and (account, region) instances of each."""
    instances: dict[str, list[tuple[str, str]]] = {}
    for info, pairs in sets_and_instances:
        for account, region in pairs:
            instances.setdefault(account, []).append((info.id, region))
    return Impact(
        stack_sets=frozen_map({s.id: s for s, _ in sets_and_instances}),
        stack_instances=frozen_map({k: tuple(v) for k, v in instances.items()}),
        **kwargs,
    )


def found(rule, account_id: str, snap) -> list:
    return list(rule(snap.accounts[account_id], snap, NOW))


# --- the rules are registered after readiness, in DESIGN's order -----------------------


def test_impact_rules_follow_the_readiness_rules_in_order():
    names = [r.__name__ for r in RULES]
    assert names[-6:] == [
        "stacksets_deleted",
        "control_tower_enrolled",
        "identity_center_lost",
        "ram_shares_lost",
        "leave_denied",
        "recovery_contacts_missing",  # read on demand, after the impact
    ]


# --- STACKSET_STACKS_DELETED -----------------------------------------------------------


def test_stackset_names_each_set_with_its_regions_and_is_a_warning():
    deleting = stack_set("baseline")
    other = stack_set("logging", region="eu-west-1")
    impact = with_stacks(
        (deleting, [(MEMBER, "us-east-1"), (MEMBER, "eu-west-1"), (MEMBER, "us-east-1")]),
        (other, [(MEMBER, "eu-west-1"), (OTHER, "eu-west-1")]),
    )
    snap = snap_with(impact)
    [f] = found(stacksets_deleted, MEMBER, snap)
    assert (f.code, f.severity) == ("STACKSET_STACKS_DELETED", "warning")
    # each StackSet once, its regions deduplicated and sorted
    assert "baseline (eu-west-1, us-east-1); logging (eu-west-1)" in f.message
    assert "2 StackSets" in f.message
    assert "RetainStacksOnAccountRemoval" in f.fix and "accept" in f.fix
    assert assess(snap.accounts[MEMBER], snap, NOW).verdict == "review"
    [g] = found(stacksets_deleted, OTHER, snap)
    assert "logging (eu-west-1)" in g.message and "baseline" not in g.message


@pytest.mark.parametrize(
    "info",
    [
        stack_set("self", model="SELF_MANAGED"),  # self-managed: nothing happens on leave
        stack_set("kept", retain=True),  # retains its stacks
        stack_set("manual", auto=False),  # no automatic deployment: stacks are not removed
    ],
)
def test_stacksets_that_keep_their_stacks_add_nothing(info):
    snap = snap_with(with_stacks((info, [(MEMBER, "us-east-1")])))
    assert found(stacksets_deleted, MEMBER, snap) == []
    assert assess(snap.accounts[MEMBER], snap, NOW).verdict == "ready"


def test_no_stack_instances_in_the_account_no_finding():
    snap = snap_with(with_stacks((stack_set("baseline"), [(OTHER, "us-east-1")])))
    assert found(stacksets_deleted, MEMBER, snap) == []


# --- CONTROL_TOWER_ENROLLED ------------------------------------------------------------


CT_ON = ("controltower.amazonaws.com", "sso.amazonaws.com")


def test_control_tower_stack_instance_with_trusted_access_is_a_warning():
    bp = stack_set("AWSControlTowerBP-BASELINE-CLOUDWATCH", model="SELF_MANAGED", auto=False)
    snap = snap_with(with_stacks((bp, [(MEMBER, "us-east-1")]), trusted_services=CT_ON))
    [f] = found(control_tower_enrolled, MEMBER, snap)
    assert (f.code, f.severity) == ("CONTROL_TOWER_ENROLLED", "warning")
    assert "AWSControlTowerBP-BASELINE-CLOUDWATCH (us-east-1)" in f.message
    assert "unmanage" in f.fix.lower() and "Account Factory" in f.fix
    # a self-managed Control Tower set deletes nothing itself
    assert found(stacksets_deleted, MEMBER, snap) == []
    assert found(control_tower_enrolled, OTHER, snap) == []


def test_control_tower_needs_trusted_access():
    bp = stack_set("AWSControlTowerBP-BASELINE-CONFIG", model="SELF_MANAGED")
    snap = snap_with(
        with_stacks(
            (bp, [(MEMBER, "us-east-1")]),
            trusted_services=("sso.amazonaws.com",),
            baseline_targets=frozenset({PROD_ID}),
        )
    )
    assert found(control_tower_enrolled, MEMBER, snap) == []


def test_control_tower_baseline_on_the_accounts_own_ou():
    snap = snap_with(Impact(trusted_services=CT_ON, baseline_targets=frozenset({PROD_ID})))
    [f] = found(control_tower_enrolled, MEMBER, snap)  # MEMBER is in Prod
    assert f"its OU Prod ({PROD_ID})" in f.message and "baseline" in f.message
    # OTHER is in Workloads, above Prod: a baseline on a child OU does not enroll it
    assert found(control_tower_enrolled, OTHER, snap) == []


def test_control_tower_baseline_on_the_account_itself():
    snap = snap_with(Impact(trusted_services=CT_ON, baseline_targets=frozenset({OTHER})))
    [f] = found(control_tower_enrolled, OTHER, snap)
    assert "baseline of its own" in f.message


def test_a_service_managed_control_tower_set_gives_both_warnings():
    bp = stack_set("AWSControlTowerBP-VPC-ACCOUNT-FACTORY-V1")
    snap = snap_with(with_stacks((bp, [(MEMBER, "us-east-1")]), trusted_services=CT_ON))
    codes = [f.code for f in assess(snap.accounts[MEMBER], snap, NOW).findings]
    assert codes == ["STACKSET_STACKS_DELETED", "CONTROL_TOWER_ENROLLED"]


# --- IDENTITY_CENTER_ACCESS_LOST -------------------------------------------------------


def ps(name: str) -> PermissionSetInfo:
    return PermissionSetInfo(
        f"arn:aws:sso:::permissionSet/ssoins-1/ps-{name.lower()}",
        name,
        "arn:aws:sso:::instance/ssoins-1",
    )


def test_identity_center_lists_permission_sets_once_each_sorted():
    admin, read, dup = ps("AdministratorAccess"), ps("ReadOnly"), ps("readonly2")
    dup = replace(dup, name="ReadOnly")  # two permission sets with one name
    impact = Impact(
        permission_sets=frozen_map({p.arn: p for p in (admin, read, dup)}),
        provisioned=frozen_map({MEMBER: (read.arn, admin.arn, read.arn, dup.arn)}),
    )
    snap = snap_with(impact)
    [f] = found(identity_center_lost, MEMBER, snap)
    assert (f.code, f.severity) == ("IDENTITY_CENTER_ACCESS_LOST", "notice")
    assert "2 permission sets to the account: AdministratorAccess, ReadOnly." in f.message
    assert "loses access" in f.message and "another way in" in f.fix
    assert found(identity_center_lost, OTHER, snap) == []
    assert assess(snap.accounts[MEMBER], snap, NOW).verdict == "ready"


# --- RAM_SHARES_LOST -------------------------------------------------------------------


def share(name: str, *principals: str, retain: bool = False) -> ResourceShareInfo:
    return ResourceShareInfo(
        f"arn:aws:ram:us-east-1:{MGMT_ID}:resource-share/{name}",
        name,
        "us-east-1",
        principals,
        retain,
    )


def ou_arn(ou_id: str) -> str:
    return f"arn:aws:organizations::{MGMT_ID}:ou/o-test/{ou_id}"


def shares_snap(*shares: ResourceShareInfo):
    return snap_with(Impact(shares=frozen_map({s.arn: s for s in shares})))


def test_ram_share_through_an_ou_above_the_account():
    snap = shares_snap(share("subnets", ou_arn(WORKLOADS_ID)))
    [f] = found(ram_shares_lost, MEMBER, snap)  # Prod is under Workloads
    assert (f.code, f.severity) == ("RAM_SHARES_LOST", "notice")
    assert "subnets (us-east-1, through OU Workloads)" in f.message
    assert MGMT_ID in f.message  # owned by the caller's account
    assert "retainSharingOnAccountLeaveOrganization" in f.fix
    assert found(ram_shares_lost, OTHER, snap)  # OTHER is in Workloads itself


def test_ram_share_to_a_child_ou_does_not_reach_the_parent():
    snap = shares_snap(share("subnets", ou_arn(PROD_ID)))
    assert found(ram_shares_lost, MEMBER, snap)
    assert found(ram_shares_lost, OTHER, snap) == []


def test_ram_share_to_the_organization_the_account_or_a_role_in_it():
    snap = shares_snap(
        share("org-wide", ORG_ARN),
        share("direct", MEMBER),
        share("role", f"arn:aws:iam::{MEMBER}:role/Consumer"),
        share("elsewhere", "444444444444", ou_arn("ou-root-otherou1")),
    )
    [f] = found(ram_shares_lost, MEMBER, snap)
    assert "3 resource shares" in f.message
    assert "direct (us-east-1, shared with the account)" in f.message
    assert "org-wide (us-east-1, through the organization)" in f.message
    assert "role (us-east-1, shared with a role or user in the account)" in f.message
    assert "elsewhere" not in f.message
    [g] = found(ram_shares_lost, OTHER, snap)
    assert "org-wide" in g.message and "direct" not in g.message


def test_ram_share_of_another_organization_does_not_count():
    other_org = f"arn:aws:organizations::{MGMT_ID}:organization/o-other"
    assert found(ram_shares_lost, MEMBER, shares_snap(share("x", other_org))) == []


def test_ram_share_that_retains_sharing_adds_nothing():
    snap = shares_snap(share("kept", ORG_ARN, MEMBER, retain=True))
    assert found(ram_shares_lost, MEMBER, snap) == []


def test_ram_share_reaching_twice_is_listed_once_with_both_ways():
    snap = shares_snap(share("both", ORG_ARN, MEMBER, ORG_ARN))
    [f] = found(ram_shares_lost, MEMBER, snap)
    assert f.message.count("both (") == 1
    assert "through the organization, shared with the account" in f.message


# --- LEAVE_DENIED_BY_SCP: matching ---------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "organizations:LeaveOrganization",
        "ORGANIZATIONS:leaveorganization",
        "organizations:*",
        "*",
        "organizations:Leave*",
        "organizations:*Organization",
        "organizations:Leave?rganization",
        "*:LeaveOrganization",
        "organizations:*Leave*",
    ],
)
def test_patterns_that_match_leave_organization(pattern):
    assert action_matches(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "organizations:Leave",
        "organizations:LeaveOrganizations",
        "organizations:Remove*",
        "s3:*",
        "organizations:?eave",
        "organization:*",
        "organizations:[L]eaveOrganization",
        "organizations:Leave.Organization",
        "",
    ],
)
def test_patterns_that_do_not_match(pattern):
    assert not action_matches(pattern)


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def deny(action, key: str = "Action", **extra):
    return {"Effect": "Deny", key: action, "Resource": "*", **extra}


@pytest.mark.parametrize(
    "statement",
    [
        deny("organizations:LeaveOrganization"),
        deny(["s3:*", "organizations:Leave*"]),
        deny("*"),
        deny("organizations:*"),
        deny(["ec2:*", "iam:*"], key="NotAction"),  # denies everything else, leaving included
    ],
)
def test_deny_statements_that_deny_leaving(statement):
    assert leave_denial(document(statement)).conditional is False


@pytest.mark.parametrize(
    "statement",
    [
        deny("s3:*"),
        deny(["organizations:*", "iam:*"], key="NotAction"),  # spares organizations:*
        deny("organizations:Leave*", key="NotAction"),
        {"Effect": "Allow", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Resource": "*"},  # neither Action nor NotAction
    ],
)
def test_statements_that_do_not_deny_leaving(statement):
    assert leave_denial(document(statement)) is None


def test_a_single_statement_object_and_a_bad_document():
    single = json.dumps({"Statement": deny("organizations:LeaveOrganization")})
    assert leave_denial(single) is not None
    assert leave_denial("not json") is None
    assert leave_denial(json.dumps({"Statement": "nope"})) is None
    assert leave_denial(json.dumps(["Statement"])) is None


def test_a_condition_makes_the_denial_conditional_with_its_keys():
    cond = {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"},
        "Bool": {"aws:ViaAWSService": "false"},
    }
    denial = leave_denial(document(deny("*", Condition=cond)))
    assert denial.conditional and denial.condition_keys == ("aws:PrincipalArn", "aws:ViaAWSService")
    # an unconditional statement in the same policy wins
    both = leave_denial(
        document(deny("*", Condition=cond), deny("organizations:LeaveOrganization"))
    )
    assert both.conditional is False


# --- LEAVE_DENIED_BY_SCP: the rule -----------------------------------------------------------


DENY_LEAVE = Policy("p-denyleave1", "DenyLeave", "SERVICE_CONTROL_POLICY")
BREAK_GLASS = Policy("p-breakglas", "BreakGlassOnly", "SERVICE_CONTROL_POLICY")
S3_ONLY = Policy("p-denys3xxxx", "DenyS3", "SERVICE_CONTROL_POLICY")
TAGS = Policy("p-tagpolicy1", "Tags", "TAG_POLICY")
FULL = Policy(FULL_AWS_ACCESS_ID, "FullAWSAccess", "SERVICE_CONTROL_POLICY", True)
DOCS = {
    DENY_LEAVE.id: document(deny("organizations:Leave*")),
    BREAK_GLASS.id: document(
        deny("*", Condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}})
    ),
    S3_ONLY.id: document(deny("s3:*")),
    TAGS.id: document(deny("*")),  # not an SCP: its content never denies an action
    FULL.id: document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
}


def scp_snap(attachments, docs=DOCS):
    return snap_with(
        Impact(scp_documents=frozen_map(docs)),
        policies=[DENY_LEAVE, BREAK_GLASS, S3_ONLY, TAGS, FULL],
        attachments=attachments,
    )


def test_inherited_scp_names_the_policy_and_where_it_is_attached():
    snap = scp_snap({ROOT_ID: (FULL.id, DENY_LEAVE.id), WORKLOADS_ID: (S3_ONLY.id,)})
    for account_id in (MEMBER, OTHER):
        [f] = found(leave_denied, account_id, snap)
        assert (f.code, f.severity) == ("LEAVE_DENIED_BY_SCP", "notice")
        assert f"DenyLeave (attached to Root {ROOT_ID})" in f.message
        assert "organizations:LeaveOrganization" in f.message and "DenyS3" not in f.message
        assert "conditional" not in f.message
        assert "removal from the management account is unaffected" in f.message
        assert "detach" in f.fix


def test_direct_and_conditional_scp():
    snap = scp_snap({MEMBER: (BREAK_GLASS.id,)})
    [f] = found(leave_denied, MEMBER, snap)
    assert (
        f"BreakGlassOnly (attached to acct-{MEMBER} {MEMBER}; conditional on "
        "aws:PrincipalArn)" in f.message
    )
    assert "may deny" in f.message and "Unless the condition is met" in f.message
    assert found(leave_denied, OTHER, snap) == []  # attached to MEMBER only


def test_one_policy_attached_twice_is_listed_once_with_both_places():
    snap = scp_snap({ROOT_ID: (DENY_LEAVE.id,), PROD_ID: (DENY_LEAVE.id, BREAK_GLASS.id)})
    [f] = found(leave_denied, MEMBER, snap)
    assert f.message.count("DenyLeave (") == 1
    assert f"attached to Root {ROOT_ID} and Prod {PROD_ID}" in f.message
    assert f.message.startswith("SCPs deny ")  # one outright denial among them


def test_without_documents_or_with_non_scp_policies_nothing_is_found():
    assert found(leave_denied, MEMBER, scp_snap({ROOT_ID: (DENY_LEAVE.id,)}, docs={})) == []
    assert found(leave_denied, MEMBER, scp_snap({ROOT_ID: (TAGS.id, FULL.id, S3_ONLY.id)})) == []


# --- the management account, skipped checks, and all five together --------------------------


def everything(account_id: str) -> Impact:
    admin = ps("Admin")
    bp = stack_set("AWSControlTowerBP-BASELINE-CONFIG", model="SELF_MANAGED")
    impact = with_stacks(
        (stack_set("baseline"), [(account_id, "us-east-1")]),
        (bp, [(account_id, "us-east-1")]),
        trusted_services=CT_ON,
    )
    shared = share("subnets", ORG_ARN)
    return replace(
        impact,
        permission_sets=frozen_map({admin.arn: admin}),
        provisioned=frozen_map({account_id: (admin.arn,)}),
        shares=frozen_map({shared.arn: shared}),
        scp_documents=frozen_map(DOCS),
        checks=frozen_map({"stacksets": Check("checked", regions=("us-east-1",))}),
    )


def test_every_impact_finding_in_order_on_a_member():
    acc = make_account(MEMBER)
    snap = replace(
        make_snapshot(acc, policies=[DENY_LEAVE], attachments={ROOT_ID: (DENY_LEAVE.id,)}),
        impact=everything(MEMBER),
    )
    result = assess(acc, snap, NOW)
    assert [f.code for f in result.findings] == ["POLICIES_STOP_APPLYING", *IMPACT_CODES]
    assert result.verdict == "review"


def test_the_management_account_gets_none_of_them():
    snap = replace(
        make_snapshot(policies=[DENY_LEAVE], attachments={ROOT_ID: (DENY_LEAVE.id,)}),
        impact=everything(MGMT_ID),
    )
    result = assess(snap.accounts[MGMT_ID], snap, NOW)
    assert [f.code for f in result.findings] == ["MANAGEMENT_ACCOUNT"]


def test_a_snapshot_without_the_impact_read_finds_nothing_and_says_not_read():
    acc = make_account(MEMBER)
    snap = make_snapshot(acc)
    assert not any(f.code in IMPACT_CODES for f in assess(acc, snap, NOW).findings)
    assert snap.impact.unchecked == (
        "stacksets",
        "control_tower",
        "identity_center",
        "ram",
        "scp_leave",
    )
    assert snap.impact.check("ram").reason == "not read in this load"


def test_without_account_drops_its_impact_entries_only():
    snap = replace(
        make_snapshot(make_account(MEMBER), make_account(OTHER)), impact=everything(MEMBER)
    )
    snap = replace(snap, impact=replace(snap.impact, baseline_targets=frozenset({MEMBER, PROD_ID})))
    after = snap.without_account(MEMBER)
    assert MEMBER not in after.impact.stack_instances and MEMBER not in after.impact.provisioned
    assert after.impact.baseline_targets == {PROD_ID}
    assert after.impact.stack_sets == snap.impact.stack_sets
    assert after.impact.checks == snap.impact.checks
    assert snap.without_account(OTHER).impact.stack_instances == snap.impact.stack_instances


# --- anything a policy document may hold never breaks the rule ----------------------------


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["Deny", "Allow", "*", "organizations:*", "Action", "NotAction"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["Effect", "Action", "NotAction", "Condition", "Statement", "Resource", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_document_gives_a_denial_or_none(doc):
    result = leave_denial(json.dumps(doc))
    assert result is None or isinstance(result.conditional, bool)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_pattern_matches_or_not_without_error(pattern):
    assert action_matches(pattern) in (True, False)
