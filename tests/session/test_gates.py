"""Which write dialog may open on which accounts (`orgtui.session.gates`), decided
without a terminal: audit mode, loading, the destination, a member caller, accounts
gone, nothing to attest or deregister, a move in flight."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orgtui.aws.loader import Loader
from orgtui.model import Caller, Snapshot
from orgtui.session.gates import Opens, Refused, gate
from tests.ui.conftest import demo_context


@pytest.fixture
def snap(demo) -> Snapshot:
    return Loader(demo_context()).load()


def member(snap: Snapshot, account_id: str) -> Snapshot:
    return replace(snap, caller=Caller(account_id, f"arn:aws:sts::{account_id}:assumed-role/x/y"))


def decide(kind, snap, ids, **kw):
    kw.setdefault("read_only", False)
    kw.setdefault("destination", "standalone")
    return gate(kind, snap, ids, **kw)


@pytest.mark.parametrize(
    "kind", ["remove", "attest", "deregister", "close", "move", "invite", "accept"]
)
def test_audit_mode_and_loading_refuse_every_write(snap, kind, demo):
    one = [demo.accounts["northwind-prod"]]
    refused = decide(kind, snap, one, read_only=True)
    assert isinstance(refused, Refused) and "read-only" in refused.words
    loading = decide(kind, None, one)
    assert isinstance(loading, Refused) and "still loading" in loading.words


def test_removal_needs_the_standalone_destination(snap, demo):
    ids = [demo.accounts["northwind-prod"]]
    refused = decide("remove", snap, ids, destination="transfer")
    assert isinstance(refused, Refused) and "invites the account" in refused.words
    assert refused.timeout == 10
    opens = decide("remove", snap, ids)
    assert opens == Opens(snap, tuple(ids))


def test_a_member_removal_is_its_own_leave(snap, demo):
    own = demo.accounts["northwind-dev"]
    as_member = member(snap, own)
    assert decide("remove", as_member, [own]) == Opens(as_member, (own,), leave=True)
    other = decide("remove", as_member, [demo.accounts["northwind-prod"]])
    assert isinstance(other, Refused) and "only make this account leave" in other.words
    for kind in ("attest", "deregister", "close", "move", "invite"):
        refused = decide(kind, as_member, [own])
        assert isinstance(refused, Refused) and "needs the management account" in refused.words


def test_accounts_no_longer_known_are_dropped_or_refused(snap, demo):
    gone = "999999999999"
    keep = demo.accounts["northwind-prod"]
    assert decide("close", snap, [gone, keep]) == Opens(snap, (keep,))
    refused = decide("close", snap, [gone])
    assert isinstance(refused, Refused) and "press c" in refused.words


def test_attest_says_why_nothing_can_be_attested(snap):
    management = snap.organization.management_account_id
    refused = decide("attest", snap, [management])
    assert isinstance(refused, Refused) and "never leaves" in refused.words


def test_deregister_only_a_delegated_administrator(snap, demo):
    admin = next(a for a in snap.accounts if snap.delegated_services_of(a))
    assert decide("deregister", snap, [admin]) == Opens(snap, (admin,))
    plain = demo.accounts["sandbox-carol"]
    refused = decide("deregister", snap, [plain])
    assert isinstance(refused, Refused) and "not a delegated administrator" in refused.words
    assert refused.severity == "information"
    early = decide("deregister", replace(snap, enriched=False), [admin])
    assert isinstance(early, Refused) and "still being read" in early.words


def test_one_move_at_a_time(snap, demo):
    ids = [demo.accounts["northwind-prod"]]
    refused = decide("move", snap, ids, writing=True)
    assert isinstance(refused, Refused) and "move is in progress" in refused.words
    assert decide("move", snap, ids) == Opens(snap, tuple(ids))


def test_invite_opens_without_members(snap):
    assert decide("invite", snap, []) == Opens(snap, ())


def test_accept_is_a_member_s_own_write(snap, demo):
    own = demo.accounts["northwind-dev"]
    as_member = member(snap, own)
    assert decide("accept", as_member, []) == Opens(as_member, (own,))
    busy = decide("accept", as_member, [], writing=True)
    assert isinstance(busy, Refused) and "in progress" in busy.words
    refused = decide("accept", snap, [])
    assert isinstance(refused, Refused) and "can never leave" in refused.words
