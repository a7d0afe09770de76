"""The snapshot cache: the last organization read, painted at the next start.

A cache never decides anything: it is a picture to show while AWS is read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from orgtui import ids
from orgtui.collector import paused
from orgtui.files.paths import FILE_MODE, O_NOFOLLOW, cache_dir, ensure_dir, set_aside, unwritable
from orgtui.impact_model import (
    Check,
    Impact,
    PermissionSetInfo,
    ResourceShareInfo,
    StackSetInfo,
)
from orgtui.model import (
    Account,
    Caller,
    Organization,
    OrgUnit,
    Policy,
    Root,
    Snapshot,
    frozen_map,
    utc,
)

# Bump when the layout below changes: a file of another version is set aside, not misread.
SNAPSHOT_FORMAT = "orgtui-snapshot"
SNAPSHOT_VERSION = 2  # 2: the impact checks (`impact`)


def cache_key(
    profile: str | None,
    endpoint_url: str | None,
    region: str | None,
    credentials: Sequence[str] = (),
) -> str:
    """The name of the cache file for one way of reaching AWS (the org is known only
    later): the profile, endpoint and region, and the credential chain's inputs
    (`AwsContext.credential_inputs`), so that another caller never paints this one's."""
    raw = json.dumps([profile or "", endpoint_url or "", region or "", *credentials])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def snapshot_path(key: str) -> Path:
    return cache_dir() / f"{key}.json"


def _ts(value: datetime | None) -> str | None:
    """Full-precision ISO 8601 (UTC), so that a snapshot round-trips exactly."""
    ts = utc(value)
    return ts.isoformat() if ts is not None else None


def snapshot_to_dict(snap: Snapshot) -> dict[str, Any]:
    """The cache's JSON form of a snapshot: plain data, no credentials (none are in it).

    Accounts and OUs are stored as rows (lists) rather than objects: at 10,000 accounts
    that halves the file and its parse time, which is what paints the first frame.
    """
    org, caller = snap.organization, snap.caller
    return {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "saved_at": _ts(datetime.now(timezone.utc)),
        "loaded_at": _ts(snap.loaded_at),
        "organization": [
            org.id,
            org.arn,
            org.management_account_id,
            org.management_account_email,
            org.feature_set,
        ],
        "caller": [caller.account, caller.arn, caller.user_id],
        "roots": [[r.id, r.name, r.arn, [list(p) for p in r.policy_types]] for r in snap.roots],
        "ous": [[o.id, o.name, o.arn, o.parent_id] for o in snap.ous.values()],
        "accounts": [
            [
                a.id,
                a.name,
                a.email,
                a.arn,
                a.state,
                a.joined_method,
                _ts(a.joined_timestamp),
                a.parent_id,
            ]
            for a in snap.accounts.values()
        ],
        "child_ous": {k: list(v) for k, v in snap.child_ous.items()},
        "child_accounts": {k: list(v) for k, v in snap.child_accounts.items()},
        "tags": {k: dict(v) for k, v in snap.tags.items()},
        "delegated": {k: list(v) for k, v in snap.delegated.items()},
        "policies": [[p.id, p.name, p.type, p.aws_managed] for p in snap.policies.values()],
        "attachments": {k: list(v) for k, v in snap.attachments.items()},
        "enriched": snap.enriched,
        "problems": list(snap.problems),
        "member_mode": snap.member_mode,
        "impact": impact_to_dict(snap.impact),
    }


