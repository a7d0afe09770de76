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


def redact_url(url: str) -> str:
    """`url` with its userinfo (`user:password@`) replaced by `***@`, so that a password
    given in --endpoint-url is never echoed in an error, a progress line or a log.

    Works on anything typed as a URL, valid or not: the authority is what follows `://`
    (or the start, when there is no scheme) up to the first `/`, `?` or `#`, and the
    userinfo is everything in it before its last `@`.
    """
    start = url.find("://")
    start = 0 if start < 0 else start + 3
    end = len(url)
    for sep in "/?#":
        found = url.find(sep, start)
        if found >= 0:
            end = min(end, found)
    at = url.rfind("@", start, end)
    if at < 0:
        return url
    return f"{url[:start]}***{url[at:]}"
