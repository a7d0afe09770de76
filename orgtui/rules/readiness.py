"""Readiness rules: what AWS checks before an account may leave, and why it would refuse.

Pure functions of (account, snapshot, now), each yielding its findings. The package
(`orgtui.rules`) lists them in `RULES` and derives the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from orgtui.model import (
    DEFAULT_POLICY_IDS,
    Account,
    Finding,
    Snapshot,
    utc,
)
from orgtui.rules.attestation import judged_attestation, not_valid_words
from orgtui.text import plural

WAIT_PERIOD = timedelta(days=4)


def _fmt_time(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%d %H:%M UTC")


def _fmt_left(delta: timedelta) -> str:
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def management_account(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.id == snap.organization.management_account_id:
        yield Finding(
            "MANAGEMENT_ACCOUNT",
            "blocker",
            "This is the organization's management account; it can never be removed.",
            "To end the organization, remove every member account and then delete the "
            "organization from this account. To keep the accounts, leave this one as it is.",
        )


def delegated_admin(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    services = snap.delegated_services_of(account.id)
    if services:
        names = ", ".join(services)
        yield Finding(
            "DELEGATED_ADMIN",
            "blocker",
            f"Delegated administrator for {plural(len(services), 'service')}: {names}.",
            "Move the delegated administrator role to an account that stays in the "
            f"organization (organizations deregister-delegated-administrator for {names}, "
            "or the service's own console), then try again.",
        )


def wait_period(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    joined = utc(account.joined_timestamp)
    if account.joined_method != "CREATED" or joined is None:
        return
    ends = joined + WAIT_PERIOD
    now = utc(now) or now
    if now < ends:
        yield Finding(
            "WAIT_PERIOD_ACTIVE",
            "blocker",
            f"Created in the organization on {_fmt_time(joined)}; AWS refuses removal until "
            f"four days have passed, on {_fmt_time(ends)} ({_fmt_left(ends - now)} from now).",
            f"Wait until {_fmt_time(ends)}, then try again.",
        )


def not_active(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.state != "ACTIVE":
        yield Finding(
            "NOT_ACTIVE",
            "blocker",
            f"The account's state is {account.state}; only ACTIVE accounts can be removed.",
            "A suspended or closed account stays in the organization until AWS finishes "
            "closing it (about 90 days); if the account is still activating, wait and reload.",
        )


def standalone_unverified(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if account.joined_method not in ("CREATED", "INVITED") and snap.member_mode:
        # A member can't read how its account joined: it may well be a CREATED one.
        yield Finding(
            "STANDALONE_UNVERIFIED",
            "warning",
            "A member account can't read how it joined the organization; if it was created "
            "through Organizations, its payment method, phone verification, contact "
            "information and support plan were never collected, and no API can check them.",
            "Sign in to the account as its root user and check that a payment method, phone "
            "verification, contact details and a support plan are in place; then leave.",
        )
    if account.joined_method == "CREATED":
        judged = judged_attestation(account, snap, now)
        if judged is not None and judged.when is not None:
            yield Finding(
                "STANDALONE_ATTESTED",
                "notice",
                f"Created through Organizations; its standalone sign-up was attested as "
                f"completed: tag {snap.attest_tag} = {judged.value!r}.",
                "Nothing to do. If the attestation is wrong, remove the tag, sign in as the "
                "root user and complete the sign-up first.",
            )
            return
        yield _unverified(
            snap.attest_tag, not_valid_words(snap.attest_tag, judged) if judged is not None else ""
        )


@lru_cache(maxsize=256)
def _unverified(attest_tag: str, not_valid: str) -> Finding:
    """STANDALONE_UNVERIFIED of an account created through Organizations: the same words
    for every such account without a valid attestation, so one Finding serves them all
    (a third of a large organization's accounts, often)."""
    return Finding(
        "STANDALONE_UNVERIFIED",
        "warning",
        "Created through Organizations: its payment method, phone verification, contact "
        "information and support plan were never collected, and no API can check them. "
        "AWS refuses the removal until they are." + (f" {not_valid}" if not_valid else ""),
        "Sign in to the account as its root user (reset the root password by email if "
        "needed), add a payment method, complete phone verification, contact details and "
        "a support plan, and accept the customer agreement; then attest it (v in orgtui, "
        f"or the tag {attest_tag}) and remove it.",
    )


def tags_deleted(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    tags = snap.tags_of(account.id)
    if tags:
        yield _tags_finding(tuple(sorted(tags.items())))


@lru_cache(maxsize=4096)
def _tags_finding(tags: tuple[tuple[str, str], ...]) -> Finding:
    """TAGS_WILL_BE_DELETED for these tags: accounts tagged alike (a team, an environment)
    share one Finding."""
    listed = ", ".join(f"{k}={v}" for k, v in tags)
    return Finding(
        "TAGS_WILL_BE_DELETED",
        "notice",
        f"AWS deletes the account's {plural(len(tags), 'tag')} when it leaves: {listed}.",
        "orgtui backs the tags up before removal; copy them wherever they must survive.",
    )


def policies_stop(account: Account, snap: Snapshot, now: datetime) -> Iterable[Finding]:
    if snap.inherits_only(account.id):  # its parent's policies: the same finding as its siblings'
        return snap.per_container(
            "policies_stop", account.parent_id, lambda: _policies_stop(account.id, snap)
        )
    return _policies_stop(account.id, snap)


def _policies_stop(node_id: str, snap: Snapshot) -> tuple[Finding, ...]:
    applied = [a for a in snap.applied_policies(node_id) if a.policy.id not in DEFAULT_POLICY_IDS]
    if not applied:
        return ()
    listed = "; ".join(
        f"{a.policy.name} ({a.policy.type}, attached to "
        f"{snap.node_name(a.attached_to)} {a.attached_to})"
        for a in applied
    )
    return (
        Finding(
            "POLICIES_STOP_APPLYING",
            "notice",
            f"{plural(len(applied), 'policy', 'policies')} will stop applying: {listed}.",
            "Make sure the account does not rely on these guardrails, or set up equivalent "
            "controls in the account itself.",
        ),
    )
