"""Words every write dialog (removal, attest, deregister) says the same way: one-line
texts cut with an ellipsis, a title with the AWS operation, what to type, the line while
the live check runs, one outcome as it lands, and outcomes with what to do.

Pure builders of `rich.text.Text`; every name goes through `render.safe`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from orgtui.backend import Services
from orgtui.text import plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import indented, safe

if TYPE_CHECKING:
    from orgtui.write_model import Outcome


def one_line(*parts: str | Text | tuple[str, object]) -> Text:
    """Parts on one line, cut with an ellipsis where the width ends."""
    text = Text.assemble(*parts)  # type: ignore[arg-type]
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def title(action: str, subject: str, operation: str, style: object) -> Text:
    """`Attest 2 accounts of o-abc  TagResource`: what, on what, and the AWS call."""
    return one_line((f"{action} ", style), safe(subject, BOLD), (f"  {operation}", DIM))


def prompt(count: int) -> str:
    if count == 1:
        return "Type the account id to confirm:"
    return "Type the number of accounts to confirm:"


def checking_line(count: int, pal: Palette) -> Text:
    return Text(
        f"Checking {plural(count, 'account')} live with AWS… (the live check decides)",
        style=pal.warning,
    )


def type_line(expected: str, verb: str, pal: Palette) -> Text:
    """`Type 1234... and press enter to attest; escape or Cancel keeps everything as it is.`"""
    return Text(
        f"Type {expected} and press enter to {verb}; escape or Cancel keeps everything as it is.",
        style=pal.success,
    )


def mismatch_line(expected: str, pal: Palette) -> Text:
    return Text(f"That does not match: type {expected} exactly to confirm.", style=pal.error)


WAITING = "Confirmed: waiting for the live check before anything is sent…"


def outcome_line(outcome: Outcome, pal: Palette) -> Text:
    """One outcome as it lands: ✔ done, ? unclear, ✘ refused with what to do."""
    what = safe(outcome.what)
    if outcome.status in ("removed", "done"):
        return Text.assemble(("✔ ", pal.success), what)
    if outcome.status == "gone":
        return Text.assemble(("✔ ", DIM), what)
    mark = ("? ", pal.warning) if outcome.status == "unknown" else ("✘ ", pal.error)
    return Text.assemble(mark, what, " ", safe(outcome.fix, DIM))


def with_fixes(outcomes: Iterable[Outcome], mark: tuple[str, object]) -> list[RenderableType]:
    """Each outcome, and under it what to do."""
    out: list[RenderableType] = []
    for o in outcomes:
        out.append(indented(Text.assemble(mark, safe(o.what)), 2))  # type: ignore[arg-type]
        out.append(indented(Text.assemble(("What to do: ", DIM), safe(o.fix)), 4))
    return out


def failures(groups: dict[str, list[Outcome]], pal: Palette) -> list[RenderableType]:
    """The refused and the unclear outcomes of a run, and where everything is recorded."""
    parts: list[RenderableType] = []
    refused = groups["refused"]
    parts.append(Text(f"\nRefused: {len(refused)}", style=pal.error if refused else DIM))
    parts += with_fixes(refused, ("✘ ", pal.error))
    if groups["unknown"]:
        parts.append(Text(f"\nUnclear: {len(groups['unknown'])}", style=pal.warning))
        parts += with_fixes(groups["unknown"], ("? ", pal.warning))
    # Where the record is (a path only: nothing is read here); the demo's is its own.
    parts.append(
        Text.assemble(
            ("\nEvery call and its outcome are in the audit log: ", DIM),
            safe(str(Services.audit_log_path())),
        )
    )
    return parts
