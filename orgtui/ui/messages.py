"""Messages to the app: from the loading worker (its thread) and from the main screen
(a key that asks the app for something)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.message import Message

from orgtui.errors import OrgtuiError
from orgtui.session.view import OrgView


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


# --- what the main screen asks of the app (it never calls the app across) ---------------

WriteKind = Literal["remove", "attest", "deregister", "close", "move", "invite", "invitations"]


@dataclass
class WriteAsked(Message):
    """A write key was pressed (r, v, d, c, m, i; I lists what the invitations did): the
    app opens its dialog or screen, or says why not (`WriteFlow`). `account_ids`: the
    marked accounts, or the one under the cursor."""

    kind: WriteKind
    account_ids: list[str]


@dataclass
class DestinationAsked(Message):
    """x: the app assesses the view for the next destination."""


@dataclass
class MainReady(Message):
    """The main screen is mounted: the app starts reading the organization."""
