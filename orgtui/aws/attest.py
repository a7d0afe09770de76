"""Attesting that an account created through Organizations has completed its standalone
sign-up: TagResource with the attestation tag (setting `standalone_tag`), its value the
UTC time and who attested, through the write discipline of `orgtui.aws.writes`.

orgtui can't check the sign-up (no API can); the person attesting did, as the account's
root user. The tag is the team's shared record, visible in the console and to every
other admin's orgtui; it turns STANDALONE_UNVERIFIED into STANDALONE_ATTESTED and clears
an earlier REMOVAL_REFUSED.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from orgtui.aws.codes import UNCERTAIN
from orgtui.aws.errors import translate
from orgtui.aws.live import check_account, live_organization
from orgtui.aws.session import AwsContext
from orgtui.aws.writes import Gate, Write, for_each, perform, request_id
from orgtui.model import Snapshot
from orgtui.rules.attestation import attestation_value
from orgtui.text import account_label
from orgtui.write_model import LiveCheck, Outcome, ProgressFn, refused_by_check, updated_snapshot


def attest(
    ctx: AwsContext,
    snap: Snapshot,
    account_id: str,
    *,
    now: datetime | None = None,
    fresh: bool = False,
) -> Outcome:
    """Tag one CREATED account as attested, after a live re-check. Never raises."""
    now = now or datetime.now(timezone.utc)

    def gate() -> Gate:
        check = check_account(ctx, snap, account_id, now, fresh=fresh)
        live = check.snapshot
        account = check.account or snap.accounts.get(account_id)
        name = account.name if account and account.name else account_id
        who = account_label(name, account_id)
        key, value = live.attest_tag, attestation_value(now, live.caller)
        write = Write(
            "attest",
            "TagResource",
            "tag_resource",
            {"ResourceId": account_id, "Tags": [{"Key": key, "Value": value}]},
            account_id,
            name,
            started={"target": key, "tag_value": value},
        )
        refusal: Outcome | None = None
        if check.gone:
            refusal = Outcome(
                account_id,
                name,
                "gone",
                f"{who} is no longer in the organization; nothing was sent.",
                "The view drops it.",
                check=check,
            )
        elif check.error is not None:
            refusal = refused_by_check(account_id, name, check, "attested")
        elif check.account is not None and check.account.joined_method != "CREATED":
            refusal = Outcome(
                account_id,
                name,
                "refused",
                f"Not attested: {who} joined by invitation "
                f"({check.account.joined_method}); it signed up on its own, so there is "
                "nothing to attest.",
                "Nothing to do.",
                code="NotCreated",
                check=check,
            )
        return Gate(live, write, refusal, check)

    return perform(
        ctx,
        gate,
        confirm=lambda passed, response: _done(passed, sent=True, request_id=request_id(response)),
        on_failure=lambda passed, exc: _failed(ctx, passed, exc),
    )


def attest_many(
    ctx: AwsContext,
    snap: Snapshot,
    account_ids: Iterable[str],
    *,
    now: datetime | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
) -> list[Outcome]:
    """Attest several accounts, one at a time; the organization and the caller are read
    live once for all of them."""
    ids = list(account_ids)
    try:
        live = live_organization(ctx, snap)
    except Exception as exc:
        err = translate(exc, profile=ctx.profile)
        return [
            Outcome(a, a, "refused", f"Not attested: {err.what}", err.fix, error=err) for a in ids
        ]
    return for_each(
        ids, lambda a: attest(ctx, live, a, now=now, fresh=True), progress=progress, stop=stop
    )


def _tag(passed: Gate) -> tuple[LiveCheck, str, str]:
    """The gate's live check and the attestation tag its write sets."""
    assert passed.check is not None  # attest's gate always carries its live check
    return passed.check, passed.write.started["target"], passed.write.started["tag_value"]


def _done(passed: Gate, **extra: Any) -> Outcome:
    check, key, value = _tag(passed)
    assert check.account is not None
    account = check.account
    after = updated_snapshot(check.snapshot, account, {**check.tags, key: value}, check.delegated)
    return Outcome(
        account.id,
        account.name or account.id,
        "done",
        f"{account_label(account.name, account.id)} is attested: {key} = {value}.",
        "Its standalone sign-up no longer holds its verdict back.",
        check=check,
        target=key,
        after=after,
        **extra,
    )


def _failed(ctx: AwsContext, passed: Gate, exc: BaseException) -> Outcome:
    check, key, value = _tag(passed)
    err = translate(exc, profile=ctx.profile)
    assert check.account is not None
    name, account_id = check.account.name or check.account.id, check.account.id
    base: dict[str, Any] = dict(
        sent=True,
        code=err.code,
        reason=err.reason,
        request_id=err.request_id,
        check=check,
        error=err,
        target=key,
    )
    if err.code in UNCERTAIN or isinstance(exc, (ReadTimeoutError, ConnectionClosedError)):
        # Was the tag set? Ask rather than tag again.
        try:
            items = ctx.pages("list_tags_for_resource", "Tags", ResourceId=account_id)
        except Exception:
            items = None
        if items is not None and {t.get("Key"): t.get("Value") for t in items}.get(key) == value:
            return _done(passed, **{k: v for k, v in base.items() if k not in ("check", "target")})
        return Outcome(
            account_id,
            name,
            "unknown",
            f"AWS failed while tagging {account_label(name, account_id)}; the tag may or may not "
            "be set.",
            "Reload (ctrl+r) to see, then attest again if needed.",
            **base,
        )
    base["sent"] = isinstance(exc, ClientError)  # else stopped before it was sent
    return Outcome(account_id, name, "refused", f"Not attested: {err.what}", err.fix, **base)
