"""orgtui uses a few private names of Textual (orgtui/ui/textual_compat.py): they hold for
the one Textual version pinned. Another version installed fails here first, by name."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from orgtui.ui import textual_compat

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_textual_is_the_pinned_one():
    assert version("textual") == textual_compat.PINNED, (
        "orgtui overrides Textual internals checked against "
        f"{textual_compat.PINNED}: re-check orgtui/ui/textual_compat.py, then move the pin"
    )


def test_pyproject_pins_textual_exactly_at_that_version():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"textual=={textual_compat.PINNED}" in deps


@pytest.mark.parametrize(
    ("cls", "name"),
    [*textual_compat.OVERRIDDEN, *textual_compat.READ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
def test_each_private_name_still_exists(cls, name):
    present = hasattr(cls, name) or name in getattr(cls, "__annotations__", {})
    if not present and name == "_stop_propagation":  # an instance attribute
        from textual.events import Key

        present = hasattr(Key("a", "a"), name)
    if not present and name == "_line_cache":
        from textual.widgets import Tree

        present = hasattr(Tree("x"), name)
    assert present, f"Textual {textual_compat.PINNED}'s {cls.__name__} has no {name}"


def test_no_other_module_names_a_private_textual_attribute():
    """Outside textual_compat, the only private Textual names are the overrides' own."""
    allowed = {name for _cls, name in textual_compat.OVERRIDDEN}
    private = {name for _cls, name in textual_compat.READ}
    for path in (ROOT / "orgtui" / "ui").rglob("*.py"):
        if path.name == "textual_compat.py":
            continue
        text = path.read_text()
        for name in private:
            assert not re.search(rf"\.{name}\b", text), f"{path.name} reads {name}"
        for name in re.findall(r"super\(\)\.(_[a-z][a-z_]*)\(", text):
            assert name in allowed, f"{path.name} overrides {name}: list it in OVERRIDDEN"
