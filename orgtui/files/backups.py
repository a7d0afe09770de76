"""Tag backups: an account's tags written to a file before AWS deletes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from orgtui import ids
from orgtui.files.paths import tag_backup_dir, write_private
from orgtui.model import iso
from orgtui.text import escape_for_json


def backup_tags(
    org_id: str, account_id: str, tags: Mapping[str, str], *, extra: Mapping[str, Any] = {}
) -> Path:
    """Write the account's tags to `<org-id>/<account-id>-<UTC time>.json`."""
    now = datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%S") + f"{now.microsecond:06d}Z"
    account = ids.checked("account", account_id, "The account id")
    path = tag_backup_dir(org_id) / f"{account}-{stamp}.json"
    payload = {
        "organization_id": org_id,
        "account_id": account_id,
        "backed_up_at": iso(now),
        "tags": dict(tags),
        "restore": "aws organizations tag-resource --resource-id ACCOUNT --tags "
        "Key=...,Value=... (in the account's new organization)",
        **extra,
    }
    # Read by people (cat, an editor): no raw control or bidi character, the data whole.
    text = escape_for_json(json.dumps(payload, indent=2, ensure_ascii=False))
    write_private(path, text + "\n", exclusive=True)
    return path
