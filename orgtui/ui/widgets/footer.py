"""The key bar: Textual's Footer, without the widgets it keeps after each rebuild."""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer rebuilds its keys whenever the bindings change (each focus
    change, each dialog), binding every new FooterKey to its own `compact` setting
    (`data_bind`). Textual forgets a removed key's binding only when `compact` changes,
    which here it never does, so every key ever shown stayed alive: 70 widgets, with
    their styles and caches, per round of keys in benchmarks/tui_bench.py, all scanned by
    every full garbage collection (benchmarks/RESULTS.md). After a rebuild, `compact`
    is marked changed (to the same value), so Textual drops the bindings of the keys it
    removed."""

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)
