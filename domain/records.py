"""What the datasources hand upwards: plain, immutable records keyed by OTOBO attribute names."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.field_map import CUSTOMER_ID, EMAIL, VALID_ID
from domain.validity import Validity

_TRAILING_EMAIL = re.compile(r"^(.+?)\s+(\S+@\S+\.\S+)$")


@dataclass(frozen=True, slots=True)
class Audit:
    created_at: datetime | None
    created_by: int | None
    changed_at: datetime | None
    changed_by: int | None


@dataclass(frozen=True, slots=True)
class CustomerUserRecord:
    """One customer user as its backend (``source``) has it; ``values`` never holds a password."""

    source: str
    login: str
    values: Mapping[str, Any]
    name_parts: tuple[Any, ...]
    """The values of the backend's name fields, joined by ``name_join`` into ``full_name``."""
    name_join: str
    list_parts: tuple[Any, ...]
    """The values of the backend's list fields, which make the ``display_name``."""
    audit: Audit

    @property
    def full_name(self) -> str:
        """OTOBO's ``UserFullname``."""
        return join_name(self.name_parts, self.name_join)

    @property
    def display_name(self) -> str:
        """OTOBO's search result string, e.g. ``"Jane Doe" <jane@acme.test>``."""
        return display_string(self.list_parts)

    @property
    def validity(self) -> Validity:
        # A backend without a validity column (OTOBO: no CustomerValid) has only valid users.
        raw = self.values.get(VALID_ID, Validity.VALID.value)
        return Validity.from_id(raw)

    @property
    def customer_id(self) -> str | None:
        value = self.values.get(CUSTOMER_ID)
        return str(value) if value not in (None, "") else None

    @property
    def email(self) -> str | None:
        value = self.values.get(EMAIL)
        return str(value) if value not in (None, "") else None


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer (company) from OTOBO's ``customer_company``."""

    customer_id: str
    name: str
    street: str | None
    zip: str | None
    city: str | None
    country: str | None
    url: str | None
    comment: str | None
    validity: Validity
    audit: Audit
    extra: Mapping[str, Any] = field(default_factory=dict)
    """The values of the company Map's custom rows, by Map attribute (``domain.company_map``)."""


def join_name(parts: Sequence[object], separator: str = " ") -> str:
    """OTOBO's ``UserFullname``: the non-empty name fields joined."""
    return separator.join(str(p) for p in parts if p not in (None, ""))


def display_string(parts: Sequence[object]) -> str:
    """OTOBO's search display string (``CustomerUserListFields``), e.g. ``"John Doe" <j@x.org>``.

    The non-empty parts are joined with a space; a trailing e-mail address is rewritten into
    the mailbox form that autocomplete widgets show (``DB.pm`` ~525-545).
    """
    joined = join_name(parts)
    match = _TRAILING_EMAIL.match(joined)
    if match:
        return f'"{match.group(1)}" <{match.group(2)}>'
    return joined


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """One group from OTOBO's ``groups_table``."""

    id: int
    name: str
    comment: str | None
    validity: Validity
    audit: Audit
