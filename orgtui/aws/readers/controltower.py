"""AWS Control Tower: the OUs and accounts with an enabled baseline (ListEnabledBaselines).

Best effort: Control Tower answers only in its home region and only where a landing zone
exists; the orchestrator turns a failure into a note on the control_tower check.
"""

from __future__ import annotations

from orgtui.aws.readers import IMPACT_ATTEMPTS
from orgtui.aws.session import AwsContext

PAGE = 100


def read_baseline_targets(ctx: AwsContext, region: str) -> frozenset[str]:
    """Ids (OU or account) that an enabled Control Tower baseline targets."""
    ct = ctx.client("controltower", region, attempts=IMPACT_ATTEMPTS)
    targets: set[str] = set()
    for baseline in ctx.pages(
        "list_enabled_baselines", "enabledBaselines", client=ct, maxResults=PAGE
    ):
        # arn:aws:organizations::111122223333:ou/o-abc/ou-ab12-cd34ef56 (or .../account/o-abc/<id>)
        target = str(baseline.get("targetIdentifier") or "").rsplit("/", 1)[-1]
        if target:
            targets.add(target)
    return frozenset(targets)
