"""Colours from the current Textual theme: the one place that maps a verdict, a severity,
a mark or a mode badge to a colour.

Every theme defines readable text variants of its semantic colours (`$text-error`,
`$text-warning`, `$text-success`, `$text-primary`, ...). Reading them at render time,
instead of hard-coding red, yellow and green, keeps badges legible on light themes and
in the ANSI themes alike. A palette is computed once per theme and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_THEME = "textual-dark"
BOLD = Style(bold=True)
DIM = Style(dim=True)


def _fg(variables: dict[str, str], name: str, bold: bool = False) -> Style:
    return Style(color=Color.parse(variables[name]).rich_color, bold=bold or None)


def _badge(variables: dict[str, str], name: str) -> Style:
    background = Color.parse(variables[name])
    return Style(
        color=background.get_contrast_text().rich_color, bgcolor=background.rich_color, bold=True
    )


@dataclass(frozen=True)
class Palette:
    """Rich styles for one theme."""

    error: Style
    warning: Style
    success: Style
    notice: Style
    mark: Style
    live_badge: Style
    audit_badge: Style
    demo_badge: Style

    def verdict(self, verdict: str) -> Style:
        """blocked, review, ready (anything else: no colour)."""
        return {"blocked": self.error, "review": self.warning, "ready": self.success}.get(
            verdict, Style()
        )

    def severity(self, severity: str) -> Style:
        """blocker, warning, notice."""
        return {"blocker": self.error, "warning": self.warning, "notice": self.notice}.get(
            severity, Style()
        )

    @classmethod
    def of_theme(cls, theme: Theme) -> Palette:
        # Keyed by name and object: a theme registered again under a used name is new.
        key = (theme.name, id(theme))
        found = _CACHE.get(key)
        if found is None:
            found = _CACHE[key] = _palette(theme)
        return found

    @classmethod
    def default(cls) -> Palette:
        return cls.of_theme(BUILTIN_THEMES[DEFAULT_THEME])


_CACHE: dict[tuple[str, int], Palette] = {}


def _palette(theme: Theme) -> Palette:
    variables = theme.to_color_system().generate()
    return Palette(
        error=_fg(variables, "text-error", bold=True),
        warning=_fg(variables, "text-warning", bold=True),
        success=_fg(variables, "text-success", bold=True),
        notice=_fg(variables, "text-primary"),
        mark=_fg(variables, "text-accent", bold=True),
        live_badge=_badge(variables, "success"),
        audit_badge=_badge(variables, "warning"),
        demo_badge=_badge(variables, "primary"),
    )


def palette(app: App[object] | None) -> Palette:
    """The palette of the app's current theme (the default theme without an app)."""
    if app is None:
        return Palette.default()
    return Palette.of_theme(app.current_theme)
