"""`clean()`, the one way untrusted text is made safe to show, and `escape_for_json()`, its
JSON counterpart: checked against the running Python's Unicode tables, not against
orgtui's own list."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest

from orgtui.text import MAX_MARKS, account_label, clean, escape_for_json

HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"


def _must_escape(code: int) -> bool:
    ch = chr(code)
    return (
        unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        or ch in HANGUL_FILLERS
        or 0xE0000 <= code <= 0xE007F
    )


MUST_ESCAPE = [code for code in range(sys.maxunicode + 1) if _must_escape(code)]


def test_every_control_format_separator_filler_and_tag_character_is_escaped():
    missed = [f"U+{code:04X}" for code in MUST_ESCAPE if clean(chr(code)) == chr(code)]
    assert missed == []
    for code in MUST_ESCAPE:  # visible, and printable on any terminal
        assert clean(chr(code)).isprintable() and clean(chr(code)).isascii()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x9bb", "a\\x9bb"),  # a C1 CSI
        ("a\u202eb", "a\\u202eb"),
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("soft\xadhyphen", "soft\\xadhyphen"),
        ("\u3164", "\\u3164"),
        ("a\u061cb\u200ec\u200fd\u2066e\u2069", "a\\u061cb\\u200ec\\u200fd\\u2066e\\u2069"),
        ("a\u200bb\u200cc\u200dd\u2060e\ufefff", "a\\u200bb\\u200cc\\u200dd\\u2060e\\ufefff"),
        ("flag\U000e0067\U000e007f", "flag\\U000e0067\\U000e007f"),
        ("line\nbreak\ttab", "line\\nbreak\\ttab"),
    ],
)
def test_clean_shows_each_as_an_escape(raw, shown):
    assert clean(raw) == shown


def test_runs_of_combining_marks_are_capped():
    zalgo = "Z" + "\u0301\u0302\u0303\u0330\u0331" * 10 + "algo"
    assert clean(zalgo) == "Z\u0301\u0302algo"
    assert MAX_MARKS == 2
    # Accents as languages write them are kept: decomposed Vietnamese, Hindi, Thai.
    for text in ("Vie\u0323\u0302t", "हिन्दी", "ภาษาไทย", "e\u0301\u0301"):
        assert clean(text) == text


def test_ordinary_text_is_kept_as_it_is():
    for text in ("web-prod", 'Ödd | "name", [x]', "名前 Ελληνικά עברית 😀", "a\u00a0b"):
        assert clean(text) == text


def test_json_escapes_them_and_keeps_the_data():
    # One space apart: two lone surrogates side by side would read back as one pair.
    raw = " ".join(chr(code) for code in MUST_ESCAPE if code >= 0x20) + " é 名 \u0301\u0301\u0301"
    text = escape_for_json(json.dumps({"name": raw}, ensure_ascii=False))
    assert json.loads(text) == {"name": raw}
    assert all(not _must_escape(ord(ch)) for ch in text)
    assert "é 名" in text  # ensure_ascii=False stays for ordinary text
    assert "\\u009b" in text and "\\udb40\\udc67" in text  # U+E0067 as a surrogate pair


def test_a_tag_backup_keeps_the_tags_with_their_invisible_characters_escaped():
    from orgtui import files

    tags = {"k\u202e": "v\u2028\xad\U000e0041", "team": "Ödd 名"}
    path = files.backup_tags("o-abcdefghij", "111122223333", tags)
    text = path.read_text(encoding="utf-8")
    assert all(not _must_escape(ord(ch)) or ch == "\n" for ch in text)
    assert "Ödd 名" in text and "k\\u202e" in text
    assert json.loads(text)["tags"] == tags


def test_an_account_label_is_the_name_and_id_or_the_id_alone():
    assert account_label("payments-dev", "111122223333") == "payments-dev (111122223333)"
    assert account_label("", "111122223333") == "111122223333"
    assert account_label("111122223333", "111122223333") == "111122223333"
    # It escapes nothing: who calls it cleans (or not) as before.
    assert account_label("a\x1b", "111122223333") == "a\x1b (111122223333)"
