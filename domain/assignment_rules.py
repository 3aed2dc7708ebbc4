"""The rules an assignment's input must meet, checked before anything is written.

The six assignments mirror OTOBO's admin screens (a user's customers, a customer's users, a
user's groups, a group's users, a customer's groups, a group's customers). Unlike OTOBO, every
login, customer and group named must exist (checked by the use case), every permission must be
a configured type, every context a configured one, one target named twice must have the same
permissions both times (``DUPLICATE`` otherwise), a group must be valid to be granted, and one
input names at most :data:`MAX_ITEMS` entries.

Problems name domain fields: ``("grants", "0", "group_id")``, ``("customer_ids", "2")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.assignments import conflicting_duplicates, folded
from domain.config import CustomerGroupConfig
from domain.errors import ErrorCode, Problem
from domain.permissions import OTHER_CONTEXT, SAME_CONTEXT

MAX_ITEMS = 10_000
"""Most entries one assignment may name: a bound on the work a single request can cause."""

GRANTS = "grants"
"""The domain name of a grant assignment's list of entries."""

CONTEXT_VALUES = {"Same": SAME_CONTEXT, "Other": OTHER_CONTEXT}
"""A context as configured and named in the API → as OTOBO stores it."""

K = TypeVar("K", str, int)


@dataclass(frozen=True, slots=True)
class Grant(Generic[K]):
    """One entry of a grant assignment: ``target`` (a group ID, a login or a customer ID) gets
    ``permissions`` (for a customer: in ``context``, ``Same`` or ``Other``)."""

    target: K
    permissions: tuple[str, ...]
    context: str = "Same"


_NOUNS = {"group_id": "Group", "login": "Customer user", "customer_id": "Customer"}


def grant_problems(
    grants: Sequence[Grant[K]],
    target_field: str,
    config: CustomerGroupConfig,
    *,
    contexts: bool,
) -> list[Problem]:
    """Unknown permission types, unknown contexts (when the relation has ``contexts``) and
    contradicting duplicates of ``grants``, whose targets are ``target_field``s, in that
    order."""
    types = config.permission_types
    if (
        not contexts
        and all(p in types for grant in grants for p in grant.permissions)
        and len({(folded(g.target), g.context) for g in grants}) == len(grants)
    ):
        return []  # the usual case (every row of a bulk import): known types, each target once
    problems = _not_configured(
        grants,
        "permissions",
        lambda grant: grant.permissions,
        types,
        ErrorCode.UNKNOWN_PERMISSION,
        lambda permission: (
            f"{permission!r} is not a permission type; configured: {', '.join(types)}."
        ),
    )
    if contexts:
        problems += _not_configured(
            grants,
            "context",
            lambda grant: (grant.context,),
            config.contexts,
            ErrorCode.UNKNOWN_CONTEXT,
            lambda context: f"The {context} context is not configured (customer_group.contexts).",
        )
    return problems + _duplicate_problems(grants, target_field)


def _not_configured(
    grants: Sequence[Grant[K]],
    part: str,
    values: Callable[[Grant[K]], Iterable[str]],
    configured: Sequence[str],
    code: ErrorCode,
    message: Callable[[str], str],
) -> list[Problem]:
    """A problem at ``grants.<i>.<part>`` for every value of an entry that is not
    ``configured``."""
    return [
        Problem((GRANTS, str(i), part), code, message(value))
        for i, grant in enumerate(grants)
        for value in values(grant)
        if value not in configured
    ]


def _duplicate_problems(grants: Sequence[Grant[K]], target_field: str) -> list[Problem]:
    """One input naming the same target (login, customer: case-insensitively; for customers,
    in the same context) twice with different permissions is refused at the later entry: a
    silent union would grant what neither entry says. The same permissions twice is only a
    repetition and is accepted, as a replacement with the same set is idempotent."""
    return [
        Problem(
            (GRANTS, str(index), target_field),
            ErrorCode.DUPLICATE,
            f"{_NOUNS[target_field]} {grants[index].target!r} is named again with other "
            f"permissions than at grants[{first}]; name it once, with every permission it is "
            "to have.",
        )
        for index, first in conflicting_duplicates(
            [(folded(g.target), g.context) for g in grants], [g.permissions for g in grants]
        )
    ]


def group_paths(grants: Sequence[Grant[K]]) -> dict[int, tuple[str, ...]]:
    """Where each group of an input was named, for problems about it (the last entry wins);
    grants to logins or customer IDs name no group."""
    paths: dict[int, tuple[str, ...]] = {}
    for i, grant in enumerate(grants):
        if isinstance(grant.target, int):
            paths[grant.target] = (GRANTS, str(i), "group_id")
    return paths


def inactive_group(field: tuple[str, ...], group_id: int) -> Problem:
    return Problem(
        field,
        ErrorCode.INACTIVE_GROUP,
        f"Group {group_id} is not valid; make it valid before granting it.",
    )


def too_many(field: tuple[str, ...]) -> Problem:
    return Problem(field, ErrorCode.TOO_LONG, f"At most {MAX_ITEMS} entries per assignment.")


def unknown_user(field: tuple[str, ...], login: str) -> Problem:
    return Problem(field, ErrorCode.UNKNOWN_CUSTOMER_USER, f"No customer user {login!r}.")


def unknown_customer(field: tuple[str, ...], customer_id: str) -> Problem:
    return Problem(field, ErrorCode.UNKNOWN_CUSTOMER, f"No customer with ID {customer_id!r}.")


def login_too_long(
    field: tuple[str, ...],
    login: str,
    column: str,
    limit: int,
    *,
    cannot: str = "be assigned there",
) -> Problem:
    """A stored login longer than a column Roster would write it to: a relation table's
    (OTOBO's ``customer_user.login`` holds 191 characters, ``customer_user_customer.user_id``
    and ``group_customer_user.user_id`` only 100), or one that every change of the user
    writes (191: a backend table an admin made with a wider login column holds longer ones).
    Its row could not be stored (PostgreSQL and MariaDB refuse it, SQLite would keep it
    whole), so the write is refused before anything is written; ``cannot`` says what the
    user cannot be or have. A rename to a login that fits (``newLogin``) is the way out.
    ``column`` is ``table.column``; a ``roster_`` table is Roster's own, any other OTOBO's."""
    shown = login if len(login) <= 40 else f"{login[:37]}..."
    owner = "Roster's" if column.startswith("roster_") else "OTOBO's"
    return Problem(
        field,
        ErrorCode.TOO_LONG,
        f"Customer user {shown!r} has a login of {len(login)} characters, but {owner} "
        f"{column} column holds at most {limit} characters, so this customer user cannot "
        f"{cannot}; rename it to a login that fits (newLogin) first.",
    )
