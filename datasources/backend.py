"""What the directory needs from a customer-user backend, database or LDAP.

A backend that cannot answer (down, too slow, its breaker open) raises
:class:`BackendUnavailable`. Reads then go on with the other backends and the outage is
reported for the request (:func:`report_unavailable`); the GraphQL layer turns every report
into a top-level ``BACKEND_UNAVAILABLE`` error naming the backend, next to the partial data.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.config import BackendConfigBase
from domain.customer_user_query import CustomerUserQuery
from domain.field_map import MapField
from domain.records import CustomerUserRecord


class BackendUnavailable(Exception):
    """A backend did not answer in time (or its breaker is open)."""

    def __init__(self, backend: str, reason: str) -> None:
        super().__init__(f"Backend {backend!r} is unavailable: {reason}")
        self.backend = backend
        self.reason = reason


class BackendStatus(enum.Enum):
    UP = "UP"
    DOWN = "DOWN"


@dataclass(frozen=True, slots=True)
class BackendHealth:
    status: BackendStatus
    latency_ms: float | None
    last_error: str | None


class CustomerUserBackend(Protocol):
    """One source of customer users, as the directory sees it (read side)."""

    kind: str
    fields: tuple[MapField, ...]

    @property
    def config(self) -> BackendConfigBase: ...

    @property
    def name(self) -> str: ...

    @property
    def read_only(self) -> bool: ...

    async def get_many(self, logins: Sequence[str]) -> dict[str, CustomerUserRecord]:
        """Records by lower-cased login (logins match case-insensitively)."""
        ...

    async def page(
        self, query: CustomerUserQuery, *, after: tuple[object, ...] | None, limit: int
    ) -> list[CustomerUserRecord]: ...

    async def count(self, query: CustomerUserQuery, *, at_most: int | None = None) -> int: ...

    async def listing_cut(self, query: CustomerUserQuery) -> bool:
        """Whether a plain listing (not a search: those the directory caps itself) leaves
        matching users out."""
        ...

    async def logins_by_primary_customer(
        self, customer_ids: Sequence[str], *, valid_only: bool = True
    ) -> dict[str, set[str]]:
        """The logins of the users whose primary customer is one of ``customer_ids``, by
        lower-cased customer ID."""
        ...

    async def health(self) -> BackendHealth: ...

    async def close(self) -> None: ...


_reports: contextvars.ContextVar[list[BackendUnavailable] | None] = contextvars.ContextVar(
    "roster_unavailable_backends", default=None
)


@contextlib.contextmanager
def collect_unavailable() -> Iterator[list[BackendUnavailable]]:
    """Collect the outages met while serving one request (and the tasks it spawns)."""
    reports: list[BackendUnavailable] = []
    token = _reports.set(reports)
    try:
        yield reports
    finally:
        _reports.reset(token)


def report_unavailable(error: BackendUnavailable) -> None:
    reports = _reports.get()
    if reports is not None and all(r.backend != error.backend for r in reports):
        reports.append(error)
