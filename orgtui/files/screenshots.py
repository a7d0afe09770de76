"""Screenshots the user asks for (the palette's "Save screenshot"): SVG files under
orgtui's data folder, since the Downloads folder Textual would use may not exist."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import platformdirs

from orgtui.errors import StoreError
from orgtui.files.paths import APP, write_private


def screenshot_dir() -> Path:
    return platformdirs.user_data_path(APP) / "screenshots"


def save_screenshot(svg: str, filename: str | None, now: datetime) -> Path:
    """Write `svg` to the screenshots folder (0600; the folder 0700) and return its path.

    `filename` is reduced to its last component, so it can't name another folder.
    Raises StoreError (what and fix) when it can't be written.
    """
    name = Path(filename).name if filename else ""
    if not name:
        name = f"orgtui-{now.strftime('%Y%m%dT%H%M%S')}.svg"
    path = screenshot_dir() / name
    try:
        write_private(path, svg)
    except StoreError as exc:
        raise StoreError(
            exc.what,
            f"Make {path.parent} writable by you (and check free "
            "disk space), then save the screenshot again.",
        ) from exc
    return path
