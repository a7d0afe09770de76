"""The view model: verdicts, OU counts in one pass, the search index, removal."""

from __future__ import annotations

from datetime import timedelta

from orgtui.aws.loader import Loader
from orgtui.model import DEFAULT_ATTEST_TAG
from orgtui.rules import assess_all
from orgtui.session.view import OrgView
from orgtui.write_model import updated_snapshot
from tests.conftest import DEMO_NOW
from tests.ui.conftest import demo_context


def _view(demo) -> OrgView:
    return OrgView(Loader(demo_context()).load(), DEMO_NOW)


def test_counts_match_the_accounts_below_each_ou(demo):
    view = _view(demo)
    snap = view.snapshot
    verdicts = {a: s.verdict for a, s in assess_all(snap, DEMO_NOW).items()}
    assert view.verdicts == verdicts
    for container in [demo.root_id, *snap.ous]:
        below = [a.id for a in snap.iter_accounts_under(container)]
        counts = view.counts_of(container)
        assert counts.total == len(below)
        assert counts.blocked == sum(verdicts[a] == "blocked" for a in below)
        assert counts.review == sum(verdicts[a] == "review" for a in below)
    assert view.counts_of(demo.ous["Workloads"]).total == 14


def test_search_terms(demo):
    view = _view(demo)
    ids = demo.accounts
    assert set(view.search("northwind")) == {
        ids["northwind-prod"],
        ids["northwind-dev"],
        ids["northwind-shared"],
    }
    assert view.search(ids["tailspin-prod"]) == [ids["tailspin-prod"]]
    assert view.search("AWS+ML-DEV@example.com") == [ids["ml-dev"]]
    assert set(view.search("pci=in-scope")) == {ids["cardvault-prod"], ids["tokenizer-prod"]}
    blocked = set(view.search("blocked"))
    assert blocked == {a for a, v in view.verdicts.items() if v == "blocked"}
    assert ids["security-tooling"] in blocked
    assert set(view.search("sandbox blocked")) == {
        a for a in blocked if view.snapshot.accounts[a].name.startswith("sandbox")
    }
    assert view.search("no-such-thing") == []


def test_search_takes_account_ids_with_the_consoles_dashes(demo):
    view = _view(demo)
    account = demo.accounts["tailspin-prod"]
    dashed = f"{account[:4]}-{account[4:8]}-{account[8:]}"
    assert view.search(dashed) == [account]
    assert account in view.search(dashed[:7])  # typed so far: `1234-56`
    assert view.search(f"{dashed} blocked") == view.search(f"{account} blocked")
    # A dashed term still matches as typed: names and emails keep their dashes.
    assert view.search("ml-dev") == [demo.accounts["ml-dev"]]


def test_without_account_adjusts_counts_and_index(demo):
    view = _view(demo)
    gone = demo.accounts["northwind-dev"]
    after = view.without_account(gone)
    assert gone not in after.snapshot.accounts
    assert after.counts_of(demo.ous["Divesting"]).total == 3
    assert after.counts_of(demo.root_id).total == view.counts_of(demo.root_id).total - 1
    assert gone not in after.search("northwind")
    assert view.counts_of(demo.ous["Divesting"]).total == 4  # the old view is unchanged


def test_with_changes_redoes_only_the_changed_account(demo):
    """An attestation (a tag) or a deregistration (delegated services) changes one
    account: its verdict, the counts above it and its search entry follow; the rest is
    kept as it was."""
    view = _view(demo)
    web_dev, tooling = demo.accounts["web-dev"], demo.accounts["security-tooling"]
    snap = view.snapshot
    tags = {**snap.tags_of(web_dev), DEFAULT_ATTEST_TAG: "2026-11-28 alice"}
    snap = updated_snapshot(snap, snap.accounts[web_dev], tags, ())
    snap = updated_snapshot(snap, snap.accounts[tooling], snap.tags_of(tooling), ())
    after = view.with_changes(snap, [web_dev, tooling])
    assert (after.verdict(web_dev), after.verdict(tooling)) == ("ready", "ready")
    assert after.assessments == assess_all(snap, DEMO_NOW)
    for container in [demo.root_id, *snap.ous]:
        below = [a.id for a in snap.iter_accounts_under(container)]
        counts = after.counts_of(container)
        assert (counts.total, counts.ready) == (
            len(below),
            sum(after.verdict(a) == "ready" for a in below),
        )
    assert after.counts_of(demo.root_id).ready == view.counts_of(demo.root_id).ready + 2
    assert set(after.search("STANDALONE_ATTESTED")) == {web_dev, demo.accounts["backup-vault"]}
    assert tooling not in after.search("guardduty")
    assert tooling in view.search("guardduty")  # the old view is unchanged
    untouched = demo.accounts["northwind-prod"]
    assert after.assessments[untouched] is view.assessments[untouched]


def test_typing_on_scans_only_the_last_matches(demo):
    """A longer query searches within the shorter one's matches, not the whole index."""
    from orgtui.session.search import SearchIndex

    view = _view(demo)
    scanned: list[int] = []
    real_match = SearchIndex.match

    def counting(self, query, within=None, reading=False):
        scanned.append(len(self.text) if within is None else len(list(within)))
        return real_match(self, query, within, reading)

    SearchIndex.match = counting  # type: ignore[method-assign]
    try:
        first = view.search("sand")
        narrowed = view.search("sandbox-c")
        verdict = view.search("sandbox-c review")  # one more term (AND): within again
        fresh = view.search("north")  # not an extension: full scan
        view.search("ou:sand")
        view.search("ou:sandbox")  # a keyword term changes meaning as it grows: full scan
        view.search("re")
        view.search("review")  # a plain term that became a verdict word: full scan
    finally:
        SearchIndex.match = real_match  # type: ignore[method-assign]
    total = len(view.index.text)
    assert scanned == [total, len(first), len(narrowed), total, total, total, total, total]
    assert narrowed == [i for i in first if "sandbox-c" in view.index.text[i]]
    assert narrowed == real_match(view.index, "sandbox-c")
    assert verdict == real_match(view.index, "sandbox-c review")
    assert fresh and all("north" in view.index.text[i] for i in fresh)


def test_the_view_models_are_ui_free():
    """view, search and table_model compute in the loading worker: no textual import."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import orgtui.session.view, orgtui.session.search, orgtui.session.table_model\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_view_and_its_table_model_are_freed_without_the_collector(demo):
    """The app freezes what is alive after each view is shown (`OrgApp.show`): a view
    must hold no reference cycle, or every replaced view would stay in memory."""
    import gc
    import weakref

    from orgtui.session.table_model import TableModel

    view = _view(demo)
    TableModel.of(view).prepare()
    view.search("prod")
    gone = weakref.ref(view)
    gc.disable()
    try:
        del view
        assert gone() is None  # freed by refcounting alone
    finally:
        gc.enable()


def test_an_attestation_written_after_midnight_is_judged_at_its_own_time(demo):
    # The view was assessed yesterday; the attestation `v` writes today is not in the future.
    view = OrgView(Loader(demo_context()).load(), DEMO_NOW - timedelta(days=1))
    web_dev = demo.accounts["web-dev"]
    snap = view.snapshot
    tags = {**snap.tags_of(web_dev), DEFAULT_ATTEST_TAG: "2026-11-28T12:00:00Z 1/alice"}
    snap = updated_snapshot(snap, snap.accounts[web_dev], tags, ())
    assert view.with_changes(snap, [web_dev]).verdict(web_dev) == "review"
    assert view.with_changes(snap, [web_dev], now=DEMO_NOW).verdict(web_dev) == "ready"
