"""x cycles the destination: each destination is assessed once per snapshot, and going
back to one reuses it (no rule runs again); a change to the snapshot starts afresh."""

from __future__ import annotations

import pytest

from orgtui.aws.loader import Loader
from orgtui.session import view as view_mod
from orgtui.session.view import OrgView
from tests.conftest import DEMO_NOW
from tests.ui.conftest import demo_context


def test_a_destination_is_assessed_once_per_snapshot(demo, monkeypatch: pytest.MonkeyPatch):
    snap = Loader(demo_context()).load()
    runs: list[tuple[str, str]] = []
    real = view_mod.Reassess

    def counted(before, after):
        runs.append((before, after))
        return real(before, after)

    monkeypatch.setattr(view_mod, "Reassess", counted)
    standalone = OrgView(snap, DEMO_NOW)
    transfer = standalone.with_destination("transfer")
    close = transfer.with_destination("close")
    again = close.with_destination("standalone")
    assert runs == [("standalone", "transfer"), ("transfer", "close")]
    assert again.verdicts == standalone.verdicts and again.destination == "standalone"
    assert again.with_destination("transfer").verdicts == transfer.verdicts
    assert len(runs) == 2
    # Going back shares what was kept (a view's dicts never change in place): no copy.
    back = again.with_destination("transfer")
    assert back.assessments is transfer.assessments and back.counts is transfer.counts
    assert again.assessments is standalone.assessments
    # Fresh assessments agree with the kept ones.
    assert OrgView(snap, DEMO_NOW, destination="close").verdicts == close.verdicts
    # An account leaving makes a new snapshot: its other destinations are assessed again.
    changed = again.without_account(demo.accounts["web-dev"])
    assert changed.with_destination("transfer").destination == "transfer"
    assert len(runs) == 3
