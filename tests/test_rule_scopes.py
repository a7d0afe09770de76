"""Rule scopes (orgtui/rules/scopes.py): a rule finds nothing outside its scope, and
`assess_all`, which asks each rule only about its scope, gives exactly what `assess`
gives account by account, for every destination."""

from __future__ import annotations

from dataclasses import replace

import pytest

from orgtui.aws.loader import Loader
from orgtui.model import DESTINATIONS, Snapshot, frozen_map
from orgtui.recovery import Recovery
from orgtui.rules import RULE_SCOPES, RULES_BY_DESTINATION, assess, assess_all
from orgtui.rules.readiness import management_account
from tests.conftest import DEMO_NOW
from tests.support.orgs import MGMT_ID, make_account, make_snapshot
from tests.test_demo import demo_ctx
from tests.test_destinations import ACC, NOW, cases

EVERY_RULE = sorted(
    {rule for rules in RULES_BY_DESTINATION.values() for rule in rules},
    key=lambda rule: rule.__name__,
)


def with_recovery(snap: Snapshot, created: bool) -> Snapshot:
    """The account's contacts read, none of them set."""
    return replace(snap, recovery=frozen_map({ACC: Recovery(ACC, created=created)}))


def snapshots() -> list[Snapshot]:
    """Every rule met, alone and together (tests/test_destinations.py `cases`), and missing
    recovery contacts."""
    found = [snap for _acc, snap in cases()]
    for created in (False, True):
        acc = make_account(ACC, joined_method="CREATED" if created else "INVITED")
        found.append(with_recovery(make_snapshot(acc), created))
    # A member: how its account joined is not known (STANDALONE_UNVERIFIED all the same).
    found.append(replace(make_snapshot(make_account(ACC, joined_method="")), member_mode=True))
    return found


def check_scopes(snap: Snapshot, now) -> None:
    for rule, scope_of in RULE_SCOPES.items():
        scope = scope_of(snap, now)
        if scope is None:
            continue
        outside = [a for a in snap.accounts.values() if a.id not in set(scope)]
        assert all(not tuple(rule(a, snap, now)) for a in outside), rule.__name__


