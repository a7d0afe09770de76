"""Where orgtui keeps its files, and the writes that must never be lost.

Paths come from platformdirs (app name `orgtui`): settings, snapshot cache, audit log,
tag backups. Files are created 0600 and folders 0700. Audit-log lines and tag backups are
flushed and fsynced before the caller goes on, so that a removal is never made without
its record on disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import platformdirs

from orgtui.model import (
    Account,
    Caller,
    Organization,
    OrgUnit,
    Policy,
    Root,
    Snapshot,
    frozen_map,
    iso,
    utc,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP = "orgtui"
FILE_MODE = 0o600
DIR_MODE = 0o700


class StoreError(Exception):
    """A local file could not be read or written; `what` and `fix` for the user."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.what}\n{self.fix}"


# --- paths -----------------------------------------------------------------------------


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP) / "snapshots"


def audit_log_path() -> Path:
    return platformdirs.user_log_path(APP) / "audit.jsonl"


def tag_backup_dir(org_id: str) -> Path:
    return platformdirs.user_data_path(APP) / "tag-backups" / org_id


def ensure_dir(path: Path) -> Path:
    """Create a folder with mode 0700, and any missing parents 0700 too.

    `mkdir(parents=True)` would create the parents (such as the `orgtui` folder above
    `log/`) with the umask's mode, usually 0755.
    """
    missing: list[Path] = []
    current = path
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing[1:]):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path


def _unwritable(path: Path, exc: OSError) -> StoreError:
    return StoreError(
        f"Could not write {path}: {exc.strerror or exc}.",
        f"Make {path.parent} writable by you (and check free disk space); no account is "
        "removed until it is.",
    )