def impact_to_dict(impact: Impact) -> dict[str, Any]:
    """The impact checks as plain data: rows (lists), like the accounts."""
    return {
        "checks": {
            n: [c.status, c.reason, list(c.regions), c.note] for n, c in impact.checks.items()
        },
        "stack_sets": [
            [
                s.id,
                s.name,
                s.region,
                s.permission_model,
                s.auto_deployment,
                s.retain_stacks,
                list(s.ou_ids),
            ]
            for s in impact.stack_sets.values()
        ],
        "stack_instances": {k: [list(p) for p in v] for k, v in impact.stack_instances.items()},
        "trusted_services": list(impact.trusted_services),
        "baseline_targets": sorted(impact.baseline_targets),
        "identity_center_region": impact.identity_center_region,
        "permission_sets": [
            [p.arn, p.name, p.instance_arn] for p in impact.permission_sets.values()
        ],
        "provisioned": {k: list(v) for k, v in impact.provisioned.items()},
        "shares": [
            [s.arn, s.name, s.region, list(s.principals), s.retain_on_leave]
            for s in impact.shares.values()
        ],
        "scp_documents": dict(impact.scp_documents),
    }


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    ts = datetime.fromisoformat(value)
    # What snapshot_to_dict wrote is UTC already: `utc` (astimezone) only for another zone.
    return ts if ts.tzinfo is timezone.utc else utc(ts)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"not a list of strings: {value!r}")
    return tuple(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r:.40}")
    return value


def _id(kind: str, value: Any) -> str:
    if not ids.is_valid(kind, value):
        raise ValueError(f"not {'an' if kind[0] in 'aeiou' else 'a'} {kind} id: {value!r:.40}")
    return str(value)


def _container(value: Any) -> str:
    if (
        isinstance(value, str) and value in _CONTAINERS_SEEN
    ):  # checked already: 50,000 accounts have 1,000 parents
        return str(value)
    if (
        ids.is_valid("root", value)
        or ids.is_valid("ou", value)
        or ids.is_valid("organization", value)
    ):  # a member's view hangs its account on the org id
        if len(_CONTAINERS_SEEN) < 100_000:
            _CONTAINERS_SEEN.add(value)
        return str(value)
    raise ValueError(f"not a root or OU id: {value!r:.40}")


# Container ids that passed `_container`'s patterns (a check of the text alone, so true for
# every file): the accounts of one OU check its id once. Bounded, for a long session.
_CONTAINERS_SEEN: set[str] = set()


def _map(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a map")
    return value


def _account(row: Any) -> Account:
    """One account row, each field checked in turn: the message names the first bad one."""
    if not isinstance(row, list) or len(row) != 8:
        raise ValueError("an account row is not 8 fields")
    acc_id, name, email, arn, state, joined, ts, parent = row
    return Account.made(
        id=_id("account", acc_id),
        name=_text(name),
        email=_text(email),
        arn=_text(arn),
        state=_text(state),
        joined_method=_text(joined),
        joined_timestamp=_timestamp(ts),
        parent_id=_container(parent),
    )


# ids.py's own pattern, matched directly: for every row, `_id`'s way through ids.is_valid
# (two calls, a lookup) cost as much as the match itself.
_ACCOUNT_ID = ids.PATTERNS["account"].fullmatch


def _accounts(rows: Any) -> dict[str, Account]:
    """The account rows of a cache file, by id, each checked as `_account` checks it.

    Field by field through `_account`, the checks of 50,000 rows cost more than building
    their Accounts. A row of eight exact strings whose parent is already checked (nearly
    every row) is checked here in one expression instead; any other row, good or bad,
    goes through `_account`, so the result and the error are the same as before.
    """
    accounts: dict[str, Account] = {}
    account_id, seen, parse = _ACCOUNT_ID, _CONTAINERS_SEEN, datetime.fromisoformat
    for row in rows:
        if type(row) is list and len(row) == 8:
            acc_id, name, email, arn, state, joined, ts, parent = row
            if (
                type(acc_id) is str
                and type(name) is str
                and type(email) is str
                and type(arn) is str
                and type(state) is str
                and type(joined) is str
                and type(ts) is str
                and type(parent) is str
                and parent in seen
                and account_id(acc_id)
            ):
                when = parse(ts)
                accounts[acc_id] = Account.made(
                    id=acc_id,
                    name=name,
                    email=email,
                    arn=arn,
                    state=state,
                    joined_method=joined,
                    joined_timestamp=when if when.tzinfo is timezone.utc else utc(when),
                    parent_id=parent,
                )
                continue
        acc = _account(row)
        accounts[acc.id] = acc
    return accounts


def _tags(value: Any) -> dict[str, Mapping[str, str]]:
    """The tags of a cache file, per account id: every id and every key and value checked.

    A map of exact strings under a valid id is copied once, as it is; any other goes
    through the checks one by one, which name what is wrong.
    """
    tags: dict[str, Mapping[str, str]] = {}
    account_id = _ACCOUNT_ID
    for acc_id, kv in _map(value, "tags").items():
        if type(kv) is dict and type(acc_id) is str and account_id(acc_id):
            for k, v in kv.items():
                if type(k) is not str or type(v) is not str:
                    break
            else:
                tags[acc_id] = frozen_map(kv)
                continue
        kv = _map(kv, f"tags of {acc_id}")
        tags[_id("account", acc_id)] = frozen_map({_text(k): _text(v) for k, v in kv.items()})
    return tags


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"not true or false: {value!r:.40}")
    return value