def check_assess_all(snap: Snapshot, now) -> None:
    for destination in DESTINATIONS:
        one_by_one = {a: assess(acc, snap, now, destination) for a, acc in snap.accounts.items()}
        assert assess_all(snap, now, destination) == one_by_one
        # In the order asked, the management account among them.
        some = list(reversed(snap.accounts))[: max(2, len(snap.accounts) // 2)] + [MGMT_ID]
        some = [a for a in dict.fromkeys(some) if a in snap.accounts]
        assert list(assess_all(snap, now, destination, some).items()) == [
            (a, one_by_one[a]) for a in some
        ]


def test_the_cases_meet_every_scoped_rule():
    """The snapshots below are worth their name: each scoped rule finds something in one."""
    met = {
        rule
        for snap in snapshots()
        for rule in EVERY_RULE
        for acc in snap.accounts.values()
        if tuple(rule(acc, snap, NOW)) and not tuple(management_account(acc, snap, NOW))
    }
    assert set(RULE_SCOPES) <= met


@pytest.mark.parametrize("index", range(len(snapshots())))
def test_no_rule_finds_anything_outside_its_scope(index):
    check_scopes(snapshots()[index], NOW)


@pytest.mark.parametrize("index", range(len(snapshots())))
def test_assess_all_is_assess_for_every_account(index):
    check_assess_all(snapshots()[index], NOW)


def test_on_the_demo_organization(demo):
    snap = Loader(demo_ctx(read_only=True)).load()
    check_scopes(snap, DEMO_NOW)
    check_assess_all(snap, DEMO_NOW)


def spied(monkeypatch) -> list[str]:
    """The standalone rules that have a scope, each replaced by a spy that notes the
    rule's name when it is called; the list of names."""
    called: list[str] = []
    for rule, scope_of in dict(RULE_SCOPES).items():

        def spy(account, snap, now, rule=rule):
            called.append(rule.__name__)
            return rule(account, snap, now)

        rules = RULES_BY_DESTINATION["standalone"]
        monkeypatch.setitem(
            RULES_BY_DESTINATION, "standalone", tuple(spy if r is rule else r for r in rules)
        )
        monkeypatch.setitem(RULE_SCOPES, spy, scope_of)
    return called


def test_an_empty_scope_asks_nothing(monkeypatch):
    """An invited account without tags, delegation, stack instances, permission sets,
    refusals or contacts read, in an organization without shares, Control Tower or an SCP
    denying LeaveOrganization: no scoped rule is called (the point of a scope); with a
    tag, only the tag rule is."""
    called = spied(monkeypatch)
    acc = make_account(ACC)
    assert assess_all(make_snapshot(acc), NOW)[ACC].verdict == "ready"
    assert called == []
    assert [
        f.code for f in assess_all(make_snapshot(acc, tags={ACC: {"team": "x"}}), NOW)[ACC].findings
    ] == ["TAGS_WILL_BE_DELETED"]
    assert called == ["tags_deleted"]


def test_accounts_found_alike_share_one_assessment():
    """Two accounts of one OU tagged alike, under an SCP: the same findings (their OU's,
    one per tag set), so one Assessment object; a third tagged otherwise has its own."""
    from tests.support.orgs import PROD_ID, ROOT_ID
    from tests.test_impact_rules import DENY_LEAVE

    twins = [make_account(f"33333333333{i}", parent_id=PROD_ID) for i in range(3)]
    tags = {a.id: {"team": "payments"} for a in twins[:2]} | {twins[2].id: {"team": "web"}}
    snap = make_snapshot(
        *twins, tags=tags, policies=[DENY_LEAVE], attachments={ROOT_ID: (DENY_LEAVE.id,)}
    )
    found = assess_all(snap, NOW)
    first, second, other = (found[a.id] for a in twins)
    assert [f.code for f in first.findings] == ["TAGS_WILL_BE_DELETED", "POLICIES_STOP_APPLYING"]
    assert first is second and first == assess(twins[0], snap, NOW)
    assert other is not first and "team=web" in other.findings[0].message


def test_the_wait_scope_is_the_accounts_still_waiting():
    """WAIT_PERIOD_ACTIVE's scope is read at `now`: an account created five days ago is out
    of it (its wait is over), one created yesterday in it, as is one whose time has no
    zone (the rule reads it as UTC) or no time at all; an invited one never is."""
    from datetime import timedelta

    from orgtui.rules import wait_period

    accounts = {
        "old": make_account(
            "111111111101", joined_method="CREATED", joined=NOW - timedelta(days=5)
        ),
        "new": make_account(
            "111111111102", joined_method="CREATED", joined=NOW - timedelta(days=1)
        ),
        "naive": make_account(
            "111111111103",
            joined_method="CREATED",
            joined=(NOW - timedelta(days=1)).replace(tzinfo=None),
        ),
        "invited": make_account("111111111104", joined=NOW - timedelta(days=1)),
        "untimed": replace(
            make_account("111111111105", joined_method="CREATED"), joined_timestamp=None
        ),
    }
    snap = make_snapshot(*accounts.values())
    scope = set(RULE_SCOPES[wait_period](snap, NOW))
    assert {name for name, acc in accounts.items() if acc.id in scope} == {
        "new",
        "naive",
        "untimed",
    }
    check_scopes(snap, NOW)
    check_assess_all(snap, NOW)


def test_a_per_parent_rule_is_asked_once_per_parent(monkeypatch):
    """POLICIES_STOP_APPLYING of accounts with no policy of their own is their parent's:
    `assess_all` asks the rule once for the OU's three such accounts, and once more for
    the one with a policy attached to itself; the findings are `assess`'s."""
    from orgtui import rules
    from tests.support.orgs import PROD_ID, ROOT_ID
    from tests.test_impact_rules import DENY_LEAVE

    asked: list[str] = []
    real = rules.policies_stop

    def spy(account, snap, now):
        asked.append(account.id)
        return real(account, snap, now)

    standalone = tuple(spy if r is real else r for r in RULES_BY_DESTINATION["standalone"])
    monkeypatch.setitem(RULES_BY_DESTINATION, "standalone", standalone)
    monkeypatch.setattr(rules, "PER_PARENT", rules.PER_PARENT | {spy})
    heirs = [make_account(f"44444444444{i}", parent_id=PROD_ID) for i in range(3)]
    own = make_account("444444444449", parent_id=PROD_ID)
    snap = make_snapshot(
        *heirs,
        own,
        policies=[DENY_LEAVE],
        attachments={ROOT_ID: (DENY_LEAVE.id,), own.id: (DENY_LEAVE.id,)},
    )
    found = assess_all(snap, NOW)
    assert sorted(asked) == sorted([heirs[0].id, own.id])
    for acc in [*heirs, own]:
        assert found[acc.id] == assess(acc, snap, NOW)
    assert found[heirs[0].id] is found[heirs[2].id]
    assert found[own.id] != found[heirs[0].id]  # attached twice over: its own words
