"""Where orgtui keeps its files (platformdirs, app name `orgtui`), and how it writes them.

Files are created 0600 and folders 0700. Every other module of `orgtui.files` asks here
for its path and writes through `write_private`.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from orgtui.errors import StoreError

APP = "orgtui"
FILE_MODE = 0o600
DIR_MODE = 0o700


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


def unwritable(path: Path, exc: OSError) -> StoreError:
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
        raise unwritable(path, exc) from exc


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
