"""What a customer-user listing or search asks for, as pure data.

OTOBO's ``CustomerSearch`` takes exactly one criterion (Search > PostMasterSearch > UserLogin >
CustomerID > CustomerIDRaw); an API client wants to combine them, so every given criterion
here narrows the result (AND). The semantics of each one are OTOBO's (§3.2-3.5 of the
reference).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.field_map import CUSTOMER_ID, EMAIL, LAST_NAME
from domain.records import CustomerUserRecord
from domain.search_grammar import Pattern, parse_pattern


class SortField(enum.Enum):
    LOGIN = "login"
    LAST_NAME = "last_name"
    EMAIL = "email"
    CUSTOMER_ID = "customer_id"
    CHANGED_AT = "changed_at"


@dataclass(frozen=True, slots=True)
class Ordering:
    field: SortField = SortField.LOGIN
    descending: bool = False

    @property
    def name(self) -> str:
        """Identifies the ordering inside cursors, e.g. ``last_name:desc``."""
        return f"{self.field.value}:{'desc' if self.descending else 'asc'}"


@dataclass(frozen=True, slots=True)
class CustomerUserQuery:
    """Criteria for ``customerUsers``; ``None`` means "not given"."""

    search: str | None = None
    """OTOBO's free-text ``Search``, unparsed: each backend applies its own prefix/suffix."""
    login: Pattern | None = None
    """OTOBO's ``UserLogin`` on the DB backend: a substring match with ``*`` wildcards."""
    email: str | None = None
    """OTOBO's ``PostMasterSearch``: exact, case-insensitive, over the postmaster fields."""
    customer_id: Pattern | None = None
    """OTOBO's ``CustomerID``: explicit ``*`` wildcards only, no implicit prefix/suffix."""
    customer_id_exact: str | None = None
    """OTOBO's ``CustomerIDRaw``: exact; ``*`` is literal."""
    valid_only: bool = True
    ordering: Ordering = Ordering()

    @property
    def is_search(self) -> bool:
        """A search (any criterion) is capped at the list limit; a plain listing is not."""
        return any(
            value is not None
            for value in (
                self.search,
                self.login,
                self.email,
                self.customer_id,
                self.customer_id_exact,
            )
        )


_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def record_sort_key(record: CustomerUserRecord, ordering: Ordering) -> tuple[str, ...]:
    """The sort key of ``record`` as the database orders it: (value, login) or (login,).

    Text compares by code point (as ``COLLATE "C"``); a missing value sorts as ``""``;
    timestamps are written with fixed width so their text order is their time order.
    """
    field = ordering.field
    if field is SortField.LOGIN:
        return (record.login,)
    if field is SortField.CHANGED_AT:
        changed = record.audit.changed_at
        return (changed.strftime(_TIME_FORMAT) if changed else "", record.login)
    attribute = {
        SortField.LAST_NAME: LAST_NAME,
        SortField.EMAIL: EMAIL,
        SortField.CUSTOMER_ID: CUSTOMER_ID,
    }[field]
    value = record.values.get(attribute)
    return ("" if value is None else str(value), record.login)


def sort_key_values(ordering: Ordering, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """A cursor's key as database values (timestamps back to ``datetime``).

    Raises ``ValueError`` for a key that does not fit the ordering (a cursor from another
    ordering), which the caller reports as a bad cursor.
    """
    expected = 1 if ordering.field is SortField.LOGIN else 2
    if len(key) != expected or not all(isinstance(k, str) for k in key):
        raise ValueError("cursor does not match the ordering")
    if ordering.field is SortField.CHANGED_AT:
        return (datetime.strptime(key[0], _TIME_FORMAT), key[1])
    return key


def login_pattern(value: str) -> Pattern:
    """OTOBO wraps a UserLogin search in ``%…%``: ``jo`` finds ``john`` and ``bjorn``."""
    return parse_pattern(f"*{value}*")
