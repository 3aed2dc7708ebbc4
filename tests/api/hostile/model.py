"""What the generator starts from (``Seeds``, valid values of the seeded data) and what it
produces (``HostileRequest``), with ``compact`` to show a long request or answer briefly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Seeds:
    """Valid values of the data the test created: what hostile requests start from."""

    logins: list[str]
    emails: list[str]
    customer_ids: list[str]
    group_ids: list[int]
    group_names: list[str]
    service_ids: list[int]
    service_names: list[str]
    node_ids: list[str]
    cursors: dict[str, list[str]] = field(default_factory=dict)
    """Real cursors by paginated field (``Query.groups``, ``Group.customerUsers`` …)."""


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileRequest:
    category: str
    label: str
    key: str | None  # "admin", "read", or None (no Authorization header)
    body: bytes
    content_type: str | None = "application/json"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    secrets: tuple[str, ...] = ()
    """Values (passwords) that must never come back in a response."""
    expect_json: bool = True
    expect_error: bool = False
    """GraphQL itself requires an error here (e.g. several operations and no operationName)."""

    def describe(self, limit: int = 700) -> str:
        extra = f" headers={list(self.headers)}" if self.headers else ""
        ctype = f" content-type={self.content_type!r}" if self.content_type else " no-content-type"
        return (
            f"[{self.category}/{self.label}] {self.method} key={self.key}{ctype}{extra} "
            f"body={compact(self.body.decode('utf-8', 'backslashreplace'), limit)}"
        )


_RUN = re.compile(r"(.{1,4}?)\1{15,}", re.DOTALL)


def compact(text: str, limit: int = 700) -> str:
    """Long repetitions as ``(xyz)xN`` and the whole cut at ``limit`` characters."""

    def fold(match: re.Match[str]) -> str:
        unit = match.group(1)
        return f"({unit})x{len(match.group(0)) // len(unit)}"

    folded = _RUN.sub(fold, text)
    return folded if len(folded) <= limit else folded[:limit] + f"…(+{len(folded) - limit})"
