"""A 10,000-account organization: the tree builds only what is open, big OUs in chunks."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.app import App, ComposeResult

from orgtui.model import Account, Caller, Organization, OrgUnit, Root, Snapshot, frozen_map
from orgtui.session.view import OrgView, verdict_word
from orgtui.ui.widgets.org_tree import CHUNK, OrgTree
from tests.conftest import DEMO_NOW

T0 = datetime(2020, 1, 1, tzinfo=timezone.utc)


def big_snapshot(n_ous: int = 20, per_ou: int = 250, big: int = 5000) -> Snapshot:
    root = Root("r-big", "Root", "arn:root", (("SERVICE_CONTROL_POLICY", "ENABLED"),))
    ous: dict[str, OrgUnit] = {}
    accounts: dict[str, Account] = {}
    child_ous: dict[str, tuple[str, ...]] = {root.id: ()}
    child_accounts: dict[str, tuple[str, ...]] = {root.id: ()}
    n = 100000000000
    sizes = [big] + [per_ou] * (n_ous - 1)
    for i, size in enumerate(sizes):
        ou = OrgUnit(f"ou-big-{i:04d}", f"unit-{i:04d}", "", root.id)
        ous[ou.id] = ou
        ids = []
        for j in range(size):
            n += 1
            acc = Account(
                str(n),
                f"acct-{i:04d}-{j:05d}",
                f"a{n}@example.com",
                "",
                "ACTIVE" if j % 50 else "SUSPENDED",
                "INVITED",
                T0,
                ou.id,
            )
            accounts[acc.id] = acc
            ids.append(acc.id)
        child_accounts[ou.id] = tuple(ids)
        child_ous[ou.id] = ()
    child_ous[root.id] = tuple(ous)
    return Snapshot(
        organization=Organization("o-big", "arn:org", "100000000001", "m@example.com", "ALL"),
        caller=Caller("100000000001", "arn:aws:iam::100000000001:user/admin"),
        roots=(root,),
        ous=frozen_map(ous),
        accounts=frozen_map(accounts),
        child_ous=frozen_map(child_ous),
        child_accounts=frozen_map(child_accounts),
        loaded_at=DEMO_NOW,
        enriched=True,
    )


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield OrgTree(id="tree")


async def test_ten_thousand_accounts_open_with_only_the_first_level():
    snap = big_snapshot()
    assert len(snap.accounts) == 9750
    view = OrgView(snap, DEMO_NOW)
    assert view.counts_of("r-big").total == 9750
    assert view.counts_of("r-big").blocked == 195  # every 50th is suspended
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(OrgTree)
        tree.show(view, keep_state=False)
        await pilot.pause()
        assert len(tree.nodes) == 1 + 20  # the root and its OUs, no account yet
        big = tree.nodes["ou-big-0000"]
        tree.move_cursor(big)
        tree.action_open()
        # The first chunk at once, the rest after repaints, input staying responsive.
        assert len(big.children) == CHUNK
        for _ in range(100):
            if len(big.children) == 5000:
                break
            await pilot.pause()
        assert len(big.children) == 5000
        # Filtering a big organization only builds the first level of matches.
        tree.set_matches(view.search("acct-0007"))
        assert len(tree.matches) == 250
        # More than 200 matches: only the first level, and the OU of the first match,
        # where the cursor goes (one chunk at most).
        assert tree.cursor_ref.id == tree.first_match()
        assert len(tree.nodes) <= 2 + CHUNK
        tree.set_matches(view.search("acct-0007-0012"))
        assert len(tree.matches) == 10
        assert tree.first_match() == snap.child_accounts["ou-big-0007"][120]


async def test_reveal_completes_a_partly_built_ou():
    snap = big_snapshot(n_ous=2, per_ou=10, big=3000)
    view = OrgView(snap, DEMO_NOW)
    app = TreeApp()
    async with app.run_test(size=(100, 30)) as pilot:
        tree = app.query_one(OrgTree)
        tree.show(view, keep_state=False)
        await pilot.pause()
        last = snap.child_accounts["ou-big-0000"][-1]
        assert tree.reveal(last)
        assert tree.cursor_ref.id == last


def test_badge_marks_verdicts_that_may_change():
    snap = big_snapshot(n_ous=1, per_ou=0, big=2)
    from dataclasses import replace

    def badge_text(view: OrgView, account_id: str) -> str:
        return verdict_word(view.verdict(account_id), view.complete)

    partial = OrgView(replace(snap, enriched=False), DEMO_NOW)
    ready = snap.child_accounts["ou-big-0000"][1]
    assert badge_text(partial, ready) == "ready?"
    assert badge_text(OrgView(snap, DEMO_NOW), ready) == "ready"
    blocked = snap.child_accounts["ou-big-0000"][0]  # suspended: blocked for certain
    assert badge_text(partial, blocked) == "blocked"
