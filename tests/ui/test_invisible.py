"""The TUI on names, OU names and tags made of characters that draw nothing, reorder text
or stack over the rows around them (soft hyphen, Hangul fillers, tag characters, line and
paragraph separators, bidi controls, zero-width characters, a tower of combining marks):
none of them reaches the screen raw, in the tree, the detail pane, the table or the
header; each is shown as its visible escape (`orgtui.text.clean`)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from orgtui.backend import Services
from orgtui.text import clean
from orgtui.ui.app import OrgApp
from orgtui.ui.widgets.org_tree import OrgTree
from tests.conftest import DEMO_NOW
from tests.support.orgs import AccountSpec, BuiltOrg, OuSpec, build_org
from tests.ui.conftest import demo_context, detail_text, wait_loaded

SIZE = (120, 40)
NAMES = (
    "soft\xadhyphen",
    "blank\u3164\u115f\u1160\uffa0name",
    "flag\U000e0067\U000e0062\U000e007f",
    "line\u2028para\u2029graph",
    "bidi\u2066iso\u2069\u200e\u200f\u061c\u202a\u202d",
    "zero\u200c\u200d\u2060\ufeffwidth",
    "c1\x9b31mred",
    "z" + "\u0301\u0302\u0303\u0304\u0305" * 4 + "algo",
)
TAGS = {"k\xad": "v\u3164\U000e0041", "owner": "o\u2028ps" + "\u0300" * 9}


def raw_chars(text: str) -> list[str]:
    """What must never be drawn: controls (but the newline), format characters, line and
    paragraph separators, Hangul fillers, tag characters, a third combining mark in a row
    (by Unicode's categories, not orgtui's list)."""
    bad, marks = [], 0
    for ch in text:
        category = unicodedata.category(ch)
        marks = marks + 1 if category[0] == "M" else 0
        if (
            (category == "Cc" and ch != "\n")
            or category in ("Cf", "Zl", "Zp", "Cs")
            or ch in "\u115f\u1160\u3164\uffa0"
            or 0xE0000 <= ord(ch) <= 0xE007F
            or marks > 2
        ):
            bad.append(ch)
    return bad


@pytest.fixture
def org(isolated_env: Any) -> Iterator[BuiltOrg]:
    import boto3
    from moto import mock_aws

    from orgtui.demo import DEMO_CREDENTIALS, DEMO_REGION

    os.environ.setdefault("MOTO_ACCOUNT_ID", "123456789012")
    with mock_aws():
        key, secret, _ = DEMO_CREDENTIALS
        client = boto3.client(
            "organizations",
            region_name=DEMO_REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )
        accounts = tuple(
            AccountSpec(name, tags=TAGS, joined_method="INVITED", joined_days_ago=400)
            for name in NAMES
        )
        yield build_org(
            client,
            (OuSpec("Pro\u2028d\u202e\xad", accounts[:4]), OuSpec("\u3164", accounts[4:])),
            now=DEMO_NOW,
        )


async def test_no_invisible_character_reaches_the_screen(org):
    app = OrgApp(Services(demo_context()), clock=lambda: DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        for name in NAMES:
            app.main.jump_to(org.accounts[name])
            await pilot.pause()
            label = tree.render_label(tree.cursor_node, tree.rich_style, tree.rich_style).plain
            assert raw_chars(label) == [] and clean(name)[:8] in label
            detail = detail_text(app)
            assert raw_chars(detail) == [], name
            assert clean(name) in detail and "k\\xad" in detail and "v\\u3164" in detail
            assert raw_chars(app.export_screenshot()) == []
        await pilot.press("t")
        table = app.main.table
        for account_id in table.rows:
            line = "".join(seg.text for seg in table._row_strip(account_id, False))
            assert raw_chars(line) == [], line
        assert raw_chars(app.export_screenshot()) == []
