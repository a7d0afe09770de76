"""Indexed lookups for moto's Organizations backend, for the benchmark's server only.

moto keeps accounts, OUs and policies in lists and scans them on every request: finding
the account of a ListTagsForResource, the children of a parent, an OU by id. At 10,000
accounts that is the server's time, not orgtui's, and it would distort the comparison.
`install()` replaces those lookups with dict indexes in this process (moto's pagination
and answers are unchanged). The index is rebuilt when the number of accounts, OUs or
policies changes; the benchmark only reads, so moves are never missed. orgtui itself is
not changed for moto.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

_installed = False


def _index(backend: Any) -> dict[str, Any]:
    key = (id(backend.accounts), len(backend.accounts), len(backend.ou), len(backend.policies))
    cached = getattr(backend, "_bench_index", None)
    if cached is not None and cached["key"] == key:
        return cached
    by_id: dict[str, Any] = {}
    for collection in (backend.ou, backend.accounts, backend.policies):
        by_id.update({item.id: item for item in collection})
    accounts_of: dict[str, list[Any]] = defaultdict(list)
    for account in backend.accounts:
        accounts_of[account.parent_id].append(account)
    for items in accounts_of.values():
        items.sort(key=lambda a: a.create_time)
    ous_of: dict[str, list[Any]] = defaultdict(list)
    for ou in backend.ou:
        if ou.type != "ROOT":
            ous_of[ou.parent_id].append(ou)
    cached = {"key": key, "by_id": by_id, "accounts_of": accounts_of, "ous_of": ous_of}
    backend._bench_index = cached
    return cached


def install() -> None:
    """Patch OrganizationsBackend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.organizations import models
    from moto.organizations.utils import PAGINATION_MODEL
    from moto.utilities.paginator import paginate

    backend_cls = models.OrganizationsBackend
    original_tagging = backend_cls._get_resource_for_tagging
    original_ou = backend_cls.get_organizational_unit_by_id
    original_account = backend_cls.get_account_by_id

    def _get_resource_for_tagging(self: Any, resource_id: str) -> Any:
        found = _index(self)["by_id"].get(resource_id)
        return found if found is not None else original_tagging(self, resource_id)

    def get_organizational_unit_by_id(self: Any, ou_id: str) -> Any:
        found = _index(self)["by_id"].get(ou_id)
        if found is not None and found.type in ("ROOT", "ORGANIZATIONAL_UNIT"):
            return found
        return original_ou(self, ou_id)

    def get_account_by_id(self: Any, account_id: str) -> Any:
        found = _index(self)["by_id"].get(account_id)
        if found is not None and found.type == "ACCOUNT":
            return found
        return original_account(self, account_id)

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_accounts_for_parent(self: Any, parent_id: str) -> list[Any]:
        parent_id = self.validate_parent_id(parent_id)
        return list(_index(self)["accounts_of"].get(parent_id, ()))

    @paginate(pagination_model=PAGINATION_MODEL)
    def list_organizational_units_for_parent(self: Any, parent_id: str) -> list[Any]:
        parent_id = self.validate_parent_id(parent_id)
        return list(_index(self)["ous_of"].get(parent_id, ()))

    backend_cls._get_resource_for_tagging = _get_resource_for_tagging
    backend_cls.get_organizational_unit_by_id = get_organizational_unit_by_id
    backend_cls.get_account_by_id = get_account_by_id
    backend_cls.list_accounts_for_parent = list_accounts_for_parent
    backend_cls.list_organizational_units_for_parent = list_organizational_units_for_parent
    _installed = True
