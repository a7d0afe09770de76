"""Where orgtui keeps its files (platformdirs, app name `orgtui`), and how it writes them.

Files are created 0600 and folders 0700. Every other module of `orgtui.files` asks here
for its path and writes through `write_private`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import platformdirs

from orgtui import ids
from orgtui.errors import StoreError

# Refuse symbolic links where the records are written (0 where the OS has no such flag).
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

APP = "orgtui"
FILE_MODE = 0o600
DIR_MODE = 0o700


# With --demo, the records of the sample organization live apart (DESIGN.md, Files), so a
# demo removal never mixes with real ones. Set for each run by the CLI.
_demo = False


def use_demo_folders(on: bool) -> None:
    """Put the cache, the audit log and the tag backups under `<cache>/demo/` (or back)."""
    global _demo
    _demo = on


def _records_root(default: Path) -> Path:
    return platformdirs.user_cache_path(APP) / "demo" if _demo else default


def config_path() -> Path:
    return platformdirs.user_config_path(APP) / "config.toml"


def cache_dir() -> Path:
    return _records_root(platformdirs.user_cache_path(APP)) / "snapshots"


def audit_log_path() -> Path:
    return _records_root(platformdirs.user_log_path(APP)) / "audit.jsonl"


def tag_backups_root() -> Path:
    return _records_root(platformdirs.user_data_path(APP)) / "tag-backups"


def demo_handover_path() -> Path:
    """The demo's example hand-over report (ORGTUI_DEMO_TARGET=1), in the demo's folder."""
    return platformdirs.user_cache_path(APP) / "demo" / "hand-over.json"


def tag_backup_dir(org_id: str) -> Path:
    # The id names a folder: it must be an organization id, never `..` or a path.
    return tag_backups_root() / ids.checked("organization", org_id, "The organization id")


def refuse_links(path: Path) -> None:
    """Raise OSError(ELOOP) when a component of `path` at or below orgtui's own folder
    (the last one named `orgtui`: `log/`, `snapshots/`, `tag-backups/<org-id>/`, ...) is
    a symbolic link. O_NOFOLLOW covers only the last component; a linked folder would
    send the records elsewhere. Links above (a linked ~/.cache) are the user's own."""
    parts = path.parts
    if APP not in parts:
        return
    start = len(parts) - 1 - parts[::-1].index(APP)
    current = Path(*parts[:start])
    for part in parts[start:]:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise OSError(errno.ELOOP, "Too many levels of symbolic links", str(current))


def ensure_dir(path: Path) -> Path:
    """Create a folder with mode 0700, and any missing parents 0700 too.

    `mkdir(parents=True)` would create the parents (such as the `orgtui` folder above
    `log/`) with the umask's mode, usually 0755. Only folders created here are given
    0700: a folder that exists belongs to whoever made it, and is left as it is.
    """
    refuse_links(path)
    missing: list[Path] = []
    current = path
    while not os.path.lexists(current) and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by another thread or process: not ours to chmod
        os.chmod(folder, DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(path))
    return path


def unwritable(path: Path, exc: OSError) -> StoreError:
    if exc.errno == errno.ELOOP:
        link = exc.filename or path  # a linked folder on the way, or the file itself
        return StoreError(
            f"Could not write {path}: {link} is a symbolic link, and orgtui does not follow "
            "links for its records.",
            f"Remove the link {link} (or move it away); no account is removed until then.",
        )
    return StoreError(
        f"Could not write {path}: {exc.strerror or exc}.",
        f"Make {path.parent} writable by you (and check free disk space); no account is "
        "removed until it is.",
    )


def write_all(fd: int, data: bytes) -> None:
    """Write every byte or raise: os.write may write fewer than asked (a full disk)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def write_private(path: Path, data: str, *, exclusive: bool = False) -> None:
    """Write a whole file with mode 0600, fsynced; never through a symbolic link.

    `exclusive` creates a new file (a tag backup): if it can't be written whole, what
    was written is removed, so a full disk leaves no empty backup behind. Otherwise the
    file is replaced atomically (written beside it, then renamed over it).
    """
    target = path if exclusive else path.with_name(f".{path.name}.{os.getpid()}.tmp")
    created = False
    try:
        ensure_dir(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW
        fd = os.open(target, flags, FILE_MODE)
        created = True
        try:
            write_all(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if not exclusive:
            os.replace(target, path)
            created = False
    except OSError as exc:
        if created:
            with contextlib.suppress(OSError):
                os.unlink(target)
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
