"""The impact read: what breaks when an account leaves, read organization-wide.

`read_impact(ctx, snap, regions, identity_center_region)` runs the five checks of DESIGN.md
concurrently through the run's AwsContext and returns the snapshot with `impact` filled
(given `details`, the four that need only the structure run while the details are read):

- stacksets: ListStackSets per region, DescribeStackSet and ListStackInstances per
  service-managed or Control Tower set (orgtui/aws/readers/cloudformation.py);
- control_tower: ListAWSServiceAccessForOrganization once, the Control Tower StackSets
  above, and ListEnabledBaselines, best effort (readers/policies.py, controltower.py);
- identity_center: ListInstances, ListPermissionSets, then DescribePermissionSet and
  ListAccountsForProvisionedPermissionSet per permission set (readers/identity_center.py);
- ram: GetResourceShares and GetResourceShareAssociations per region (readers/ram.py);
- scp_leave: DescribePolicy per attached SCP other than FullAWSAccess (readers/policies.py).

Coverage, never failure: a check that can't be made is `skipped` with the reason in words
(access denied and the action, not reachable at this endpoint, no Identity Center instance,
the caller is a member account, ...), and the load goes on. None of the calls is made per
account, so the number of calls does not grow with the organization.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
)

from orgtui.aws.codes import DENIED, NOT_SERVED, error_code
from orgtui.aws.errors import translate
from orgtui.aws.readers import each
from orgtui.aws.readers.cloudformation import StackSetsRead, read_stack_sets
from orgtui.aws.readers.controltower import read_baseline_targets
from orgtui.aws.readers.identity_center import read_assignees, read_identity_center
from orgtui.aws.readers.policies import read_policy_documents, read_trusted_services
from orgtui.aws.readers.ram import read_shares
from orgtui.aws.session import AwsContext
from orgtui.errors import Cancelled
from orgtui.impact_model import (
    CHECK_NAMES,
    CONTROL_TOWER_PRINCIPAL,
    Assignees,
    Check,
    Impact,
    ResourceShareInfo,
    skipped,
    skipped_all,
)
from orgtui.model import DEFAULT_POLICY_IDS, Snapshot, frozen_map
from orgtui.phases import ProgressFn
from orgtui.text import clean

T = TypeVar("T")

MEMBER = "the caller is a member account"
NOT_MANAGEMENT = (
    "the caller is not the management account, which administers the service-managed StackSets"
)
# The botocore services each check calls, to name the IAM action of a refused call.
SERVICES = {
    "stacksets": ("cloudformation",),
    "control_tower": ("organizations", "cloudformation", "controltower"),
    "identity_center": ("sso-admin",),
    "ram": ("ram",),
    "scp_leave": ("organizations",),
}


def iam_action(ctx: AwsContext, operation: str, services: Iterable[str]) -> str:
    """The IAM action of an operation ("sso:ListInstances"), from the services' models."""
    for service in services:
        try:
            model = ctx.client(service).meta.service_model
        except Exception:  # naming the action must never be what fails
            continue
        if operation in model.operation_names:
            return f"{model.signing_name}:{operation}"
    return operation


