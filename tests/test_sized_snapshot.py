"""The scale benchmarks' synthetic organization (`tests.support.orgs.sized_snapshot`,
used by benchmarks/destination_bench.py) is what its docstring says, and the same every
time: a benchmark figure is only worth comparing run to run if its input is."""

from __future__ import annotations

from orgtui.model import Snapshot
from tests.support.orgs import MGMT_ID, ROOT_ID, sized_snapshot


def test_it_is_the_organization_its_docstring_describes():
    snap: Snapshot = sized_snapshot(1000)
    members = [a for a in snap.accounts.values() if a.id != MGMT_ID]
    assert len(members) == 1000
    assert len(snap.ous) == 100
    top = [ou for ou in snap.ous.values() if ou.parent_id == ROOT_ID]
    assert len(top) == 10
    # Two levels: every other OU hangs under one of the ten.
    assert all(ou.parent_id in {t.id for t in top} for ou in snap.ous.values() if ou not in top)
    # The accounts spread over every OU.
    assert {a.parent_id for a in members} == set(snap.ous)
    assert sum(a.joined_method == "CREATED" for a in members) == 334
    assert len(snap.tags) == 500 and all(set(t) == {"team"} for t in snap.tags.values())
    assert len(snap.delegated) == 2
    assert len(snap.policies) == 20
    assert sum(len(p) for p in snap.attachments.values()) == 20
    assert all(target in snap.ous for target in snap.attachments)
    ages = {(snap.loaded_at - a.joined_timestamp).days for a in members if a.joined_timestamp}
    assert min(ages) == 30 and max(ages) == 429


def test_it_is_the_same_every_time():
    assert sized_snapshot(200) == sized_snapshot(200)
    small = sized_snapshot(5)  # at least ten OUs, whatever the size
    assert len(small.ous) == 10
