"""Settings: config.toml read with every problem reported and the default used."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgtui.files.paths import config_path, set_aside, write_private
from orgtui.model import DEFAULT_ATTEST_TAG, DEFAULT_DESTINATION, DESTINATIONS, Destination
from orgtui.text import clean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Settings:
    profile: str | None = None
    region: str | None = None
    concurrency: int | None = None  # None: auto
    theme: str | None = None
    cache: bool = True
    # The tag that records "this CREATED account's standalone sign-up was checked".
    standalone_tag: str = DEFAULT_ATTEST_TAG
    # Regions the impact checks read StackSets and RAM shares in, beside the session's.
    impact_regions: tuple[str, ...] = ()
    # Where IAM Identity Center lives, when not in the session's region.
    identity_center_region: str | None = None
    # Where accounts go when they leave: what the verdicts are for (x in the TUI cycles).
    destination: Destination = DEFAULT_DESTINATION
    # Binding id -> keys ("ctrl+d", "x,ctrl+x"): the keys in effect, applied with
    # Textual's set_keymap (the help and the footer show them).
    keymap: tuple[tuple[str, str], ...] = ()


_SETTING_TYPES: dict[str, type] = {
    "profile": str,
    "region": str,
    "concurrency": object,  # "auto" or a whole number, checked below
    "theme": str,
    "cache": bool,
    "standalone_tag": str,
    "impact_regions": list,
    "identity_center_region": str,
    "destination": str,
    "keymap": dict,
}
# A key as Textual names it: letters, digits, names like `question_mark`, modifiers with +.
KEY = re.compile(r"^[A-Za-z0-9_+\-]{1,40}$")
BINDING_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
# An AWS region name: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ...
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def _region_problem(key: str, value: Any) -> str | None:
    """Why a region setting is bad, or None."""
    if key == "identity_center_region" and not REGION.match(value):
        return f"'{key}' = {value!r} is not an AWS region name (like us-east-1)"
    if key == "impact_regions":
        bad = [v for v in value if not isinstance(v, str) or not REGION.match(v)]
        if bad:
            return (
                f"'{key}' must be a list of AWS region names (like [\"eu-west-1\"]); "
                f"not regions: {', '.join(repr(b) for b in bad)}"
            )
    return None


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
        elif (
            key == "concurrency"
            and value != "auto"
            and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64)
        ):
            problems.append(
                f"{path}: 'concurrency' must be \"auto\" or a whole number from "
                "1 to 64; the default (auto) is used."
            )
        elif key == "concurrency":
            values[key] = None if value == "auto" else value
        elif not isinstance(value, expected):
            problems.append(f"{path}: '{key}' must be a {expected.__name__}; the default is used.")
        elif key == "standalone_tag" and not _tag_key(str(value)):
            problems.append(
                f"{path}: 'standalone_tag' must be a tag key of 1 to 128 "
                "printable characters; the default is used."
            )
        elif key == "destination" and value not in DESTINATIONS:
            problems.append(
                f"{path}: 'destination' = {clean(repr(value))} is not a destination "
                f"({' or '.join(DESTINATIONS)}); the default ({DEFAULT_DESTINATION}) is used."
            )
        elif key == "keymap":
            keymap, bad = _keymap(value)
            values[key] = keymap
            problems += [f"{path}: 'keymap': {b}; ignored." for b in bad]
        elif (problem := _region_problem(key, value)) is not None:
            problems.append(f"{path}: {problem}; the default is used.")
        else:
            values[key] = tuple(dict.fromkeys(value)) if isinstance(value, list) else value
    return Settings(**values), problems


def _keymap(table: Any) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The entries of a `[keymap]` table that can be binding ids and keys, and why the
    others are not (which binding ids exist is the UI's to say)."""
    good: list[tuple[str, str]] = []
    bad: list[str] = []
    for binding_id, keys in table.items():
        shown = clean(repr(binding_id))
        if not BINDING_ID.match(str(binding_id)):
            bad.append(f"{shown} is not a binding id (see ? for the keys)")
        elif not isinstance(keys, str) or not all(KEY.match(k.strip()) for k in keys.split(",")):
            bad.append(f"{shown} = {clean(repr(keys))} is not a key or a list of keys")
        else:
            good.append((str(binding_id), ",".join(k.strip() for k in keys.split(","))))
    return tuple(good), bad


def _tag_key(value: str) -> bool:
    return 1 <= len(value) <= 128 and value.strip() == value and clean(value) == value


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
    if isinstance(value, dict):  # an inline table
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string
