"""Small wording helpers shared by the core and the UI, and the one way untrusted text is
made safe to show.

Everything that comes from AWS, a file or the user may hold control characters: an OSC
sequence in an account name would set the terminal's title or clipboard, a newline would
draw a fake row, a bidi override would show `exe.txt` for `txt.exe`. `clean()` makes every
such character visible as an escape (`\\x1b`, `\\n`, `\\u202e`) and caps runs of
combining marks before the text reaches a terminal or a report. JSON keeps the raw value
but writes these characters as `\\uXXXX` (`escape_for_json()`).
"""

from __future__ import annotations

import re
import unicodedata

# Every character that draws nothing, moves the cursor or reorders or hides text, but the
# C0 controls (added below): DEL and the C1 controls (U+009B is a CSI on its own); every
# format character of Unicode 14 and 15 (category Cf: the soft hyphen U+00AD, the bidi
# marks, embeddings, overrides and isolates U+061C, U+200E-200F, U+202A-202E,
# U+2066-2069, the zero-width spaces and joiners U+200B-200D, U+2060-2064, the byte-order
# mark U+FEFF, ...); the line and paragraph separators U+2028-2029; the Hangul fillers,
# letters that draw as blanks (U+115F, U+1160, U+3164, U+FFA0); the tag characters
# U+E0000-E007F; and lone surrogates, which no encoding can write. tests/test_text.py
# checks the set against the running Python's Unicode tables.
INVISIBLE_CHARS = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    "\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\uffa0\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_UNSAFE = re.compile(f"[\\x00-\\x1f{INVISIBLE_CHARS}]")
# What JSON text may still hold raw: json.dumps escapes the C0 controls in strings itself
# (and writes the newlines of its indentation outside them).
_JSON_UNSAFE = re.compile(f"[{INVISIBLE_CHARS}]")
_ASCII_UNSAFE = re.compile("[\x00-\x1f\x7f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Combining marks kept after one base character: enough for any language's accents (a
# Vietnamese vowel carries two), too few to stack a "Zalgo" name over the rows around it.
MAX_MARKS = 2
# No combining mark lies below U+0300: text without such characters needs no mark count.
_MAY_HOLD_MARKS = re.compile("[\u0300-\U0010ffff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _capped_marks(text: str) -> str:
    """`text` with at most MAX_MARKS combining marks after each base character."""
    out: list[str] = []
    run = 0
    for ch in text:
        if unicodedata.category(ch)[0] == "M":
            run += 1
            if run > MAX_MARKS:
                continue
        else:
            run = 0
        out.append(ch)
    return "".join(out) if len(out) < len(text) else text


def clean(text: object) -> str:
    """`text` as a single line with every control or invisible character shown as an
    escape, and runs of combining marks cut to MAX_MARKS; other characters (brackets,
    quotes, any script) are kept as they are."""
    s = text if isinstance(text, str) else str(text)
    if s.isascii():  # most names: only the C0 controls and DEL to look for
        return s if _ASCII_UNSAFE.search(s) is None else _UNSAFE.sub(_visible, s)
    if _MAY_HOLD_MARKS.search(s) is not None:
        s = _capped_marks(s)
    if _UNSAFE.search(s) is None:
        return s
    return _UNSAFE.sub(_visible, s)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells a character beyond the BMP as its surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def escape_for_json(document: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with every character
    `clean()` would escape written as `\\uXXXX`: the data stays whole, and no viewer or
    terminal showing the file meets a raw control or bidi character. These characters
    appear only inside JSON strings, where the escape means the same character."""
    if document.isascii() and "\x7f" not in document:
        # The usual report: every character it escapes is beyond ASCII but DEL, and these
        # two checks run at C speed, where the search below takes 35 ms on the report of
        # 1,000 accounts (issue 34).
        return document
    if _JSON_UNSAFE.search(document) is None:
        return document
    return _JSON_UNSAFE.sub(_json_escape, document)


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """`1 account`, `2 accounts`, `3 policies` (with `plural_form`)."""
    return f"{n} {word if n == 1 else (plural_form or word + 's')}"


def account_label(name: str, account_id: str) -> str:
    """An account as the user reads it: `payments-dev (111122223333)`, or only the id when
    the name is empty or is the id (an account read without its name is named by its id).

    Escapes nothing: the caller cleans where it did before (an outcome's words keep the raw
    name for the audit log, and are cleaned when shown)."""
    return f"{name} ({account_id})" if name and name != account_id else account_id


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
