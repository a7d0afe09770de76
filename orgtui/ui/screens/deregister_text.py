"""What the deregister dialog says: the account and its verdict now and after, each
delegated service with what stops until another administrator is registered, AWS's
advice, the line under the scroll area, and the summary at the end (per service, and the
account's verdict as AWS shows it afterwards).

Pure builders of `rich.text.Text`; every name is cleaned (`render.safe`), never markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from orgtui.model import Account, Assessment
from orgtui.rules import verdict_of
from orgtui.services import service_name, what_stops
from orgtui.text import account_label, plural
from orgtui.ui.palette import BOLD, DIM, Palette
from orgtui.ui.render import finding_lines, indented, safe, verdict_badge
from orgtui.ui.screens.write_text import (
    checking_line,
    failures,
    one_line,
    title,
    type_line,
)
from orgtui.write_model import LiveCheck, Outcome

ADVICE = (
    "AWS advises reading each service's documentation before deregistering its delegated "
    "administrator: it can have unintended effects on the service. To hand a service to "
    "another account, register that account afterwards (in the service's console, or "
    "with RegisterDelegatedAdministrator).",
    "orgtui sends DeregisterDelegatedAdministrator once per service and logs each call and "
    "its outcome in the audit log; a service AWS refuses stays as it is, the others are "
    "done.",
)


def deregister_title(name: str, account_id: str, pal: Palette) -> Text:
    return title(
        "Deregister delegated administrator",
        account_label(name, account_id),
        "DeregisterDelegatedAdministrator",
        pal.warning,
    )


def verdict_after(found: Assessment | None) -> str:
    """The verdict once no longer a delegated administrator."""
    findings = found.findings if found else ()
    return verdict_of(f for f in findings if f.code != "DELEGATED_ADMIN")


def summary(
    account: Account | None,
    account_id: str,
    path: str,
    found: Assessment | None,
    services: Sequence[str],
    pal: Palette,
    checking: bool,
) -> Group:
    """The account with its verdict now and after, and its services, above the scroll."""
    name = account.name if account and account.name else account_id
    now = found.verdict if found else "blocked"
    change = verdict_badge(now, pal, upper=True)
    after = verdict_after(found)
    if services and after != now:
        change = Text.assemble(change, " → ", verdict_badge(after, pal, upper=True))
    state = "  checking…" if checking else "  (checked live)"
    lines = [
        one_line(
            change,
            "  ",
            safe(name, BOLD),
            "  ",
            safe(account_id),
            "  ",
            safe(path, DIM),
            (state, DIM),
        )
    ]
    if services:
        lines.append(
            one_line(
                (f"Delegated administrator for {plural(len(services), 'service')}: ", pal.warning),
                safe(", ".join(service_name(s) for s in services)),
            )
        )
        others = [f for f in (found.blockers if found else ()) if f.code != "DELEGATED_ADMIN"]
        if others:
            lines.append(
                one_line(
                    ("Still blocked afterwards by ", pal.error),
                    safe(", ".join(f.code for f in others)),
                )
            )
    return Group(*lines)


def body(services: Sequence[str], pal: Palette) -> Group:
    parts: list[RenderableType] = [Text("What stops, per service", style=BOLD)]
    for service in services:
        parts.append(indented(Text.assemble(("■ ", pal.warning), safe(service, DIM)), 2))
        parts.append(indented(safe(what_stops(service)), 4))
    parts.append(Text(""))
    parts += [indented(Text("• " + line, style=DIM), 2) for line in ADVICE]
    return Group(*parts)


def check_line(
    pal: Palette, *, checking: bool, check: LiveCheck | None, expected: str, check_error: str | None
) -> Text:
    if checking:
        return checking_line(1, pal)
    if check_error:
        return safe(f"Live check failed: {check_error} Escape closes.", pal.error)
    if check is not None and check.gone:
        return Text(
            "The account is no longer in the organization (checked live): nothing "
            "to deregister. Escape closes.",
            style=pal.warning,
        )
    if check is not None and check.error is not None:
        return Text.assemble(
            ("The live check failed: ", pal.error),
            safe(check.error.what),
            " ",
            safe(check.error.fix, DIM),
            (" Escape closes.", DIM),
        )
    if check is not None and not check.delegated:
        return Text(
            "It is no longer a delegated administrator (checked live): nothing to "
            "deregister. Escape closes.",
            style=pal.warning,
        )
    return type_line(expected, "deregister it for every service above", pal)


def final_summary(outcomes: Sequence[Outcome], after: LiveCheck | None, pal: Palette) -> Group:
    done = [o for o in outcomes if o.ok]
    groups: dict[str, list[Outcome]] = {"refused": [], "unknown": []}
    for o in outcomes:
        if not o.ok:
            groups["refused" if o.status == "refused" else "unknown"].append(o)
    parts: list[RenderableType] = [
        Text(
            f"Deregistered: {len(done)} of {plural(len(outcomes), 'service')}",
            style=pal.success if done else DIM,
        )
    ]
    parts += [indented(Text.assemble(("✔ ", pal.success), safe(o.what)), 2) for o in done]
    parts += failures(groups, pal)
    parts += _after(after, pal)
    return Group(*parts)


def _after(after: LiveCheck | None, pal: Palette) -> list[RenderableType]:
    if after is None:
        return []
    if after.gone:
        return [Text("\nThe account is no longer in the organization.", style=DIM)]
    if after.error is not None or after.assessment is None:
        what = after.error.what if after.error is not None else "not read"
        return [
            Text.assemble(
                ("\nThe account could not be read again: ", pal.warning),
                safe(what),
                (" Reload (ctrl+r) to see its verdict.", DIM),
            )
        ]
    parts: list[RenderableType] = [
        Text.assemble(
            "\nThe account now (checked live): ",
            verdict_badge(after.assessment.verdict, pal, upper=True),
        )
    ]
    if after.delegated:
        parts.append(
            indented(
                Text.assemble(
                    ("Still delegated administrator for: ", pal.warning),
                    safe(", ".join(after.delegated)),
                ),
                2,
            )
        )
    parts += finding_lines(after.assessment.blockers, pal, indent=2)
    return parts
