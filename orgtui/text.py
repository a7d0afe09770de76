"""Small wording helpers shared by the core and the UI, and the one way untrusted text is
made safe to show.

Everything that comes from AWS, a file or the user may hold control characters: an OSC
sequence in an account name would set the terminal's title or clipboard, a newline would
draw a fake row. `clean()` makes every such character visible as an escape (`\\x1b`,
`\\n`, `\\u202e`) before the text reaches a terminal or a report (JSON escapes them by
itself and keeps the raw value).
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; line and paragraph separators; and the invisible
# format characters that can reorder or hide text (bidi embeddings, overrides and
# isolates, zero-width spaces and joiners, the byte-order mark).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def clean(text: object) -> str:
    """`text` as a single line with every control or invisible format character shown as
    an escape; other characters (brackets, quotes, any script) are kept as they are."""
    s = text if isinstance(text, str) else str(text)
    if _UNSAFE.search(s) is None:
        return s
    return _UNSAFE.sub(_visible, s)


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """`1 account`, `2 accounts`, `3 policies` (with `plural_form`)."""
    return f"{n} {word if n == 1 else (plural_form or word + 's')}"