def why(ctx: AwsContext, exc: BaseException, services: Iterable[str]) -> str:
    """Why a read failed, in words for a skipped check's reason."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = str((exc.response.get("Error") or {}).get("Message", "") or "")
        action = iam_action(ctx, exc.operation_name, services)
        if code in DENIED:
            return f"access denied: {action}"
        if code in NOT_SERVED or code.isdigit():
            # A bare HTTP status: the endpoint (a moto server, LocalStack, a proxy) does not
            # serve the call. Its body is quoted only when it is a short line, not a page.
            answer = f"HTTP {code}" if code.isdigit() else code
            short = len(message) <= 80 and "<" not in message and "\n" not in message
            return (
                f"not reachable at this endpoint: {action} answered {answer}"
                f"{f' ({clean(message)})' if message and short else ''}"
            )
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return f"not reachable at this endpoint{f' ({clean(url)})' if url else ''}"
    return clean(translate(exc).what)


@dataclass
class _Outcome:
    """A read that may have failed: its value, or why not."""

    value: Any = None
    error: str = ""


def _attempt(ctx: AwsContext, services: Iterable[str], fn: Callable[[], T]) -> _Outcome:
    try:
        return _Outcome(value=fn())
    except Cancelled:
        raise  # the session ended (quit): the load stops, nothing is skipped or saved
    except Exception as exc:  # coverage, never failure: a check is skipped, the load goes on
        return _Outcome(error=why(ctx, exc, services))


def _regional(regions: tuple[str, ...], outcomes: dict[str, _Outcome]) -> Check:
    """checked in the regions read; a region that failed is a note, all failing a skip."""
    read = tuple(r for r in regions if not outcomes[r].error)
    failed = [r for r in regions if outcomes[r].error]
    if not read:
        reasons = list(dict.fromkeys(outcomes[r].error for r in failed))
        if len(reasons) == 1:
            return skipped(reasons[0])
        return skipped("; ".join(f"{r}: {outcomes[r].error}" for r in failed))
    note = "; ".join(f"not read in {r}: {outcomes[r].error}" for r in failed)
    return Check("checked", regions=read, note=note)


def _control_tower(
    trusted: _Outcome, baselines: _Outcome | None, stacksets: Check, found_sets: bool, region: str
) -> Check:
    if trusted.error:
        return skipped(trusted.error)
    if CONTROL_TOWER_PRINCIPAL not in trusted.value:
        return Check("checked")  # trusted access off: no account is enrolled
    if not stacksets.checked:
        return skipped(stacksets.reason)
    notes = [stacksets.note] if stacksets.note else []
    if baselines is not None and baselines.error:
        notes.append(
            f"Control Tower baselines were not read: {baselines.error.rstrip('.')}. "
            "Enrolment is judged from trusted access and the AWSControlTowerBP- "
            "StackSets only"
        )
    elif not found_sets and not (baselines and baselines.value):
        notes.append(
            f"trusted access is on but no AWSControlTowerBP- StackSet or enabled "
            f"baseline was found in {', '.join(stacksets.regions) or region}; if "
            "Control Tower's home region is another, add it to impact_regions"
        )
    return Check("checked", note="; ".join(notes))


def attached_scps(snap: Snapshot) -> list[str]:
    """Ids of the SCPs attached anywhere, the AWS-managed full-access defaults excepted."""
    ids = {pid for targets in snap.attachments.values() for pid in targets}
    return sorted(
        pid
        for pid in ids
        if pid not in DEFAULT_POLICY_IDS
        and pid in snap.policies
        and snap.policies[pid].type == "SERVICE_CONTROL_POLICY"
    )


def read_impact(
    ctx: AwsContext,
    snap: Snapshot,
    regions: Iterable[str] = (),
    identity_center_region: str | None = None,
    progress: ProgressFn | None = None,
    details: Callable[[], Snapshot] | None = None,
) -> Snapshot:
    """The snapshot with `impact` read: every check checked or skipped, never an error
    (only `Cancelled`, when the session ends during the read).

    `details`, when given, reads the rest of the organization (`Loader.enrich`) while the
    checks that need only its structure (StackSets, Control Tower, Identity Center, RAM)
    run: only the SCP check waits for the policies. Its error is raised as it comes."""
    if snap.member_mode:
        return replace(details() if details else snap, impact=skipped_all(MEMBER))
    regions = tuple(dict.fromkeys(r for r in (ctx.region, *regions) if r))
    ic_region = identity_center_region or ctx.region
    management = snap.is_management_caller
    step = _Steps(progress, len(CHECK_NAMES))

    def regional(name: str, fn: Callable[[AwsContext, str], T]) -> dict[str, _Outcome]:
        outcomes = each(ctx, lambda r: _attempt(ctx, SERVICES[name], lambda: fn(ctx, r)), regions)
        return dict(zip(regions, outcomes, strict=True))

    def trusted_and_baselines() -> tuple[_Outcome, _Outcome | None]:
        trusted = _attempt(ctx, SERVICES["control_tower"], lambda: read_trusted_services(ctx))
        if trusted.error or CONTROL_TOWER_PRINCIPAL not in trusted.value:
            return trusted, None
        return trusted, _attempt(
            ctx, SERVICES["control_tower"], lambda: read_baseline_targets(ctx, ctx.region)
        )

    pool = ThreadPoolExecutor(max_workers=5, thread_name_prefix="orgtui-impact")
    failed = False
    try:

        def submit(fn: Callable[[], T]) -> Future[T]:
            fut = pool.submit(fn)
            fut.add_done_callback(lambda _: step())
            return fut

        f_sets = submit(lambda: regional("stacksets", read_stack_sets)) if management else None
        f_ct = submit(trusted_and_baselines) if management else None
        f_ic = submit(
            lambda: _attempt(
                ctx, SERVICES["identity_center"], lambda: read_identity_center(ctx, ic_region)
            )
        )
        f_ram = submit(lambda: regional("ram", read_shares))
        if not management:
            step(2)
        if details is not None:
            snap = details()
        scps = attached_scps(snap)
        f_scp = submit(
            lambda: _attempt(ctx, SERVICES["scp_leave"], lambda: read_policy_documents(ctx, scps))
        )
        impact = _assemble(
            regions,
            ic_region,
            f_sets.result() if f_sets else None,
            f_ct.result() if f_ct else None,
            f_ic.result(),
            f_ram.result(),
            f_scp.result(),
            ctx.region,
            snap.enriched,
        )
    except BaseException:
        failed = True
        raise
    finally:
        # A failed read of the details is raised now, not after the checks in flight
        # (each ends by itself within one request's timeout).
        pool.shutdown(wait=not failed, cancel_futures=True)
    return replace(snap, impact=impact)


class _Steps:
    """Progress of the impact read: one step per check finished."""

    def __init__(self, fn: ProgressFn | None, total: int) -> None:
        self.fn, self.total, self.done = fn, total, 0
        self._lock = threading.Lock()
        if fn:
            fn("impact", 0, total)

    def __call__(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            done = min(self.done, self.total)
        if self.fn:
            self.fn("impact", done, self.total)


def _assemble(
    regions: tuple[str, ...],
    ic_region: str,
    sets: dict[str, _Outcome] | None,
    ct: tuple[_Outcome, _Outcome | None] | None,
    ic: _Outcome,
    ram: dict[str, _Outcome],
    scp: _Outcome,
    home: str,
    enriched: bool,
) -> Impact:
    """One Impact from the outcomes of the reads."""
    checks: dict[str, Check] = {}
    stack_sets: dict[str, Any] = {}
    instances: dict[str, list[tuple[str, str]]] = {}
    trusted: tuple[str, ...] = ()
    targets: frozenset[str] = frozenset()
    if sets is None or ct is None:
        checks["stacksets"] = checks["control_tower"] = skipped(NOT_MANAGEMENT)
    else:
        checks["stacksets"] = _regional(regions, sets)
        for outcome in sets.values():
            if not outcome.error:
                read: StackSetsRead = outcome.value
                stack_sets.update(read.sets)
                for account, pairs in read.instances.items():
                    instances.setdefault(account, []).extend(pairs)
        trusted_outcome, baselines = ct
        trusted = tuple(trusted_outcome.value or ())
        if baselines is not None and not baselines.error:
            targets = baselines.value
        found = any(s.control_tower for s in stack_sets.values())
        checks["control_tower"] = _control_tower(
            trusted_outcome, baselines, checks["stacksets"], found, home
        )
    permission_sets: dict[str, Any] = {}
    provisioned: dict[str, tuple[str, ...]] = {}
    if ic.error:
        checks["identity_center"] = skipped(ic.error)
    elif not ic.value.instances:
        checks["identity_center"] = skipped(
            f"no IAM Identity Center instance in {ic_region} (if it lives in another "
            "region, set identity_center_region)"
        )
    else:
        checks["identity_center"] = Check("checked")
        permission_sets = ic.value.permission_sets
        provisioned = {k: tuple(v) for k, v in ic.value.provisioned.items()}
    checks["ram"] = _regional(regions, ram)
    shares: dict[str, ResourceShareInfo] = {
        s.arn: s for o in ram.values() if not o.error for s in o.value
    }
    checks["scp_leave"] = skipped(scp.error) if scp.error else Check("checked")
    if not enriched:
        checks["scp_leave"] = skipped("the organization's policies were not read")
    return Impact(
        checks=frozen_map({n: checks[n] for n in CHECK_NAMES}),
        stack_sets=frozen_map(stack_sets),
        stack_instances=frozen_map({k: tuple(v) for k, v in instances.items()}),
        trusted_services=trusted,
        baseline_targets=targets,
        identity_center_region=ic_region if checks["identity_center"].checked else "",
        permission_sets=frozen_map(permission_sets),
        provisioned=frozen_map(provisioned),
        shares=frozen_map(shares),
        scp_documents=frozen_map({} if scp.error else scp.value),
    )


def assignees(ctx: AwsContext, snap: Snapshot, account_id: str) -> Assignees | None:
    """How many users and groups sign in to one account through Identity Center.

    For the detail pane and the removal dialog, on demand (a worker thread): one
    ListAccountAssignments (and its pages) per permission set provisioned to the account,
    for this account only. None when Identity Center was not checked (the count is not
    known); zero calls when nothing is provisioned to it. AWS failures are raised as
    OrgtuiError, in words.
    """
    impact = snap.impact
    if not impact.checked("identity_center"):
        return None
    sets = [
        impact.permission_sets[arn]
        for arn in impact.provisioned.get(account_id, ())
        if arn in impact.permission_sets
    ]
    if not sets:
        return Assignees(users=0, groups=0)
    try:
        return read_assignees(ctx, impact.identity_center_region or ctx.region, account_id, sets)
    except Exception as exc:
        raise translate(exc) from exc
