"""What every assignment shares: one generic way through all six.

An assignment names one owner (a customer user, a customer or a group) and the complete set
of its relation rows it wants, as OTOBO's admin screens do. :func:`assign` is the one path:
find the owner (``UNKNOWN_…`` or ``BACKEND_UNAVAILABLE`` at the owner's field), let the
:class:`Assignment` turn the input's entries into wanted rows (finding every target and
checking its own rules; nothing is written while anything is wrong), then replace the owner's
stored rows with them in one transaction under the table's lock, or, with ``dry_run``, only
report the diff. ``customer_assignments`` and ``group_assignments`` declare the six.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.db.links import OwnedRows, RelationTable
from datasources.storage import Storage
from datasources.unit_of_work import Outcome, transaction
from domain.assignment_rules import MAX_ITEMS, too_many, unknown_customer, unknown_user
from domain.assignments import Change, RowT, dedupe_folded, diff, distinct_rows, folded
from domain.audit import relation_events
from domain.errors import Problem
from domain.group_rules import unknown_group
from domain.origins import OriginKey
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from resolvers.context import Actor
from resolvers.use_cases import audit_trail

K = TypeVar("K", str, int)
R = TypeVar("R")
OwnerT = TypeVar("OwnerT")
EntryT = TypeVar("EntryT")


@dataclass(frozen=True)
class Party(Generic[K, R]):
    """One kind of thing relation rows link, as an assignment names it: by its key."""

    field: str
    """The domain name of its key (``login``, ``customer_id``, ``group_id``)."""
    find: Callable[[Storage, Sequence[K]], Awaitable[Mapping[K, R]]]
    """The records of some keys, by folded key (may raise ``BackendUnavailable``)."""
    key_of: Callable[[R], K]
    """A record's own key, spelled as stored."""
    unknown: Callable[[tuple[str, ...], K], Problem]
    origin: Callable[[K], OriginKey]
    """Its origin record's key: an assignment records its owner as changed."""


async def _users(storage: Storage, logins: Sequence[str]) -> Mapping[str, CustomerUserRecord]:
    """``strict``: a login that a backend that is down might hold is refused
    (``BACKEND_UNAVAILABLE``) rather than called unknown."""
    return await storage.customer_users.get_many(logins, strict=True)


async def _customers(storage: Storage, ids: Sequence[str]) -> Mapping[str, CustomerRecord]:
    return await storage.customers.get_many(ids)


async def _groups(storage: Storage, ids: Sequence[int]) -> Mapping[int, GroupRecord]:
    return await storage.groups.get_many(ids)


USERS = Party[str, CustomerUserRecord](
    "login", _users, lambda r: r.login, unknown_user, OriginKey.customer_user
)
CUSTOMERS = Party[str, CustomerRecord](
    "customer_id", _customers, lambda r: r.customer_id, unknown_customer, OriginKey.customer
)
GROUPS = Party[int, GroupRecord](
    "group_id", _groups, lambda r: r.id, unknown_group, OriginKey.group
)


async def find_named(
    storage: Storage,
    party: Party[K, R],
    keys: Sequence[K],
    field: tuple[str, ...],
    item: tuple[str, ...] = (),
    *,
    table: RelationTable[Any] | None = None,
) -> tuple[Mapping[K, R], list[Problem]]:
    """The records ``keys`` name (by folded key) and a problem per unknown key, at ``field``
    + its index (+ ``item``, the key's name, when the list holds objects); with ``table``, the
    relation table the records are to be linked in, also one per customer user whose stored
    login does not fit its login column (``TOO_LONG``, :func:`unfit_login`)."""
    if len(keys) > MAX_ITEMS:
        return {}, [too_many(field)]
    try:
        found = await party.find(storage, dedupe_folded(keys))
    except BackendUnavailable as exc:
        return {}, [unresolvable(field, exc)]
    problems = []
    for i, key in enumerate(keys):
        record = found.get(folded(key))
        path = (*field, str(i), *item)
        if record is None:
            problems.append(party.unknown(path, key))
        elif table is not None and (unfit := unfit_login(table, party, record, path)):
            problems.append(unfit)
    return found, problems


