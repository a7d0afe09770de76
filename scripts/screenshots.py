"""Regenerate the SVG screenshots in screenshots/ from the demo organization.

    python scripts/screenshots.py [OUT_DIR]

Each scene starts the embedded demo (moto, in-process) with a fixed clock, drives the
real OrgApp at 120x40 (or the scene's size) through Textual's Pilot, and saves what the
terminal shows. So the pictures in README.md are what `orgtui --demo` shows, and
re-running this script after a UI change brings them up to date. tests/test_screenshots.py
runs every scene, so a scene that stops working fails the suite.

Files are kept out of the user's folders: the script points platformdirs (XDG) at a
temporary folder, so neither a saved theme nor a cache changes the pictures.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as `python scripts/screenshots.py` from a checkout
    sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from orgtui.backend import Services  # noqa: E402
from orgtui.ui.app import OrgApp  # noqa: E402

OUT_DIR = ROOT / "screenshots"
SIZE = (120, 40)
# The demo's clock: join dates and wait periods are counted from here (as in the tests).
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)

Steps = Callable[[Pilot[Any], OrgApp, Any], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    name: str  # the file is screenshots/<name>.svg
    caption: str  # the one-line caption README.md shows under it
    steps: Steps
    read_only: bool = False
    member: str | None = None  # act as this demo member account
    size: tuple[int, int] = SIZE


async def _until(pilot: Pilot[Any], done: Callable[[], bool], what: str, limit: int = 400) -> None:
    for _ in range(limit):
        if done():
            break
        await pilot.pause(0.05)
    if not done():
        raise RuntimeError(f"timed out waiting for {what}")
    await pilot.pause()


async def _removal_checked(pilot: Pilot[Any], app: OrgApp) -> None:
    from orgtui.ui.screens.removal import RemovalScreen

    await _until(pilot, lambda: isinstance(app.screen, RemovalScreen), "the removal dialog")
    dialog = app.screen
    assert isinstance(dialog, RemovalScreen)
    await _until(pilot, lambda: dialog.checks is not None, "the live re-check")


async def _jump(pilot: Pilot[Any], app: OrgApp, account_id: str) -> None:
    """Put the cursor on an account and wait until it is there (its OUs open lazily)."""
    app.main.jump_to(account_id)

    def there() -> bool:
        ref = app.main.cursor_ref()
        return ref is not None and ref.kind == "account" and ref.id == account_id

    await _until(pilot, there, f"the cursor on {account_id}")


async def main_blocked(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.accounts["security-tooling"])


async def filter_in_use(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await pilot.press("slash", *"blocked", "enter")


async def removal_tags(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.accounts["northwind-prod"])
    await pilot.press("r")
    await _removal_checked(pilot, app)


async def bulk_removal(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    for name in ("security-tooling", "northwind-prod", "northwind-dev", "sandbox-carol"):
        await _jump(pilot, app, demo.accounts[name])
        await pilot.press("space")
    await _until(pilot, lambda: len(app.main.marked) == 4, "four marked accounts")
    await pilot.press("r")
    await _removal_checked(pilot, app)


async def account_table(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.accounts["security-tooling"])
    await pilot.press("t", "s", "s")  # sorted by OU path
    await _until(pilot, lambda: app.main.showing_table, "the account table")


async def mark_all_matches(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await pilot.press("slash", *"ou:Divesting ready", "enter", "A", "r")
    await _removal_checked(pilot, app)


async def small_terminal(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.accounts["cardvault-prod"])


async def audit_mode(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.accounts["northwind-prod"])
    await pilot.press("r")  # says the session is read-only
    await _until(pilot, lambda: bool(app.screen.query("Toast")), "the read-only notice")


async def help_screen(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await pilot.press("question_mark")


async def member_leave(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    await _jump(pilot, app, demo.caller_account_id)
    await pilot.press("r")
    await _removal_checked(pilot, app)


async def what_breaks(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    bob = demo.accounts["sandbox-bob"]
    await _jump(pilot, app, bob)
    await pilot.press("r")
    await _removal_checked(pilot, app)
    dialog = app.screen
    await _until(
        pilot,
        lambda: bob in getattr(dialog, "counts", {}),
        "the users and groups assigned through Identity Center",
    )


async def attest(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    from orgtui.ui.screens.attest import AttestScreen

    for name in ("web-prod", "payments-dev", "web-dev"):
        await _jump(pilot, app, demo.accounts[name])
        await pilot.press("space")
    await _until(pilot, lambda: len(app.main.marked) == 3, "three marked accounts")
    await pilot.press("v")
    await _until(
        pilot,
        lambda: isinstance(app.screen, AttestScreen) and app.screen.checks is not None,
        "the attest dialog's live check",
    )


async def deregister(pilot: Pilot[Any], app: OrgApp, demo: Any) -> None:
    from orgtui.ui.screens.deregister import DeregisterScreen

    await _jump(pilot, app, demo.accounts["security-tooling"])
    await pilot.press("d")
    await _until(
        pilot,
        lambda: isinstance(app.screen, DeregisterScreen) and app.screen.checks is not None,
        "the deregister dialog's live check",
    )


SCENES: tuple[Scene, ...] = (
    Scene(
        "main-blocked",
        "The organization tree with counts per OU, and a blocked account's "
        "findings with their fixes.",
        main_blocked,
    ),
    Scene(
        "filter",
        "The filter (`/`) on the verdict `blocked`; it also takes names, ids, "
        "emails, tags `key=value`, finding codes, delegated services, join methods, "
        "states and OUs (`ou:Prod`).",
        filter_in_use,
    ),
    Scene(
        "table",
        "The account table (`t`), sorted by OU path (`s` moves the sort to the "
        "next column, `S` reverses it, a click on a title sorts by it).",
        account_table,
    ),
    Scene(
        "mark-all",
        "`ou:Divesting ready`, `A` marks every match, `r`: one dialog with exactly those accounts.",
        mark_all_matches,
    ),
    Scene(
        "small",
        "80x24: every account line keeps its verdict, the footer keeps `?` and `q`.",
        small_terminal,
        size=(80, 24),
    ),
    Scene(
        "removal-tags",
        "The removal dialog for a ready account: every tag AWS will delete, "
        "the policies that stop applying, billing and access.",
        removal_tags,
    ),
    Scene(
        "bulk-removal",
        "Four marked accounts, one of them blocked: confirmation is "
        "impossible until the blocked one is dropped.",
        bulk_removal,
    ),
    Scene(
        "what-breaks",
        "What breaks when sandbox-bob leaves, before the click: its "
        "StackSet's stacks deleted, Control Tower drift, the Identity Center access lost "
        "(with who is assigned), a resource share, warnings first.",
        what_breaks,
    ),
    Scene(
        "attest",
        "`v` on three marked accounts: what attesting means, the tag and the "
        "value written, the invited account skipped, each verdict before and after.",
        attest,
    ),
    Scene(
        "deregister",
        "`d` on a delegated administrator: each service and what stops, "
        "the verdict it will have, the typed account id.",
        deregister,
    ),
    Scene(
        "audit-mode",
        "`orgtui audit`: the AUDIT read-only badge, no Remove binding, and `r` saying why.",
        audit_mode,
        read_only=True,
    ),
    Scene(
        "help",
        "The help screen (`?`): every key, and what the badges mean.",
        help_screen,
        size=(120, 48),  # every key and the badges' key, without scrolling
    ),
    Scene(
        "member-leave",
        "Signed in as a member account (`ORGTUI_DEMO_MEMBER=sandbox-bob`): "
        "LeaveOrganization through the same dialog.",
        member_leave,
        member="sandbox-bob",
    ),
)


async def _render(scene: Scene, out_dir: Path) -> Path:
    from orgtui import demo as demo_mod
    from orgtui.aws.session import AwsContext, SessionOptions

    demo = demo_mod.start(now=NOW, member=scene.member or "")
    try:
        ctx = AwsContext(
            SessionOptions(
                region=demo_mod.DEMO_REGION,
                credentials=demo_mod.DEMO_CREDENTIALS,
                read_only=scene.read_only,
            )
        )
        app = OrgApp(Services(ctx), read_only=scene.read_only, demo=True, clock=lambda: NOW)
        async with app.run_test(size=scene.size, notifications=True) as pilot:
            await _until(pilot, lambda: app.load_status.loaded, "the organization to load")
            await scene.steps(pilot, app, demo)
            await pilot.pause()
            for box in app.screen.query(Input):  # no blinking cursor half-way
                box.cursor_blink = False
            await pilot.pause()
            out_dir.mkdir(parents=True, exist_ok=True)
            path = app.save_screenshot(f"{scene.name}.svg", str(out_dir))
        return Path(path)
    finally:
        demo.stop()


def render(scene: Scene, out_dir: Path = OUT_DIR) -> Path:
    """Render one scene to `<out_dir>/<name>.svg` and return the path."""
    return asyncio.run(_render(scene, out_dir))


def render_all(out_dir: Path = OUT_DIR) -> list[Path]:
    return [render(scene, out_dir) for scene in SCENES]


def _isolate() -> None:
    """Keep the user's settings, cache and AWS environment out of the pictures."""
    tmp = tempfile.mkdtemp(prefix="orgtui-screenshots-")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        os.environ[var] = os.path.join(tmp, var.lower())
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "ORGTUI_DEMO_MEMBER"):
        os.environ.pop(var, None)
    os.environ["MOTO_ACCOUNT_ID"] = "123456789012"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else OUT_DIR
    _isolate()
    for scene in SCENES:
        path = render(scene, out_dir)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {scene.caption}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
