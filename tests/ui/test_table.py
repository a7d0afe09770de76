"""The account table (`t`): columns, sorting (`s`, `S`, a click on a title), the filter,
marks, the detail pane and `r` as in the tree, and the cursor kept across switches."""

from __future__ import annotations

from orgtui.session.table_model import COLUMNS, NAME_COLUMN
from orgtui.ui.widgets.account_table import AccountTable
from orgtui.ui.widgets.org_tree import OrgTree
from tests.ui.conftest import SIZE, detail_text, plain, rested, settled, wait_loaded


def names(app, table: AccountTable) -> list[str]:
    return [app.snapshot.accounts[a].name for a in table.rows]


def header_line(table: AccountTable) -> str:
    return "".join(seg.text for seg in table._header_strip())


async def test_t_shows_every_account_sorted_by_name_and_back(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.main.jump_to(demo.accounts["ledger-prod"])
        await pilot.press("t")
        table = app.query_one(AccountTable)
        assert app.main.showing_table and app.focused is table
        header = header_line(table)
        for title in ("Verdict", "Name ▲", "Id", "OU path", "State", "Joined", "Email"):
            assert title in header
        assert len(table.rows) == 40
        shown = names(app, table)
        assert shown == sorted(shown, key=str.casefold)
        # The cursor stayed on the account, and the detail pane shows it.
        assert table.cursor_account == demo.accounts["ledger-prod"]
        assert "ledger-prod" in detail_text(app)
        await pilot.press("down")
        below = table.cursor_account
        assert app.snapshot.accounts[below].name in detail_text(app)
        await pilot.press("t")
        tree = app.query_one(OrgTree)
        assert not app.main.showing_table and app.focused is tree
        assert tree.cursor_ref.id == below


async def test_s_sorts_by_the_next_column_and_S_reverses(make_app, demo):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        table = app.query_one(AccountTable)
        assert table.sort_column == NAME_COLUMN and not table.reverse
        await pilot.press("s")
        assert COLUMNS[table.sort_column].key == "id"
        assert table.rows == sorted(table.rows)
        assert "Id ▲" in header_line(table)
        await pilot.press("S")
        assert table.rows == sorted(table.rows, reverse=True)
        assert "Id ▼" in header_line(table)
        for _ in range(len(COLUMNS) - 1):  # round to the name again
            await pilot.press("s")
        assert table.sort_column == NAME_COLUMN and not table.reverse
        # By verdict: blocked first, then review, then ready.
        await pilot.press("s", "s", "s", "s", "s", "s")
        assert COLUMNS[table.sort_column].key == "verdict"
        verdicts = [app.view.verdict(a) for a in table.rows]
        assert verdicts == sorted(verdicts, key=["blocked", "review", "ready"].index)


async def test_a_click_on_a_title_sorts_by_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        table = app.query_one(AccountTable)
        # Offsets count the border: the titles are on the widget's second line.
        x = header_line(table).index("OU path") + 2
        await pilot.click(table, offset=(x, 1))
        assert COLUMNS[table.sort_column].key == "ou"
        paths = [" / ".join(app.snapshot.ou_path(a)).casefold() for a in table.rows]
        assert paths == sorted(paths)
        await pilot.click(table, offset=(x, 1))  # again: reversed
        assert table.reverse
        # A click on a row puts the cursor there (the third row shown).
        top = int(table.scroll_y)
        await pilot.click(table, offset=(x, 4))
        assert table.cursor_row == top + 2


async def test_filter_marks_detail_and_r_as_in_the_tree(make_app, demo):
    app = make_app()
    opened: list[list[str]] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        app.open_removal = opened.append  # type: ignore[method-assign]
        await pilot.press("t", "slash", *"northwind", "enter")
        table = app.query_one(AccountTable)
        assert set(table.rows) == {
            demo.accounts[n] for n in ("northwind-prod", "northwind-dev", "northwind-shared")
        }
        assert app.focused is table and table.cursor_row == 0
        first = table.cursor_account
        await pilot.press("r")
        assert opened == [[first]]
        await pilot.press("space")  # marks, then moves down
        assert app.main.marked == {first} and table.cursor_row == 1
        line = "".join(s.text for s in table._row_strip(first, False))
        assert line.startswith("✔")
        await pilot.press("r")
        assert opened[-1] == [first]
        # Clearing the filter keeps the cursor on its account.
        here = table.cursor_account
        await pilot.press("escape")
        assert len(table.rows) == 40 and table.cursor_account == here


async def test_ten_thousand_rows_draw_only_what_is_on_screen():
    """The table holds 9,750 accounts; a repaint renders the visible lines only."""
    from textual.app import App, ComposeResult

    from orgtui.session.table_model import TableModel
    from orgtui.session.view import OrgView
    from tests.conftest import DEMO_NOW
    from tests.ui.test_big_tree import big_snapshot

    view = OrgView(big_snapshot(), DEMO_NOW)
    model = TableModel(view)

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield AccountTable(is_marked=lambda a: False, id="table")

    app = TableApp()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(AccountTable)
        rendered: list[str] = []
        real = AccountTable._row_strip

        def counting(self, account_id, cursor):
            rendered.append(account_id)
            return real(self, account_id, cursor)

        AccountTable._row_strip = counting  # type: ignore[method-assign]
        try:
            table.show(model, None)
            await pilot.pause()
            assert len(table.rows) == 9750
            assert 0 < len(rendered) <= 2 * 30
            rendered.clear()
            table.show(model, set(view.search("acct-0007")))  # a filter: 250 rows
            await pilot.pause()
            assert len(table.rows) == 250 and len(rendered) <= 2 * 30
        finally:
            AccountTable._row_strip = real  # type: ignore[method-assign]
        # Cells are built only for the rows drawn.
        assert len(model._cells) < 200
        assert plain(model.cells(table.rows[0])[1]).startswith("acct-0007")


async def test_a_move_redraws_the_two_rows_it_changes(make_app, monkeypatch):
    """Down redraws the row the cursor left and the one it reached, not every row shown
    (a move that scrolls redraws what is shown); a move past the end lands on the last
    row and still clears the row it left."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one(AccountTable)
        drawn: list[tuple[str, bool]] = []
        real = AccountTable._row_strip

        def counting(self, account_id, cursor):
            drawn.append((account_id, cursor))
            return real(self, account_id, cursor)

        await rested(pilot, app)  # the recovery read of the first row, landed
        monkeypatch.setattr(AccountTable, "_row_strip", counting)
        await settled(pilot, app)
        await pilot.press("down")
        await pilot.pause()
        assert sorted(drawn) == sorted([(table.rows[0], False), (table.rows[1], True)])
        drawn.clear()
        await pilot.press("end")  # 40 rows do not fit: the table scrolls
        await pilot.pause()
        shown = table.size.height - 1
        assert len(drawn) >= shown - 1
        assert {a for a, cursor in drawn if cursor} == {table.rows[-1]}
        await pilot.press("home", "slash", *"prod")
        await settled(pilot, app)
        assert 1 < len(table.rows) < shown  # the filter's rows fit: no scrolling
        table.cursor_row = 1
        await pilot.pause()
        drawn.clear()
        table.cursor_row = 10_000
        await pilot.pause()
        last = len(table.rows) - 1
        assert table.cursor_row == last
        assert sorted(drawn) == sorted([(table.rows[1], False), (table.rows[last], True)])


async def test_a_filter_that_matches_nothing_empties_the_table(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t", "slash", *"zzz-nothing")
        await settled(pilot, app)
        table = app.query_one(AccountTable)
        assert table.rows == [] and table.cursor_account is None
        assert "No account here" in detail_text(app)
        await pilot.press("escape")
        assert len(table.rows) == 40 and table.cursor_account is not None


async def test_at_80x24_every_row_shows_its_verdict_name_and_whole_id(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one(AccountTable)
        assert table.size.width < 60  # the detail pane shares the width
        shown = min(len(table.rows), table.size.height - 1)
        for y in range(1, shown + 1):
            line = table.render_line(y).text
            account_id = table.rows[y - 1]
            assert account_id in line, (line, account_id)
            assert app.view.badge(account_id) in line


async def test_the_border_says_which_column_the_table_is_sorted_by(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one(AccountTable)
        assert table.border_title == "sorted by Name ▲"
        await pilot.press("s", "s")  # Id, then the OU path, scrolled out of view at 80
        await pilot.pause()
        assert table.border_title == "sorted by OU path ▲"
        await pilot.press("S")
        await pilot.pause()
        assert table.border_title == "sorted by OU path ▼"


async def test_no_column_is_cut_at_the_right_edge_at_160x50(make_app):
    from orgtui.ui.widgets.account_table import MARK_WIDTH, OU_COLUMN

    assert COLUMNS[OU_COLUMN].key == "ou"
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        table = app.query_one(AccountTable)
        header = table.render_line(0).text
        shown = table.scrollable_content_region.width
        left = MARK_WIDTH
        for column, width in zip(COLUMNS, table._widths(), strict=True):
            if left >= shown:
                break
            # Every column that starts in view ends in view: its title is whole.
            assert left + width <= shown, (column.title, header)
            assert column.title in header
            left += width + 2


async def test_at_80x24_every_tree_line_keeps_the_whole_account_id(make_app, demo):
    import re

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        tree = app.query_one(OrgTree)
        for name in ("northwind-prod", "tokenizer-prod", "sandbox-carol", "security-tooling"):
            app.main.jump_to(demo.accounts[name])  # opens the OUs on the way, deepest too
        await pilot.pause()
        seen = 0
        for y in range(tree.scrollable_content_region.height):
            line = tree.render_line(y).text
            if re.match(r"^[\s│├└─]*(✔ )?(blocked|review|ready)\?? ", line):  # an account
                assert re.search(r"\d{12}", line), line
                assert line.rstrip().endswith(tuple("0123456789")) or "SUSPENDED" in line
                seen += 1
        assert seen > 5
        # No sideways scrollbar: what the labels say they need is what fits.
        wide = [
            (n.data, tree.get_label_width(n), tree._room(n))
            for n in tree.nodes.values()
            if n.data is not None and n.line >= 0 and tree.get_label_width(n) > tree._room(n)
        ]
        assert tree.max_scroll_x == 0, wide
