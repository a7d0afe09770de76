"""Messages the loading worker posts to the app (from its thread)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from orgtui.errors import OrgtuiError
from orgtui.ui.view import OrgView


@dataclass
class StructureLoaded(Message):
    """OUs and accounts are known; tags, policies and delegation are not yet. `view` is
    built only for the first paint (None when a view is on screen already)."""

    generation: int
    view: OrgView | None


@dataclass
class DetailsLoaded(Message):
    """Enrichment finished: verdicts are final (unless the snapshot lists problems)."""

    generation: int
    view: OrgView


@dataclass
class LoadProgress(Message):
    generation: int
    phase: str
    done: int
    total: int | None


@dataclass
class LoadFailed(Message):
    """A load failed; `stage` is "structure" or "details". For the details, `structure`
    is the organization as its structure was read, badges `ready?` / `review?`."""

    generation: int
    stage: str
    error: OrgtuiError
    structure: OrgView | None = None
