"""Placeholder until the TUI lands: print the demo's audit table."""

from __future__ import annotations

import sys
from typing import Any


def run_app(cfg: Any, ctx: Any, demo: Any) -> int:
    from dataclasses import replace

    from orgtui.cli import run_report

    return run_report(replace(cfg, report="table"), ctx, sys.stderr)
