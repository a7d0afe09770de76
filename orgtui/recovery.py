"""Who can still get into an account after it leaves: what AWS Account Management says of
its root email, contact information and alternate contacts (read by
orgtui/aws/readers/account.py), and what is missing of it. Pure data, no AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ALTERNATE_TYPES = ("BILLING", "OPERATIONS", "SECURITY")
TRUSTED_PRINCIPAL = "account.amazonaws.com"


@dataclass(frozen=True)
class Contact:
    """An alternate contact as AWS has it."""

    name: str
    email: str
    phone: str = ""
    title: str = ""


@dataclass(frozen=True)
class Recovery:
    """One account's ways back in. `alternates` maps each type to its contact, or None
    when it is not set (AWS answers ResourceNotFoundException)."""

    account_id: str
    root_email: str = ""
    phone: str = ""
    contact_name: str = ""
    alternates: Mapping[str, Contact | None] = field(default_factory=dict)
    # Created through Organizations: its root password was never set (a reset by email
    # is the only way in as root).
    created: bool = False

    @property
    def missing(self) -> list[str]:
        """What RECOVERY_CONTACTS_MISSING names: no phone, or the alternate contacts not set."""
        out = [] if self.phone else ["phone number"]
        out += [
            f"{kind.lower()} contact"
            for kind in ALTERNATE_TYPES
            if self.alternates.get(kind) is None
        ]
        return out
