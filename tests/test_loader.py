"""The loader against moto: in-process, through --endpoint-url to a moto server, and through
the fault-injecting endpoint that counts every request."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from orgtui.aws.loader import Loader
from orgtui.aws.session import READ_PREFIXES, AwsContext, SessionOptions
from orgtui.model import DEFAULT_POLICY_IDS
from orgtui.rules import assess
from tests.support.faults import FaultServer
from tests.support.orgs import (
    AccountSpec,
    BuiltOrg,
    OuSpec,
    PolicySpec,
    build_org,
    chain,
    uniform,
)

CREDS = ("testing", "testing", None)
NOW = datetime.now(timezone.utc)
ORG_ARN = "arn:aws:organizations::111111111111:organization/o-aaaaaaaaaa"
ROOT_ARN = "arn:aws:organizations::111111111111:root/o-aaaaaaaaaa/r-ab12"
ACCOUNT_ARN = "arn:aws:organizations::111111111111:account/o-aaaaaaaaaa/222222222222"
USER_ARN = "arn:aws:iam::111111111111:user/admin"


def make_ctx(endpoint: str | None = None, **options) -> AwsContext:
    return AwsContext(
        SessionOptions(endpoint_url=endpoint, credentials=CREDS, region="us-east-1", **options)
    )


def seed_client(endpoint: str | None = None):
    return boto3.client(
        "organizations",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def assert_matches(snap, built: BuiltOrg) -> None:
    """Every account of `built` is in `snap` with the right data, and nothing else is."""
    assert set(snap.accounts) == set(built.expected)
    assert snap.organization.id == built.org_id
    assert snap.organization.management_account_id == built.management_account_id
    assert set(snap.ous) == set(built.ous.values())
    for parent, ous in built.child_ous.items():
        assert list(snap.child_ous.get(parent, ())) == ous
    for parent, accs in built.child_accounts.items():
        assert sorted(snap.child_accounts.get(parent, ())) == sorted(accs)
    for acc_id, exp in built.expected.items():
        acc = snap.accounts[acc_id]
        assert (acc.name, acc.email, acc.parent_id) == (exp.name, exp.email, exp.parent_id)
        assert snap.ou_path(acc_id) == exp.ou_path, exp.name
        assert (acc.state, acc.joined_method) == (exp.state, exp.joined_method), exp.name
        if exp.joined is not None:
            assert abs(acc.joined_timestamp - exp.joined) < timedelta(seconds=1)
        assert dict(snap.tags_of(acc_id)) == exp.tags, exp.name
        assert set(snap.delegated_services_of(acc_id)) == exp.delegated, exp.name
        applied = {
            (a.policy.name, a.attached_to)
            for a in snap.applied_policies(acc_id)
            if a.policy.id not in DEFAULT_POLICY_IDS
        }
        assert applied == exp.policies, exp.name


# --- in-process moto ------------------------------------------------------------------


@pytest.fixture
def inproc() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


def mixed_org(client, now: datetime = NOW) -> BuiltOrg:
    """Every kind of account the loader has to get right."""
    return build_org(
        client,
        (
            OuSpec(
                "Security",
                (
                    AccountSpec(
                        "tools",
                        tags={"team": "sec"},
                        delegated=("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"),
                    ),
                    AccountSpec("logs", joined_method="INVITED", joined_days_ago=300),
                ),
            ),
            OuSpec(
                "Workloads",
                children=(
                    OuSpec(
                        "Prod",
                        (
                            AccountSpec(
                                "web", tags={"env": "prod", "team": "web"}, joined_days_ago=2
                            ),
                            AccountSpec(
                                "gone",
                                state="SUSPENDED",
                                joined_method="INVITED",
                                joined_days_ago=900,
                            ),
                        ),
                    ),
                ),
            ),
        ),
        root_accounts=(
            AccountSpec(
                "loose", joined_method="INVITED", joined_days_ago=50, state="PENDING_CLOSURE"
            ),
        ),
        policies=(
            PolicySpec("RootGuard", ("Root",)),
            PolicySpec("ProdOnly", ("Prod",)),
            PolicySpec("Direct", ("web",)),
            PolicySpec("CostTags", ("Workloads",), type="TAG_POLICY"),
        ),
        now=now,
    )


def test_loads_structure_and_details_in_process(inproc):
    built = mixed_org(seed_client())
    events: list[tuple[str, int, int | None]] = []
    ctx = make_ctx()
    snap = Loader(ctx, progress=lambda *e: events.append(e)).load()
    assert snap.enriched and not snap.member_mode
    assert snap.roots[0].name == "Root"
    assert_matches(snap, built)
    # the readiness of what was loaded follows from the data
    web = built.accounts["web"]
    assert assess(snap.accounts[web], snap, NOW).verdict == "blocked"
    assert assess(snap.accounts[built.accounts["logs"]], snap, NOW).verdict == "ready"
    # progress: both phases, counting up to their totals
    phases = {e[0] for e in events}
    assert phases == {"structure", "details"}
    structure = [e for e in events if e[0] == "structure"]
    assert structure[-1][1] == len(built.expected)
    details = [e for e in events if e[0] == "details"]
    assert details[0][1] == 0
    assert details[-1][1] == details[-1][2]
    assert ctx.stats.calls["ListPolicies"] == 2  # SCP and TAG_POLICY


def test_enrich_only_reads_tags_of_the_accounts_asked_for(inproc):
    built = mixed_org(seed_client())
    ctx = make_ctx()
    loader = Loader(ctx)
    snap = loader.load_structure()
    assert not snap.enriched and dict(snap.tags) == {}
    web = built.accounts["web"]
    snap = loader.enrich(snap, only=[web])
    assert ctx.stats.calls["ListTagsForResource"] == 1
    assert dict(snap.tags_of(web)) == {"env": "prod", "team": "web"}
    # delegation and policies are organization-wide and always read
    assert set(snap.delegated_services_of(built.accounts["tools"])) == {
        "guardduty.amazonaws.com",
        "access-analyzer.amazonaws.com",
    }


def test_access_denied_for_the_management_caller_is_raised():
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail("ListRoots", "AccessDeniedException", message="no")
        with pytest.raises(ClientError) as info:
            Loader(make_ctx(server.url)).load_structure()
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize("concurrency", [1, 8])
def test_describe_organizations_failure_speaks_first(concurrency):
    """DescribeOrganization and ListRoots are asked together (one at a time with
    --concurrency 1): when both fail, the words are DescribeOrganization's, as when they
    were asked in order."""
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail(
            "DescribeOrganization",
            "AWSOrganizationsNotInUseException",
            message="not in an organization",
        )
        server.fail("ListRoots", "AccessDeniedException", message="no")
        with pytest.raises(ClientError) as info:
            Loader(make_ctx(server.url, concurrency=concurrency)).load_structure()
        assert server.counts["DescribeOrganization"] == 1
    assert info.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"


def test_the_walk_starts_without_waiting_for_the_caller_or_the_organization(monkeypatch):
    """ListRoots is all the walk needs: GetCallerIdentity and DescribeOrganization, asked
    alongside, are waited for after it (a slow STS never holds the tree back)."""
    walking = threading.Event()
    caller, organization, walk = Loader._caller, Loader._organization, Loader._walk

    def late(real):
        def wait_for_the_walk(self):
            assert walking.wait(10), "the walk waited for this answer"
            return real(self)

        return wait_for_the_walk

    def walk_started(self, roots, *pipeline):
        walking.set()
        return walk(self, roots, *pipeline)

    monkeypatch.setattr(Loader, "_caller", late(caller))
    monkeypatch.setattr(Loader, "_organization", late(organization))
    monkeypatch.setattr(Loader, "_walk", walk_started)
    with FaultServer() as server:
        built = build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        snap = Loader(make_ctx(server.url, concurrency=8)).load_structure()
    assert snap.organization.id == built.org_id
    assert snap.caller.account == built.management_account_id
    assert set(snap.accounts) == set(built.expected)


# --- a large organization, built and loaded once -----------------------------------------


@pytest.fixture(scope="module")
def big_org():
    """530 accounts: 5 OUs of 5 OUs (30 OUs) with 17 accounts each, 20 at the root."""
    from moto import mock_aws

    def account(name: str, i: int) -> AccountSpec:
        return AccountSpec(
            name,
            tags={"team": f"t{i % 7}", "index": str(i)} if i % 3 == 0 else {},
            delegated=("guardduty.amazonaws.com",) if i in (5, 250) else (),
            joined_method="INVITED" if i % 2 else None,
        )

    with mock_aws():
        built = build_org(
            seed_client(),
            uniform("ou", ous_per_level=5, depth=2, accounts_per_ou=17, account=account),
            root_accounts=tuple(AccountSpec(f"root-a{k}") for k in range(20)),
            policies=(
                PolicySpec("RootGuard", ("Root",)),
                PolicySpec("Ou1", ("ou1",)),
                PolicySpec("Leaf", ("ou2-3",)),
                PolicySpec("One", ("ou4-4-a0",)),
            ),
        )
        ctx = make_ctx(concurrency=8)
        snap = Loader(ctx).load()
    return built, snap, ctx.stats


def test_large_organization_loads_every_account(big_org):
    built, snap, _ = big_org
    assert len(built.expected) == 531
    assert_matches(snap, built)


def test_large_organization_calls_stay_near_the_minimum(big_org):
    built, _, stats = big_org
    assert not any(not op.startswith(READ_PREFIXES) for op in stats.calls)
    assert built.minimum_calls() <= stats.total_calls <= built.minimum_calls() + 3
    assert stats.calls["ListTagsForResource"] == len(built.expected)
    assert stats.calls["ListTargetsForPolicy"] == len(built.policies)
    assert stats.calls["ListDelegatedServicesForAccount"] == 2


# --- through --endpoint-url to a moto server ----------------------------------------------


def paged_org(client) -> BuiltOrg:
    """45 accounts and 25 OUs under the root (three and two pages), one branch 5 deep."""
    return build_org(
        client,
        (*(OuSpec(f"wide{i}") for i in range(24)), *chain("deep", 5, accounts_per_ou=2)),
        root_accounts=tuple(
            AccountSpec(f"r{k}", tags={"n": str(k)} if k % 10 == 0 else {}) for k in range(44)
        ),
        policies=(PolicySpec("AtDepth3", ("deep3",)), PolicySpec("Leaf", ("deep5-a1",))),
    )


def test_pagination_and_depth_through_a_moto_server(moto_endpoint):
    built = paged_org(seed_client(moto_endpoint))
    assert len(built.child_accounts[built.root_id]) == 45
    assert len(built.child_ous[built.root_id]) == 25
    snap = Loader(make_ctx(moto_endpoint)).load()
    assert_matches(snap, built)
    deepest = built.accounts["deep5-a1"]
    assert snap.ou_path(deepest) == ["Root", "deep1", "deep2", "deep3", "deep4", "deep5"]
    assert {
        (a.policy.name, snap.node_name(a.attached_to))
        for a in snap.applied_policies(deepest)
        if a.policy.id not in DEFAULT_POLICY_IDS
    } == {("AtDepth3", "deep3"), ("Leaf", "deep5-a1")}


def test_call_count_is_the_minimum_plus_a_small_constant():
    with FaultServer() as server:
        built = build_org(
            server.client("organizations"),
            (
                *(
                    OuSpec(f"wide{i}", tuple(AccountSpec(f"wide{i}-a{k}") for k in range(2)))
                    for i in range(22)
                ),
                *chain("deep", 5, accounts_per_ou=3),
            ),
            root_accounts=tuple(
                AccountSpec(
                    f"r{k}",
                    tags={"k": str(k)},
                    delegated=("guardduty.amazonaws.com",) if k < 3 else (),
                )
                for k in range(41)
            ),
            policies=(
                PolicySpec("A", ("Root",)),
                PolicySpec("B", ("deep2", "wide3")),
                PolicySpec("C", ("deep5-a0",)),
                PolicySpec("T", ("wide1",), type="TAG_POLICY"),
            ),
        )
        ctx = make_ctx(server.url, read_only=True)
        snap = Loader(ctx).load()
        counts = dict(server.counts)
    assert_matches(snap, built)
    assert all(op.startswith(READ_PREFIXES) for op in counts), counts
    minimum = built.minimum_calls()
    assert minimum <= sum(counts.values()) <= minimum + 3, (minimum, counts)
    n_parents = len(built.parents)
    # 42 accounts under the root: three pages; every other parent one page each
    assert counts["ListAccountsForParent"] == n_parents + 2
    assert counts["ListOrganizationalUnitsForParent"] == n_parents + 1
    assert counts["ListTagsForResource"] == len(built.expected)
    assert counts["ListDelegatedAdministrators"] == 1
    assert counts["ListDelegatedServicesForAccount"] == 3
    assert counts["ListPolicies"] == 2
    assert counts["ListTargetsForPolicy"] == 4  # FullAWSAccess is never asked about
    assert counts["DescribeOrganization"] == counts["ListRoots"] == 1
    assert counts["GetCallerIdentity"] == 1
    assert ctx.stats.total_calls == sum(counts.values())
    assert math.isclose(ctx.stats.attempts, sum(counts.values()))


def test_concurrent_modification_is_retried_by_orgtui():
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail("ListRoots", "ConcurrentModificationException", times=2)
        snap = Loader(make_ctx(server.url)).load()
        assert server.counts["ListRoots"] == 3
    assert len(snap.accounts) == 2


def test_throttling_is_ridden_out_and_counted():
    with FaultServer() as server:
        build_org(server.client("organizations"), root_accounts=(AccountSpec("a"),))
        server.fail("ListAccountsForParent", "TooManyRequestsException", times=1)
        ctx = make_ctx(server.url)
        snap = Loader(ctx).load()
        assert server.counts["ListAccountsForParent"] == 2
    assert len(snap.accounts) == 2
    assert ctx.stats.throttled == 1
    assert ctx.stats.calls["ListAccountsForParent"] == 1  # one operation, two attempts


def test_member_credentials_give_a_member_snapshot(monkeypatch):
    # moto takes the caller's account from MOTO_ACCOUNT_ID before the access key
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    with FaultServer() as server:
        built = build_org(server.client("organizations"), root_accounts=(AccountSpec("m"),))
        member = built.accounts["m"]
        sts = server.client("sts")
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
            RoleSessionName="test",
        )["Credentials"]
        # Real AWS refuses ListRoots to members (moto does not).
        server.fail("ListRoots", "AccessDeniedException")
        ctx = AwsContext(
            SessionOptions(
                endpoint_url=server.url,
                region="us-east-1",
                credentials=(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]),
            )
        )
        loader = Loader(ctx)
        snap = loader.enrich(loader.load_structure())
        counts = dict(server.counts)
    assert snap.member_mode and snap.enriched
    assert snap.caller.account == member
    assert list(snap.accounts) == [member]
    assert snap.organization.management_account_id == built.management_account_id
    assert not snap.is_management_caller
    # a member's enrichment makes no calls
    assert "ListTagsForResource" not in counts and "ListPolicies" not in counts


# --- exact page shapes (botocore Stubber) --------------------------------------------------


def test_pages_follow_next_token_even_after_an_empty_page():
    ctx = make_ctx()
    stub = Stubber(ctx.org)
    acc = {
        "Id": "222222222222",
        "Name": "a",
        "Email": "a@example.com",
        "Arn": ACCOUNT_ARN,
        "State": "ACTIVE",
        "JoinedMethod": "INVITED",
        "JoinedTimestamp": datetime(2024, 1, 1, tzinfo=timezone.utc),
    }
    stub.add_response(
        "list_accounts_for_parent",
        {"Accounts": [acc], "NextToken": "t1"},
        {"ParentId": "r-ab12", "MaxResults": 20},
    )
    stub.add_response(
        "list_accounts_for_parent",
        {"Accounts": [], "NextToken": "t2"},
        {"ParentId": "r-ab12", "MaxResults": 20, "NextToken": "t1"},
    )
    stub.add_response(
        "list_accounts_for_parent",
        {"Accounts": [{**acc, "Id": "333333333333"}]},
        {"ParentId": "r-ab12", "MaxResults": 20, "NextToken": "t2"},
    )
    with stub:
        items = ctx.pages("list_accounts_for_parent", "Accounts", ParentId="r-ab12", MaxResults=20)
        stub.assert_no_pending_responses()
    assert [a["Id"] for a in items] == ["222222222222", "333333333333"]


def test_structure_from_status_only_accounts():
    """An endpoint that still sends the retired Status and no State."""
    ctx = make_ctx(concurrency=1)  # one worker: the calls come in a fixed order
    org, sts = Stubber(ctx.org), Stubber(ctx.sts)
    org.add_response(
        "describe_organization",
        {
            "Organization": {
                "Id": "o-aaaaaaaaaa",
                "Arn": ORG_ARN,
                "MasterAccountId": "111111111111",
                "MasterAccountEmail": "m@example.com",
                "FeatureSet": "ALL",
            }
        },
    )
    sts.add_response(
        "get_caller_identity", {"Account": "111111111111", "Arn": USER_ARN, "UserId": "AID"}
    )
    org.add_response(
        "list_roots",
        {"Roots": [{"Id": "r-ab12", "Name": "Main", "Arn": ROOT_ARN, "PolicyTypes": []}]},
    )
    org.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": []})
    org.add_response(
        "list_accounts_for_parent",
        {
            "Accounts": [
                {
                    "Id": "111111111111",
                    "Name": "management",
                    "Email": "m@example.com",
                    "Arn": ACCOUNT_ARN,
                    "Status": "ACTIVE",
                    "JoinedMethod": "CREATED",
                    "JoinedTimestamp": datetime(2020, 1, 1, tzinfo=timezone.utc),
                },
                {
                    "Id": "222222222222",
                    "Name": "old",
                    "Email": "o@example.com",
                    "Arn": ACCOUNT_ARN,
                    "Status": "SUSPENDED",
                    "JoinedMethod": "INVITED",
                    "JoinedTimestamp": datetime(2024, 1, 1, tzinfo=timezone.utc),
                },
            ]
        },
    )
    with org, sts:
        snap = Loader(ctx).load_structure()
    acc = snap.accounts["222222222222"]
    assert acc.state == "SUSPENDED"
    assert snap.ou_path(acc.id) == ["Main"]
    assert [f.code for f in assess(acc, snap, NOW).findings] == ["NOT_ACTIVE"]


def test_accounts_and_ous_come_in_tree_order_whatever_order_the_calls_finish(demo):
    """Reports and the removal dialog list accounts as the tree does, run after run."""
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    ctx = AwsContext(
        SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS, concurrency=8)
    )
    snap = Loader(ctx).load_structure()
    ous: list[str] = []
    accounts: list[str] = []

    def walk(parent: str) -> None:
        for ou_id in snap.child_ous.get(parent, ()):
            ous.append(ou_id)
            walk(ou_id)
        accounts.extend(snap.child_accounts.get(parent, ()))

    for root in snap.roots:
        walk(root.id)
    assert list(snap.ous) == ous and len(ous) == len(demo.ous) - 1  # demo.ous names Root
    assert list(snap.accounts) == accounts and len(accounts) == len(demo.accounts) + 1


# --- the details in the walk's gaps (issue 34) ---------------------------------------


def test_a_whole_load_reads_tags_in_the_walks_gaps_in_the_minimum_calls(aws_credentials):
    """Each parent's children are listed as soon as the parent is known; the slots the
    walk leaves free meanwhile read the tags of the accounts already found: tags are
    answered before the walk's last request, and no call is added."""
    from tests.support.bigorg import minimum_calls, seed_org

    walk = {"ListRoots", "ListOrganizationalUnitsForParent", "ListAccountsForParent"}
    with FaultServer(latency=0.01, max_in_flight=8) as server:
        seeded = seed_org(server.client("organizations"), 200, ous=40)
        server.injector.log = []
        ctx = make_ctx(server.url, concurrency=8)
        snap = Loader(ctx).load()
        log = server.injector.log
        minimum = minimum_calls()
    assert sorted(snap.accounts) == sorted(seeded.account_ids)
    assert len(snap.tags) == seeded.tagged
    assert dict(ctx.stats.calls) == minimum
    last_walk = max(r.started for r in log if r.operation in walk)
    assert any(r.ended < last_walk for r in log if r.operation == "ListTagsForResource")


