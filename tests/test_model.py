"""The immutable model: reading AWS structures, the tree helpers, and snapshot changes."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from orgtui.model import Account, AppliedPolicy, Policy, Root, iso, parse_iso, utc
from tests.support.orgs import MGMT_ID, PROD_ID, ROOT_ID, WORKLOADS_ID, make_account, make_snapshot

RAW = {
    "Id": "222222222222",
    "Name": "web",
    "Email": "web@example.com",
    "Arn": "arn:x",
    "JoinedMethod": "INVITED",
    "JoinedTimestamp": datetime(2024, 1, 2, 3, 4, 5),
}


def test_from_api_reads_state_before_status():
    acc = Account.from_api({**RAW, "State": "PENDING_CLOSURE", "Status": "ACTIVE"}, PROD_ID)
    assert acc.state == "PENDING_CLOSURE"


def test_from_api_falls_back_to_status_only_without_state():
    assert Account.from_api({**RAW, "Status": "SUSPENDED"}, PROD_ID).state == "SUSPENDED"
    assert (
        Account.from_api({**RAW, "State": None, "Status": "SUSPENDED"}, PROD_ID).state
        == "SUSPENDED"
    )


def test_from_api_without_state_or_status_or_join_data():
    acc = Account.from_api({"Id": "222222222222"}, PROD_ID)
    assert (acc.id, acc.state, acc.joined_method, acc.joined_timestamp) == (
        "222222222222",
        "UNKNOWN",
        "UNKNOWN",
        None,
    )
    assert acc.parent_id == PROD_ID


def test_from_api_makes_naive_timestamps_utc():
    acc = Account.from_api({**RAW, "State": "ACTIVE"}, PROD_ID)
    assert acc.joined_timestamp == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_iso_and_parse_iso_round_trip_in_utc():
    ts = datetime(2024, 1, 2, 4, 4, 5, 999, tzinfo=timezone(timedelta(hours=1)))
    assert iso(ts) == "2024-01-02T03:04:05Z"
    assert iso(None) is None
    assert parse_iso("2024-01-02T03:04:05Z") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert parse_iso("") is None
    assert utc(None) is None


def test_model_objects_are_frozen_and_maps_read_only():
    acc = make_account("222222222222")
    snap = make_snapshot(acc)
    with pytest.raises(dataclasses.FrozenInstanceError):
        acc.state = "SUSPENDED"  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.accounts["999999999999"] = acc  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.enriched = False  # type: ignore[misc]


def test_root_enabled_policy_types():
    root = Root(
        "r-1",
        "Root",
        "arn",
        (("SERVICE_CONTROL_POLICY", "ENABLED"), ("TAG_POLICY", "PENDING_DISABLE")),
    )
    assert root.enabled_policy_types == ("SERVICE_CONTROL_POLICY",)


def test_ancestors_ou_path_and_node_name():
    acc = make_account("222222222222", name="web")
    snap = make_snapshot(acc)
    assert snap.ancestors(acc.id) == [ROOT_ID, WORKLOADS_ID, PROD_ID]
    assert snap.ou_path(acc.id) == ["Root", "Workloads", "Prod"]
    assert snap.ou_path(MGMT_ID) == ["Root"]
    assert snap.ou_path(PROD_ID) == ["Root", "Workloads"]
    assert snap.node_name(acc.id) == "web"
    assert snap.node_name("ou-unknown") == "ou-unknown"
    assert snap.parent_of("nothing") is None
    assert snap.is_management_caller


def test_iter_accounts_under_walks_every_depth():
    a = make_account("222222222222", parent_id=PROD_ID)
    b = make_account("333333333333", parent_id=WORKLOADS_ID)
    snap = make_snapshot(a, b)
    assert {x.id for x in snap.iter_accounts_under(ROOT_ID)} == {MGMT_ID, a.id, b.id}
    assert {x.id for x in snap.iter_accounts_under(WORKLOADS_ID)} == {a.id, b.id}
    assert [x.id for x in snap.iter_accounts_under(PROD_ID)] == [a.id]


def test_applied_policies_root_first_with_where_attached():
    acc = make_account("222222222222")
    p1 = Policy("p-11111111", "A", "SERVICE_CONTROL_POLICY")
    p2 = Policy("p-22222222", "B", "TAG_POLICY")
    snap = make_snapshot(
        acc,
        policies=[p1, p2],
        attachments={ROOT_ID: (p1.id,), PROD_ID: (p2.id,), acc.id: (p1.id, "p-unknown")},
    )
    assert snap.applied_policies(acc.id) == [
        AppliedPolicy(p1, ROOT_ID),
        AppliedPolicy(p2, PROD_ID),
        AppliedPolicy(p1, acc.id),
    ]


def test_enrichment_lookups_default_to_empty():
    acc = make_account("222222222222")
    snap = make_snapshot(acc)
    assert dict(snap.tags_of(acc.id)) == {}
    assert snap.delegated_services_of(acc.id) == ()
    assert snap.applied_policies(acc.id) == []


def test_without_account_drops_it_everywhere_and_leaves_the_original():
    a = make_account("222222222222")
    b = make_account("333333333333")
    snap = make_snapshot(
        a,
        b,
        tags={a.id: {"k": "v"}},
        delegated={a.id: ("guardduty.amazonaws.com",)},
        attachments={a.id: ("p-x",)},
    )
    after = snap.without_account(a.id)
    assert a.id not in after.accounts
    assert after.child_accounts[PROD_ID] == (b.id,)
    assert a.id not in after.tags and a.id not in after.delegated
    assert a.id not in after.attachments
    # the old snapshot is unchanged
    assert a.id in snap.accounts and snap.child_accounts[PROD_ID] == (a.id, b.id)
    assert after.without_account("999999999999") is after


def test_known_keeps_each_account_once_in_order_and_drops_strangers():
    from tests.support.orgs import make_account, make_snapshot

    a, b = make_account("111111111111"), make_account("222222222222")
    snap = make_snapshot(a, b)
    assert snap.known(["222222222222", "999999999999", "111111111111", "222222222222"]) == [
        "222222222222",
        "111111111111",
    ]


def test_account_made_is_the_account_the_constructor_makes():
    """`Account.made` (the bulk readers' constructor) gives an equal, equally hashed,
    frozen Account, and names exactly the dataclass's fields: a field added to Account
    fails here until `made` sets it too."""
    import inspect

    fields = [f.name for f in dataclasses.fields(Account)]
    assert list(inspect.signature(Account.made).parameters) == fields
    values = ("123456789012", "n", "e", "arn", "ACTIVE", "CREATED", None, "ou-ab-cdefghij")
    made, built = Account.made(*values), Account(*values)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "x"  # type: ignore[misc]
    assert dataclasses.replace(made, name="z").name == "z"
