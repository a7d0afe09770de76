"""An organization's details, read after its structure: tags, delegated administrators
and policies, in as few calls as the API allows.

ListDelegatedAdministrators once and ListDelegatedServicesForAccount per administrator;
ListTagsForResource per account; ListPolicies per enabled policy type and
ListTargetsForPolicy per policy (never one policy call per account). Each job may return
more jobs; the loader runs them on its bounded pool.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from orgtui.aws.codes import error_code
from orgtui.model import DEFAULT_POLICY_IDS, Policy, Root, Snapshot, frozen_map, required
from orgtui.phases import Tracker

if TYPE_CHECKING:
    from orgtui.aws.session import AwsContext

PAGE = 20  # the most Organizations returns per page
Job = Callable[[], Any]


class Details:
    """What the detail jobs found, gathered from many threads."""

    def __init__(self, ctx: AwsContext, tracker: Tracker) -> None:
        self.ctx, self.tracker = ctx, tracker
        self.tags: dict[str, dict[str, str]] = {}
        self.delegated: dict[str, tuple[str, ...]] = {}
        self.policies: dict[str, Policy] = {}
        self.attachments: dict[str, list[str]] = defaultdict(list)
        self.notes: dict[str, tuple[str, ...]] = {}
        self.listed: list[str] = []  # every account id ListAccounts gave (aws/loader.py)
        self._lock = threading.Lock()

    def _more(self, n: int) -> None:
        if self.tracker.total is not None:
            self.tracker.total += n

    # --- jobs ------------------------------------------------------------------------

    def every_account(self) -> None:
        """ListAccounts, to check the tree walk against: one page per 20 accounts."""
        items = self.ctx.pages("list_accounts", "Accounts", MaxResults=PAGE)
        self.listed = [str(required(a, "Id", "ListAccounts")) for a in items]
        self.tracker.step()

    def tags_of(self, account_id: str) -> None:
        try:
            items = self.ctx.pages("list_tags_for_resource", "Tags", ResourceId=account_id)
        except ClientError as exc:
            # One account gone between the listing and its tags must not fail the whole
            # load: it gets a note, the rest goes on.
            if error_code(exc) not in ("TargetNotFoundException", "AccountNotFoundException"):
                raise
            with self._lock:
                self.notes[account_id] = (
                    f"Its tags could not be read: AWS answered {error_code(exc)} (it may have "
                    "just left the organization); reload to see.",
                )
            items = []
        if items:
            found = {
                str(required(t, "Key", "ListTagsForResource")): str(t.get("Value") or "")
                for t in items
            }
            with self._lock:
                self.tags[account_id] = found
        self.tracker.step()

    def delegated_admins(self) -> list[Job]:
        admins = self.ctx.pages(
            "list_delegated_administrators", "DelegatedAdministrators", MaxResults=PAGE
        )
        self.tracker.step()
        self._more(len(admins))
        return [
            partial(self.services_of, str(required(a, "Id", "ListDelegatedAdministrators")))
            for a in admins
        ]

    def services_of(self, admin_id: str) -> None:
        items = self.ctx.pages(
            "list_delegated_services_for_account",
            "DelegatedServices",
            AccountId=admin_id,
            MaxResults=PAGE,
        )
        services = tuple(
            str(required(s, "ServicePrincipal", "ListDelegatedServicesForAccount")) for s in items
        )
        with self._lock:
            self.delegated[admin_id] = services
        self.tracker.step()

    def policies_of_type(self, policy_type: str) -> list[Job]:
        found = self.ctx.pages("list_policies", "Policies", Filter=policy_type, MaxResults=PAGE)
        self.tracker.step()
        read = [
            Policy(
                str(required(p, "Id", "ListPolicies")),
                str(p.get("Name") or p["Id"]),
                str(p.get("Type") or policy_type),
                bool(p.get("AwsManaged", False)),
            )
            for p in found
        ]
        # The AWS-managed full-access defaults are attached everywhere and never
        # reported: their targets would cost pages of calls for nothing.
        wanted = [p.id for p in read if p.id not in DEFAULT_POLICY_IDS]
        self._more(len(wanted))
        with self._lock:
            self.policies.update((p.id, p) for p in read)
        return [partial(self.targets_of, policy_id) for policy_id in wanted]

    def targets_of(self, policy_id: str) -> None:
        items = self.ctx.pages(
            "list_targets_for_policy", "Targets", PolicyId=policy_id, MaxResults=PAGE
        )
        with self._lock:
            for target in items:
                self.attachments[str(required(target, "TargetId", "ListTargetsForPolicy"))].append(
                    policy_id
                )
        self.tracker.step()

    # --- result ----------------------------------------------------------------------

    def into(self, snap: Snapshot) -> Snapshot:
        policies = self.policies
        return replace(
            snap,
            tags=frozen_map({k: frozen_map(v) for k, v in self.tags.items()}),
            delegated=frozen_map(self.delegated),
            policies=frozen_map(policies),
            # Sorted: targets are listed concurrently, and the order must not depend on
            # which call finished first (findings and screens must be reproducible).
            attachments=frozen_map(
                {
                    k: tuple(sorted(v, key=lambda p: (policies[p].name if p in policies else p, p)))
                    for k, v in self.attachments.items()
                }
            ),
            account_notes=frozen_map(self.notes),
            enriched=True,
        )


def policy_types(roots: Iterable[Root], feature_set: str) -> list[str]:
    """The policy types whose policies are read: those enabled on a root, and SCPs in an
    organization with all features."""
    types = {t for root in roots for t in root.enabled_policy_types}
    if feature_set == "ALL":
        # SCPs are the policies that matter most here; asking costs one call, and when
        # the type is disabled AWS has detached them all, so nothing false is found.
        types.add("SERVICE_CONTROL_POLICY")
    return sorted(types)


def jobs(details: Details, types: Iterable[str], tag_ids: Iterable[str]) -> Iterator[Job]:
    """The detail reads, made as the loader takes them (it keeps a window of jobs in
    flight): 10,000 jobs made at once would live through the whole load."""
    yield details.delegated_admins
    yield details.every_account
    for t in types:
        yield partial(details.policies_of_type, t)
    for a in tag_ids:
        yield partial(details.tags_of, a)