def _check(row: Any) -> Check:
    status, reason, regions, note = row
    if status not in ("checked", "skipped"):
        raise ValueError(f"not a check status: {status!r:.40}")
    return Check(status, _text(reason), _strings(regions), _text(note))


def impact_from_dict(data: Any) -> Impact:
    """The Impact of a cache file; ValueError when a field has the wrong type or id."""
    data = _map(data, "impact")
    stack_sets = {
        _text(sid): StackSetInfo(
            sid,
            _text(name),
            _text(region),
            _text(model),
            _bool(auto),
            _bool(retain),
            _strings(ou_ids),
        )
        for sid, name, region, model, auto, retain, ou_ids in data["stack_sets"]
    }
    instances = {
        _id("account", k): tuple((_text(s), _text(r)) for s, r in v)
        for k, v in _map(data["stack_instances"], "stack_instances").items()
    }
    permission_sets = {
        _text(arn): PermissionSetInfo(arn, _text(name), _text(instance))
        for arn, name, instance in data["permission_sets"]
    }
    shares = {
        _text(arn): ResourceShareInfo(
            arn, _text(name), _text(region), _strings(principals), _bool(retain)
        )
        for arn, name, region, principals, retain in data["shares"]
    }
    return Impact(
        checks=frozen_map(
            {_text(n): _check(row) for n, row in _map(data["checks"], "checks").items()}
        ),
        stack_sets=frozen_map(stack_sets),
        stack_instances=frozen_map(instances),
        trusted_services=_strings(data["trusted_services"]),
        baseline_targets=frozenset(_strings(data["baseline_targets"])),
        identity_center_region=_text(data["identity_center_region"]),
        permission_sets=frozen_map(permission_sets),
        provisioned=frozen_map(
            {
                _id("account", k): _strings(v)
                for k, v in _map(data["provisioned"], "provisioned").items()
            }
        ),
        shares=frozen_map(shares),
        scp_documents=frozen_map(
            {
                _id("policy", k): _text(v)
                for k, v in _map(data["scp_documents"], "scp_documents").items()
            }
        ),
    )