def test_a_tag_read_failing_in_the_walk_fails_the_details_not_the_structure(aws_credentials):
    from orgtui.loading import LoadFailed, LoadOptions, stages
    from tests.support.bigorg import seed_org

    with FaultServer(latency=0.01) as server:
        seed_org(server.client("organizations"), 60, ous=12)
        server.fail("ListTagsForResource", "AccessDeniedException", times=1)
        ctx = make_ctx(server.url, concurrency=8)
        seen = []
        with pytest.raises(LoadFailed) as failed:
            for stage in stages(ctx, LoadOptions(write_cache=False)):
                seen.append(stage.name)
    assert seen == ["structure"] and failed.value.stage == "details"


def test_a_report_on_some_accounts_reads_only_their_tags_in_the_gaps(aws_credentials):
    from orgtui.loading import LoadOptions, load
    from tests.support.bigorg import seed_org

    with FaultServer(latency=0.01) as server:
        seeded = seed_org(server.client("organizations"), 60, ous=12)
        wanted = seeded.account_ids[5:7]
        ctx = make_ctx(server.url, concurrency=8)
        snap, _ = load(ctx, LoadOptions(write_cache=False, only=wanted))
        asked = server.counts["ListTagsForResource"]
    assert asked == 2 and set(snap.tags) <= set(wanted)
