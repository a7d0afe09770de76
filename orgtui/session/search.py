"""The filter's search index: what each account can be found by, built once per view.

A query is split on spaces and every term must match (AND). A term is read as:
- `blocked`, `review`, `ready`: the verdict (while the details are being read, `review`
  and `ready` match nothing: the badges say `reading`);
- a finding code (`DELEGATED_ADMIN`, any case) that some account has: accounts with it;
- `invited`, `created`: how the account joined; a state (`suspended`, `active`, ...);
- `ou:NAME`: accounts at any depth under an OU named NAME (any case); `ou-...` an OU id
  (a prefix of one while it is typed), or the root's id;
- anything else: a substring of the account's name, id, email, tags (`key=value`) or
  delegated services (`guardduty`, `guardduty.amazonaws.com`); an account id may be typed
  with the console's dashes (`7216-0791-8359`, or its start).
Plain Python (no textual import): built in the loading worker with the view.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from orgtui.model import ACCOUNT_STATES, Assessment, Snapshot

VERDICTS = ("blocked", "review", "ready")
METHODS = ("invited", "created")
STATES = tuple(s.lower() for s in ACCOUNT_STATES)


@dataclass(frozen=True)
class Facts:
    """What the keyword terms read of one account."""

    verdict: str
    codes: frozenset[str]
    method: str
    state: str
    containers: tuple[str, ...]  # parent first, up to the root


Predicate = Callable[[str], bool]
_DASHED_DIGITS = re.compile(r"\d+(-\d*)+")


def _undashed(term: str) -> str:
    """The term without its dashes when it is (the start of) a dashed account id."""
    return term.replace("-", "") if _DASHED_DIGITS.fullmatch(term) else term


@dataclass
class SearchIndex:
    text: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Facts] = field(default_factory=dict)
    ou_names: dict[str, frozenset[str]] = field(default_factory=dict)  # lower name -> ids
    codes: frozenset[str] = frozenset()
    roots: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        snap: Snapshot,
        assessments: Mapping[str, Assessment],
        containers_of: Callable[[str], tuple[str, ...]],
    ) -> SearchIndex:
        index = cls()
        names: dict[str, set[str]] = {}
        for ou in snap.ous.values():
            names.setdefault(ou.name.lower(), set()).add(ou.id)
        index.ou_names = {k: frozenset(v) for k, v in names.items()}
        index.roots = frozenset(r.id for r in snap.roots)
        codes: set[str] = set()
        for acc in snap.accounts.values():
            codes |= index._add(snap, acc.id, assessments.get(acc.id), containers_of(acc.id))
        index.codes = frozenset(codes)
        return index

    def _add(
        self, snap: Snapshot, account_id: str, found: Assessment | None, containers: tuple[str, ...]
    ) -> frozenset[str]:
        """Index one account; returns its finding codes."""
        acc = snap.accounts[account_id]
        parts = [acc.name, acc.id, acc.email, acc.state, acc.joined_method]
        parts += [f"{k}={v}" for k, v in snap.tags_of(acc.id).items()]
        parts += snap.delegated_services_of(acc.id)
        self.text[acc.id] = "\x00".join(parts).lower()
        own = frozenset(f.code for f in found.findings) if found else frozenset()
        self.facts[acc.id] = Facts(
            found.verdict if found else "ready",
            own,
            acc.joined_method.lower(),
            acc.state.lower(),
            containers,
        )
        return own

    def updated(
        self,
        snap: Snapshot,
        assessments: Mapping[str, Assessment],
        containers_of: Callable[[str], tuple[str, ...]],
        account_ids: Iterable[str],
    ) -> SearchIndex:
        """A new index where these accounts (their tags, delegation, findings changed)
        are indexed again; the others are kept as they are."""
        new = SearchIndex(dict(self.text), dict(self.facts), self.ou_names, self.codes, self.roots)
        codes = set(self.codes)
        for account_id in account_ids:
            codes |= new._add(
                snap, account_id, assessments.get(account_id), containers_of(account_id)
            )
        new.codes = frozenset(codes)
        return new

    def reassessed(
        self, assessments: Mapping[str, Assessment], account_ids: Iterable[str]
    ) -> SearchIndex:
        """A new index where these accounts' verdicts and codes are those of
        `assessments` (another destination: nothing else about them changed), and the
        codes known are those some account has now."""
        new = SearchIndex(dict(self.text), dict(self.facts), self.ou_names, self.codes, self.roots)
        for account_id in account_ids:
            found, old = assessments[account_id], new.facts[account_id]
            new.facts[account_id] = Facts(
                found.verdict,
                frozenset(f.code for f in found.findings),
                old.method,
                old.state,
                old.containers,
            )
        new.codes = frozenset().union(*(f.codes for f in new.facts.values()))
        return new

    # --- terms ------------------------------------------------------------------------

    def is_plain(self, term: str) -> bool:
        """A substring term (typing on can only narrow its matches)."""
        return self._keyword(term) is None

    def _keyword(self, term: str, reading: bool = False) -> Predicate | None:
        facts = self.facts
        if term in VERDICTS:
            if reading and term != "blocked":  # not known yet: none is shown as such
                return lambda a: False
            return lambda a: facts[a].verdict == term
        if term.upper() in self.codes:
            code = term.upper()
            return lambda a: code in facts[a].codes
        if term in METHODS:
            return lambda a: facts[a].method == term
        if term in STATES:
            return lambda a: facts[a].state == term
        if term.startswith("ou:"):
            wanted = self.ou_names.get(term[3:], frozenset())
            if not term[3:]:
                return lambda a: True  # "ou:" alone, the name still to come
            return lambda a: not wanted.isdisjoint(facts[a].containers)
        if term.startswith("ou-") or term in self.roots:
            return lambda a: any(c.startswith(term) for c in facts[a].containers)
        return None

    def _predicate(self, term: str, reading: bool = False) -> Predicate:
        keyword = self._keyword(term, reading)
        if keyword is not None:
            return keyword
        text = self.text
        bare = _undashed(term)
        if bare != term:  # an account id as the console shows it: `7216-0791-8359`
            return lambda a: term in text[a] or bare in text[a]
        return lambda a: term in text[a]

    def match(
        self, query: str, within: Iterable[str] | None = None, reading: bool = False
    ) -> list[str]:
        """Ids of the accounts that match every term of `query`, in index order.

        `within` limits the scan to those ids (the matches of a broader query); `reading`:
        the details are still being read (verdicts other than blocked are not known).
        """
        terms = query.lower().split()
        candidates = self.text if within is None else within
        if not terms:
            return list(candidates)
        tests = [self._predicate(t, reading) for t in terms]
        return [a for a in candidates if a in self.text and all(t(a) for t in tests)]

    def narrows(self, old: str, new: str) -> bool:
        """True when every match of `new` is a match of `old` (typing on): the same terms,
        the last one extended as a substring, maybe more terms after it."""
        before, after = old.lower().split(), new.lower().split()
        if not before or len(after) < len(before):
            return False
        if before[:-1] != after[: len(before) - 1]:
            return False
        last, now = before[-1], after[len(before) - 1]
        return last == now or (now.startswith(last) and self.is_plain(last) and self.is_plain(now))

    def without(self, account_id: str) -> SearchIndex:
        return SearchIndex(
            {k: v for k, v in self.text.items() if k != account_id},
            {k: v for k, v in self.facts.items() if k != account_id},
            self.ou_names,
            self.codes,
            self.roots,
        )