def snapshot_from_dict(data: Any) -> Snapshot:
    """The snapshot a cache file holds. ValueError (or KeyError/TypeError) on a bad file.

    Every field is checked for its type and every id for its pattern: a cache is a file
    anyone with access to the folder could have edited, and it is shown on screen.
    """
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise ValueError("not an orgtui snapshot")
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {data.get('version')!r}, not {SNAPSHOT_VERSION}")
    org_id, org_arn, mgmt_id, mgmt_email, feature_set = data["organization"]
    account, arn, user_id = data["caller"]
    roots = tuple(
        Root(
            id=_container(rid),
            name=_text(name),
            arn=_text(rarn),
            policy_types=tuple((_text(t), _text(st)) for t, st in ptypes),
        )
        for rid, name, rarn, ptypes in data["roots"]
    )
    ous = {
        _id("ou", oid): OrgUnit(oid, _text(name), _text(oarn), _container(parent))
        for oid, name, oarn, parent in data["ous"]
    }
    accounts = _accounts(data["accounts"])
    tags = _tags(data["tags"])
    loaded_at = _timestamp(data["loaded_at"])
    if loaded_at is None:
        raise ValueError("snapshot without loaded_at")
    return Snapshot(
        organization=Organization(
            _id("organization", org_id),
            _text(org_arn),
            _id("account", mgmt_id),
            _text(mgmt_email),
            _text(feature_set),
        ),
        caller=Caller(_id("account", account), _text(arn), _text(user_id)),
        roots=roots,
        ous=frozen_map(ous),
        accounts=frozen_map(accounts),
        child_ous=frozen_map(
            {_container(k): _strings(v) for k, v in _map(data["child_ous"], "child_ous").items()}
        ),
        child_accounts=frozen_map(
            {
                _container(k): _strings(v)
                for k, v in _map(data["child_accounts"], "child_accounts").items()
            }
        ),
        loaded_at=loaded_at,
        tags=frozen_map(tags),
        delegated=frozen_map(
            {
                _id("account", k): _strings(v)
                for k, v in _map(data["delegated"], "delegated").items()
            }
        ),
        policies=frozen_map(
            {
                _id("policy", pid): Policy(pid, _text(name), _text(ptype), bool(managed))
                for pid, name, ptype, managed in data["policies"]
            }
        ),
        attachments=frozen_map(
            {_text(k): _strings(v) for k, v in _map(data["attachments"], "attachments").items()}
        ),
        enriched=bool(data["enriched"]),
        problems=_strings(data["problems"]),
        member_mode=bool(data["member_mode"]),
        impact=impact_from_dict(data["impact"]),
    )


def save_snapshot(key: str, snap: Snapshot) -> Path:
    """Save the last organization read as `<cache>/<key>.json`, 0600, atomically.

    The file is written beside its final name and moved over it with os.replace, so a
    reader sees the old snapshot or the new one, never half of one. A snapshot is plain
    data about the organization; credentials never reach it.
    """
    path = snapshot_path(key)
    text = json.dumps(snapshot_to_dict(snap), ensure_ascii=False, separators=(",", ":"))
    tmp: str | None = None
    try:
        ensure_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), FILE_MODE)
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise unwritable(path, exc) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def load_snapshot(key: str, problems: list[str] | None = None) -> Snapshot | None:
    """The cached Snapshot for `key`, or None when there is none.

    Never raises on a bad file: a corrupt, unreadable or other-version cache is set aside
    as `<key>.json.bad` (so it can be looked at, and is not read again) and None returned;
    what happened is appended to `problems`, when given, for the user to be told.
    """
    path = snapshot_path(key)
    try:
        fd = os.open(path, os.O_RDONLY | O_NOFOLLOW)
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _cache_unreadable(path, exc.strerror or str(exc), problems)
        return None
    try:
        with paused():  # a million objects that all live on: nothing to collect
            return snapshot_from_dict(json.loads(raw))
    except (
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        UnicodeDecodeError,
        RecursionError,
    ) as exc:
        _cache_unreadable(path, str(exc) or type(exc).__name__, problems)
        return None


def _cache_unreadable(path: Path, why: str, problems: list[str] | None) -> None:
    where = set_aside(path)
    if problems is not None:
        problems.append(
            f"The snapshot cache {path} could not be read ({why}){where}. "
            "The organization is read afresh."
        )


def forget_snapshot(key: str) -> None:
    """Delete the cached snapshot for `key`, if any."""
    with contextlib.suppress(FileNotFoundError):
        snapshot_path(key).unlink()