def write_private(path: Path, data: str, *, exclusive: bool = False) -> None:
    """Write a whole file with mode 0600, flushed and fsynced."""
    try:
        ensure_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        fd = os.open(path, flags, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(path, FILE_MODE)
    except OSError as exc:
        raise _unwritable(path, exc) from exc


def set_aside(path: Path) -> str:
    """Rename a bad file to `<name>.bad`, so it is kept to look at but not read again.

    Returns the words to append to the report ("; it was moved to ..."), or "" when it
    could not be moved.
    """
    aside = path.with_name(path.name + ".bad")
    try:
        os.replace(path, aside)
    except OSError:
        return ""
    return f"; it was moved to {aside}"


# --- audit log -------------------------------------------------------------------------

_log_lock = threading.Lock()


def append_audit(event: str, **fields: Any) -> dict[str, Any]:
    """Append one JSON line to the audit log, fsynced before returning.

    Each line is written with a single write() on an O_APPEND descriptor, so a crash
    leaves whole lines only.
    """
    record = {"time": iso(datetime.now(timezone.utc)), "event": event, **fields}
    line = json.dumps(record, sort_keys=False, default=str) + "\n"
    path = audit_log_path()
    with _log_lock:
        try:
            ensure_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.chmod(path, FILE_MODE)
        except OSError as exc:
            raise _unwritable(path, exc) from exc
    return record


def read_audit() -> list[dict[str, Any]]:
    """Every whole line of the audit log (a torn last line is skipped)."""
    path = audit_log_path()
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def check_writable() -> None:
    """Refuse early (StoreError) when the audit log or backup folders can't be written."""
    for folder in (audit_log_path().parent, platformdirs.user_data_path(APP) / "tag-backups"):
        try:
            ensure_dir(folder)
        except OSError as exc:
            raise _unwritable(folder / ".", exc) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _unwritable(folder / ".", PermissionError(13, "Permission denied"))


# --- tag backups -----------------------------------------------------------------------


def backup_tags(
    org_id: str, account_id: str, tags: Mapping[str, str], *, extra: Mapping[str, Any] = {}
) -> Path:
    """Write the account's tags to `<org-id>/<account-id>-<UTC time>.json`."""
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z"
    path = tag_backup_dir(org_id) / f"{account_id}-{stamp}.json"
    payload = {
        "organization_id": org_id,
        "account_id": account_id,
        "backed_up_at": iso(now),
        "tags": dict(tags),
        "restore": "aws organizations tag-resource --resource-id ACCOUNT --tags "
        "Key=...,Value=... (in the account's new organization)",
        **extra,
    }
    write_private(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n", exclusive=True)
    return path


# --- settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    region: str | None = None
    concurrency: int = 4
    theme: str | None = None
    cache: bool = True


_SETTING_TYPES: dict[str, type] = {
    "profile": str,
    "region": str,
    "concurrency": int,
    "theme": str,
    "cache": bool,
}


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Settings from config.toml, and the problems found in it.

    A bad file or value never stops orgtui: the problem is reported (with its key) and
    the default is used. An unreadable file is set aside as config.toml.bad.
    """
    path = path or config_path()
    problems: list[str] = []
    if not path.exists():
        return Settings(), problems
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        where = set_aside(path)
        problems.append(f"{path} could not be read ({exc}){where}. Defaults are used.")
        return Settings(), problems
    values: dict[str, Any] = {}
    for key, value in data.items():
        expected = _SETTING_TYPES.get(key)
        if expected is None:
            problems.append(f"{path}: unknown setting '{key}' ignored.")
        elif expected is int and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= 64):
            problems.append(f"{path}: '{key}' must be a whole number from 1 to 64; "
                            "the default is used.")
        elif not isinstance(value, expected):
            problems.append(f"{path}: '{key}' must be a {expected.__name__}; "
                            "the default is used.")
        else:
            values[key] = value
    return Settings(**values), problems


def save_setting(key: str, value: Any, path: Path | None = None) -> None:
    """Set one key in config.toml, keeping the others."""
    path = path or config_path()
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            current = {}
    current[key] = value
    write_private(path, "".join(f"{k} = {_toml_value(v)}\n" for k, v in current.items()))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


# --- snapshot cache --------------------------------------------------------------------

# Bump when the layout below changes: a file of another version is set aside, not misread.
SNAPSHOT_FORMAT = "orgtui-snapshot"
SNAPSHOT_VERSION = 1


def cache_key(profile: str | None, endpoint_url: str | None, region: str | None) -> str:
    """The name of the cache file for one way of reaching AWS (the org is known only later)."""
    import hashlib

    raw = json.dumps([profile or "", endpoint_url or "", region or ""])
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
        "organization": [org.id, org.arn, org.management_account_id,
                         org.management_account_email, org.feature_set],
        "caller": [caller.account, caller.arn, caller.user_id],
        "roots": [[r.id, r.name, r.arn, [list(p) for p in r.policy_types]] for r in snap.roots],
        "ous": [[o.id, o.name, o.arn, o.parent_id] for o in snap.ous.values()],
        "accounts": [
            [a.id, a.name, a.email, a.arn, a.state, a.joined_method, _ts(a.joined_timestamp),
             a.parent_id]
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
    }


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    return utc(datetime.fromisoformat(value))


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"not a list of strings: {value!r}")
    return tuple(value)


def snapshot_from_dict(data: Any) -> Snapshot:
    """The snapshot a cache file holds. ValueError (or KeyError/TypeError) on a bad file."""
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise ValueError("not an orgtui snapshot")
    if data.get("version") != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {data.get('version')!r}, not {SNAPSHOT_VERSION}")
    org_id, org_arn, mgmt_id, mgmt_email, feature_set = data["organization"]
    account, arn, user_id = data["caller"]
    roots = tuple(
        Root(id=rid, name=name, arn=rarn, policy_types=tuple((t, st) for t, st in ptypes))
        for rid, name, rarn, ptypes in data["roots"]
    )
    ous = {oid: OrgUnit(oid, name, oarn, parent) for oid, name, oarn, parent in data["ous"]}
    accounts = {
        row[0]: Account(id=row[0], name=row[1], email=row[2], arn=row[3], state=row[4],
                        joined_method=row[5], joined_timestamp=_timestamp(row[6]),
                        parent_id=row[7])
        for row in data["accounts"]
    }
    tags: dict[str, Mapping[str, str]] = {}
    for acc_id, kv in data["tags"].items():
        if not isinstance(kv, dict):
            raise ValueError(f"tags of {acc_id} are not a map")
        tags[acc_id] = frozen_map(kv)
    loaded_at = _timestamp(data["loaded_at"])
    if loaded_at is None:
        raise ValueError("snapshot without loaded_at")
    return Snapshot(
        organization=Organization(org_id, org_arn, mgmt_id, mgmt_email, feature_set),
        caller=Caller(account, arn, user_id),
        roots=roots,
        ous=frozen_map(ous),
        accounts=frozen_map(accounts),
        child_ous=frozen_map({k: _strings(v) for k, v in data["child_ous"].items()}),
        child_accounts=frozen_map({k: _strings(v) for k, v in data["child_accounts"].items()}),
        loaded_at=loaded_at,
        tags=frozen_map(tags),
        delegated=frozen_map({k: _strings(v) for k, v in data["delegated"].items()}),
        policies=frozen_map({pid: Policy(pid, name, ptype, bool(managed))
                             for pid, name, ptype, managed in data["policies"]}),
        attachments=frozen_map({k: _strings(v) for k, v in data["attachments"].items()}),
        enriched=bool(data["enriched"]),
        problems=_strings(data["problems"]),
        member_mode=bool(data["member_mode"]),
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
        raise _unwritable(path, exc) from exc
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
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _cache_unreadable(path, exc.strerror or str(exc), problems)
        return None
    try:
        return snapshot_from_dict(json.loads(raw))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, UnicodeDecodeError,
            RecursionError) as exc:
        _cache_unreadable(path, str(exc) or type(exc).__name__, problems)
        return None


def _cache_unreadable(path: Path, why: str, problems: list[str] | None) -> None:
    where = set_aside(path)
    if problems is not None:
        problems.append(f"The snapshot cache {path} could not be read ({why}){where}. "
                        "The organization is read afresh.")


def forget_snapshot(key: str) -> None:
    """Delete the cached snapshot for `key`, if any."""
    with contextlib.suppress(FileNotFoundError):
        snapshot_path(key).unlink()
