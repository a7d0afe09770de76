"""Layering: the core never imports textual (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orgtui
from tests.support.modules import MODULES


def core_modules() -> list[str]:
    """Every module outside orgtui/ui (`__main__` runs the program when imported)."""
    return sorted(
        name
        for name in MODULES
        if name != "orgtui.__main__" and name != "orgtui.ui" and not name.startswith("orgtui.ui.")
    )


def test_core_does_not_import_textual():
    modules = core_modules()
    for name in ("orgtui.aws.loader", "orgtui.cli", "orgtui.session.load_status", "orgtui"):
        assert name in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"textual imported by the core: {result.stdout}"


def test_headless_report_run_does_not_import_textual():
    code = (
        "import contextlib, io, sys\n"
        "from orgtui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    rc = main(['audit', '--demo', '--report', 'json'])\n"
        "print(rc, 'textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False"]


def test_ui_never_imports_boto3_and_core_never_imports_textual():
    root = Path(orgtui.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        if rel.startswith("ui/"):
            assert "import boto3" not in text and "from boto3" not in text, rel
        else:
            assert "import textual" not in text and "from textual" not in text, rel


def test_functions_stay_small_enough_to_read():
    """No function in orgtui/ over 80 lines: a newcomer can hold each in their head (split
    a function by its steps). Modules have no line cap: they stay cohesive, and one that
    grows past about 500 lines is split by job, never squeezed to fit a number."""
    import ast

    root = Path(orgtui.__file__).parent
    too_big = []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    too_big.append(f"{rel}: {node.name}() {length} lines")
    assert too_big == []
