"""The screenshots can't silently break: every scene of scripts/screenshots.py still runs on
the demo and shows what its caption promises, README.md shows every screenshot, and every
SVG in screenshots/ comes from a scene."""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "orgtui_screenshots", ROOT / "scripts" / "screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


screenshots = _load_script()

# What each scene must show (text on screen, as the SVG holds it).
EXPECTED = {
    "main-blocked": ["security-tooling", "BLOCKED", "DELEGATED_ADMIN", "guardduty.amazonaws.com"],
    "filter": ["9 matches", "contoso-legacy", "SUSPENDED"],
    "table": ["Verdict", "Name", "OU path ▲", "Email", "security-tooling", "blocked"],
    "mark-all": [
        "Remove 3 accounts",
        "3 accounts: 0 blocked · 0 review · 3 ready",
        "northwind-prod",
    ],
    "small": ["cardvault-prod", "ready", "? Help", "q Quit"],
    "removal-tags": [
        "Remove 1 account",
        "northwind-prod",
        "Tags AWS deletes",
        "divest=northwind",
        "more below",
        "Type 723161787410",
    ],
    "bulk-removal": [
        "Remove 4 accounts",
        "security-tooling",
        "BLOCKED",
        "sandbox-carol",
        "Drop the 1 blocked account",
    ],
    "what-breaks": [
        "Remove 1 account",
        "sandbox-bob",
        "What breaks: 1 StackSet's stacks deleted",
        "Control Tower drifts",
        "What breaks when it leaves",
        "STACKSET_STACKS_DELETED",
        "CONTROL_TOWER_ENROLLED",
    ],
    "attest": [
        "Attest 2 accounts",
        "TagResource orgtui:standalone-verified",
        "2026-11-28T12:00:00Z",
        "What attesting means",
        "Skipped (1):",
        "web-prod",
        "REVIEW → READY",
    ],
    "deregister": [
        "Deregister delegated administrator",
        "security-tooling",
        "guardduty.amazonaws.com",
        "access-analyzer.amazonaws.com",
        "BLOCKED → READY",
        "Deregister for 2 services",
    ],
    "audit-mode": ["AUDIT read-only", "session is read-only (orgtui audit)"],
    "help": ["orgtui keys", "mark or unmark", "Badges:"],
    "member-leave": ["LeaveOrganization", "member account"],
}


def svg_text(path: Path) -> str:
    """The terminal text of a Textual SVG screenshot, one line per row."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(
        r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
        path.read_text(encoding="utf-8"),
    ):
        rows.setdefault(float(m.group(2)), []).append(
            (float(m.group(1)), html.unescape(m.group(3)).replace("\xa0", " "))
        )
    return "\n".join("".join(t for _, t in sorted(rows[y])) for y in sorted(rows))


def test_every_scene_has_expectations():
    assert {s.name for s in screenshots.SCENES} == set(EXPECTED)


@pytest.mark.parametrize("scene", screenshots.SCENES, ids=lambda s: s.name)
def test_scene_renders(scene, tmp_path):
    path = screenshots.render(scene, tmp_path)
    assert path == tmp_path / f"{scene.name}.svg"
    text = svg_text(path)
    for words in EXPECTED[scene.name]:
        assert words in text, f"{scene.name}: {words!r} not on screen:\n{text}"


def test_readme_shows_every_screenshot_and_each_is_committed():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    committed = {p.stem for p in (ROOT / "screenshots").glob("*.svg")}
    assert committed == {s.name for s in screenshots.SCENES}
    for scene in screenshots.SCENES:
        assert f"(screenshots/{scene.name}.svg)" in readme, scene.name
