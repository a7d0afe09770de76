"""orgtui's modules, read from its source tree: dotted name -> file (the layering tests'
one list of what there is)."""

from __future__ import annotations

from pathlib import Path

import orgtui

ROOT = Path(orgtui.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}