def unfit_login(
    table: RelationTable[Any], party: Party[K, R], record: R, field: tuple[str, ...]
) -> Problem | None:
    """``TOO_LONG`` at ``field`` when ``record`` is a customer user whose stored login is
    longer than ``table``'s login column holds (OTOBO: ``customer_user.login`` 191 characters,
    ``customer_user_customer.user_id`` and ``group_customer_user.user_id`` 100), so a row of
    it could not be stored; None otherwise. The same check (and message) whichever side of
    the assignment names the user."""
    key = party.key_of(record)
    if party.field != "login" or not isinstance(key, str):
        return None
    return table.unfit_login(field, key)


class RowGuard(Protocol[RowT]):
    """What an assignment keeps of, and refuses to add to, an owner's stored rows."""

    def kept(self, current: Sequence[RowT]) -> list[RowT]:
        """Stored rows that stay although the input does not name them."""

    def refused(self, changes: Sequence[Change]) -> list[Problem]:
        """Problems with the changes; any problem and nothing is written."""


class Assignment(abc.ABC, Generic[K, OwnerT, EntryT, RowT]):
    """One of the six assignments: whose rows (``owner``, in ``table``), and how the input's
    entries (``EntryT``) become the wanted rows."""

    owner: Party[K, OwnerT]
    table: RelationTable[RowT]

    @abc.abstractmethod
    async def wanted(
        self, storage: Storage, owner: OwnerT, entries: Sequence[EntryT]
    ) -> tuple[list[RowT], list[Problem]]:
        """The rows ``entries`` want for ``owner``, or the problems with them."""

    async def guard(self, storage: Storage, entries: Sequence[EntryT]) -> RowGuard[RowT] | None:
        """The rules on stored and added rows, if any."""
        return None


async def assign(
    storage: Storage,
    actor: Actor,
    assignment: Assignment[K, OwnerT, EntryT, RowT],
    owner_key: K,
    entries: Sequence[EntryT],
    *,
    dry_run: bool,
) -> Outcome[OwnerT]:
    """Make the rows ``entries`` want the complete set of ``owner_key``'s rows (see the
    module's docstring); the outcome's ``changes`` are the rows added and removed."""
    owner_field = (assignment.owner.field,)
    try:
        found = await assignment.owner.find(storage, [owner_key])
    except BackendUnavailable as exc:
        return Outcome.failed([unresolvable(owner_field, exc)])
    owner = found.get(folded(owner_key))
    if owner is None:
        return Outcome.failed([assignment.owner.unknown(owner_field, owner_key)])
    problems: list[Problem]
    desired, problems = await assignment.wanted(storage, owner, entries)
    # An owner whose login its rows could not store may have none (clearing them is fine).
    unfit = unfit_login(assignment.table, assignment.owner, owner, owner_field)
    if unfit is not None and (desired or problems):
        return Outcome.failed([unfit, *problems])
    if problems:
        return Outcome.failed(problems)
    stored_key = assignment.owner.key_of(owner)
    owned = OwnedRows(assignment.table, owner_field[0], stored_key)
    origin = assignment.owner.origin(stored_key)
    guard = await assignment.guard(storage, entries)
    problems, changes = await _replace(
        storage, actor, owned, origin, desired, guard, dry_run=dry_run
    )
    if problems:
        return Outcome.failed(problems)
    # The set was already the wanted one: a no-op (no row written, no event, no live update).
    return Outcome(record=owner, changes=changes, unchanged=not changes)


async def _replace(
    storage: Storage,
    actor: Actor,
    owned: OwnedRows[RowT],
    origin: OriginKey,
    desired: list[RowT],
    guard: RowGuard[RowT] | None,
    *,
    dry_run: bool,
) -> tuple[list[Problem], list[Change]]:
    """Read the stored set, diff, and (unless a dry run, or ``guard`` refuses) replace it and
    record its owner (``origin``) as changed: all in one transaction under the table's lock."""
    store = storage.groups
    async with store.serialized(owned.table), transaction(storage.engine) as conn:
        current = await store.locked_rows(conn, owned)
        if guard is not None:
            desired = desired + guard.kept(current)
        changes = diff(current, desired)
        problems = guard.refused(changes) if guard is not None else []
        if problems:
            return problems, []
        if changes and not dry_run:
            agent = storage.origins.agent_id
            await store.replace(conn, owned, distinct_rows(desired), agent=agent)
            await storage.origins.record(conn, [origin], actor.id)
            audit_trail.record(conn, actor, relation_events(changes))
    return [], changes
