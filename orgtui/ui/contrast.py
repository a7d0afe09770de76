"""Readable text on the cursor row, in every theme.

The cursor's background is the theme's strongest colour, and the colours that mean
something elsewhere (a verdict's red, a dimmed id) can fall to 1.3:1 on it. Every text on
the cursor row is given at least WCAG's 4.5:1 against the background it is drawn on: its
own colour when that is enough, else the same hue lightened or darkened until it is, else
black or white. Dim is dropped there (it halves the contrast it is measured by).

ANSI themes' colours are the terminal's own: their segments are left as they are.
"""

from __future__ import annotations

from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

MINIMUM = 4.5  # WCAG AA for normal text
# The tree's guides are lines, not text: they keep their colour on the cursor row too.
GUIDES = frozenset(" │├└─┃┣┗━║╠╚═")
_STEPS = tuple(i / 20 for i in range(1, 21))


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio of two opaque colours, from 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=512)
def readable(fg: Color, bg: Color, minimum: float = MINIMUM) -> Color:
    """`fg`, or the nearest shade of it, that reads at `minimum` on `bg`."""
    if contrast(fg, bg) >= minimum:
        return fg
    towards_light = _luminance(bg) < 0.18  # a dark background: lighten
    for step in _STEPS:
        shade = fg.lighten(step) if towards_light else fg.darken(step)
        if contrast(shade, bg) >= minimum:
            return shade
    white, black = Color(255, 255, 255), Color(0, 0, 0)
    return white if contrast(white, bg) >= contrast(black, bg) else black


def _truecolor(style: Style) -> tuple[Color, Color] | None:
    if style.color is None or style.bgcolor is None:
        return None
    if style.color.triplet is None or style.bgcolor.triplet is None:
        return None  # ANSI: the terminal's palette decides
    return Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)


def readable_strip(strip: Strip, minimum: float = MINIMUM) -> Strip:
    """The cursor row with every text at `minimum` contrast, and nothing dim."""
    segments = []
    for segment in strip:
        text, style, control = segment
        is_text = style is not None and not GUIDES.issuperset(text)
        colors = _truecolor(style) if is_text and style is not None else None
        if colors is not None and style is not None:
            fg = readable(colors[0], colors[1], minimum)
            style = style + Style(color=fg.rich_color, dim=False)
        segments.append(Segment(text, style, control))
    return Strip(segments, strip.cell_length)
