"""Fixtures for the UI tests: the app on the demo organization, and helpers to read it."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from orgtui.aws.session import AwsContext, SessionOptions
from orgtui.backend import Services
from orgtui.ui.app import OrgApp
from tests.conftest import DEMO_NOW

SIZE = (120, 40)


def demo_context(read_only: bool = False) -> AwsContext:
    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    return AwsContext(
        SessionOptions(region=DEMO_REGION, credentials=DEMO_CREDENTIALS, read_only=read_only)
    )


@pytest.fixture
def make_app(demo) -> Callable[..., OrgApp]:
    """Build an OrgApp on the running demo, with the demo's fixed clock."""

    def build(read_only: bool = False, cache_key: str | None = None, **kwargs: Any) -> OrgApp:
        return OrgApp(
            Services(demo_context(read_only), cache_key=cache_key),
            read_only=read_only,
            demo=True,
            clock=lambda: DEMO_NOW,
            **kwargs,
        )

    return build


class Held:
    """A function replaced by one that waits for `release` before running the real one;
    `entered` is set when a call arrives (see `hold`)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()


def hold(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> Held:
    """Hold every call of `target.name` until `.release` is set (at most 10 s)."""
    held = Held()
    real = getattr(target, name)

    def waiting(*args: Any, **kwargs: Any) -> Any:
        held.entered.set()
        held.release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, waiting)
    return held


async def until(pilot: Pilot, condition: Callable[[], bool], limit: int = 400) -> None:
    """Pause until `condition()` holds (a bounded number of short pauses)."""
    for _ in range(limit):
        if condition():
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert condition(), "timed out"


async def drawn_still(pilot: Pilot, app: OrgApp, limit: int = 50) -> None:
    """Pause until the screen stops changing: every widget's size, scroll range and
    position the same over two pauses (a read landing late lays a dialog out again)."""

    def shape() -> list[object]:
        return [(w.region, w.virtual_size, w.scroll_offset) for w in app.screen.walk_children()]

    before = shape()
    for _ in range(limit):
        await pilot.pause(0.05)
        after = shape()
        if after == before:
            return
        before = after


async def wait_loaded(pilot: Pilot, app: OrgApp, limit: int = 400) -> None:
    """Pause until the current load finished (structure and details, or a failure)."""
    for _ in range(limit):
        if app.load_status.loaded or app._exit_renderables or app.return_code is not None:
            break
        await pilot.pause(0.05)
    await pilot.pause()
    assert app.load_status.loaded or app.return_code is not None, "the load never finished"


async def rested(pilot: Pilot, app: OrgApp) -> None:
    """Pause until the reads for the account under the cursor (if any was wanted) landed:
    the detail pane shows them as read (`orgtui.ui.cursor_read`)."""
    await pilot.pause()
    await until(
        pilot, lambda: app.recovery.idle and app.assignee_reads.idle and app.invitations.idle
    )


def plain(renderable: Any, width: int = 100) -> str:
    """A rich renderable as plain text."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def text_of(app: OrgApp, selector: str) -> str:
    return plain(app.screen.query_one(selector, Static).content)


def detail_text(app: OrgApp) -> str:
    return plain(app.main.detail.content)


def notices(app: OrgApp) -> list[str]:
    """The messages of the notifications shown so far, oldest first."""
    return [n.message for n in app._notifications]


async def settled(pilot: Pilot, app: OrgApp) -> None:
    """Pause until the filter shows the result of what was typed: its search runs once
    typing pauses, in a worker thread (`orgtui.ui.filter_flow`)."""
    await pilot.pause()  # the key's Input.Changed first: it starts the wait
    await until(pilot, app.main.filter.settled)


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, one entry per layout pass of a screen (the whole screen measured and
    placed again)."""
    layouts: list[int] = []
    real = Screen._refresh_layout

    def counted(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return layouts
