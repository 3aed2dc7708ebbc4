"""Ticket writes: ``ticketSetCustomer``, as OTOBO's ``TicketCustomerSet`` followed by its
``DynamicFieldFromCustomerUser`` event module (reference ``otobo-dynamic-fields-tickets.md``
§1, §3.2).

One transaction: the ticket's ``customer_id``/``customer_user_id`` (with ``change_time`` and
``change_by`` = the configured agent id), a ``CustomerUpdate`` history row, then, when
``[dynamic_field_from_customer_user] enabled``, the mapping's plan for the ticket's customer
user applied (``resolvers.use_cases.customer_data_mapping``) with a
``TicketDynamicFieldUpdate`` history row per field whose value changed. As OTOBO's
``ValueSet``, an entry whose value equals the stored one writes nothing; skipped entries
(invalid or non-Ticket target, a value the field refuses) are reported, not errors.

Where OTOBO's API is looser we are explicit: ``customerId`` left out while ``customerUser``
is given takes the user's primary CustomerID (what OTOBO's agent screen submits); an unknown
customer user is refused (OTOBO stores any string); ``""`` clears a column, as in OTOBO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.db import ticket_writes
from datasources.db.collation_check import ColumnFields
from datasources.db.links import unfit_login
from datasources.db.tables import ticket as ticket_table
from datasources.storage import Storage
from datasources.unit_of_work import Outcome, transaction
from domain.customer_data_mapping import Assignment
from domain.customer_user_rules import CustomerUserChanges
from domain.dynamic_fields import ValueRow
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.records import CustomerUserRecord
from domain.ticket_history import customer_update_name, field_update_name, readable
from domain.tickets import OPEN_STATE_TYPES, TicketRecord
from resolvers.context import Actor
from resolvers.use_cases import customer_data_mapping, customer_users

NUMBER = ("number",)
CUSTOMER_USER = ("customer_user",)
CUSTOMER_ID = ("customer_id",)
TICKET_FIELDS: ColumnFields = {
    ("ticket", "customer_user_id"): [CUSTOMER_USER],
    ("ticket", "customer_id"): [CUSTOMER_ID],
}
"""Which input writes each text column of ``ticketSetCustomer``'s ticket update."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A mapped ticket field that got (or on a dry run would get) a new value."""

    field: str
    value: str | None
    """The new value as OTOBO's history shows it; ``None``: erased."""
    old_value: str | None


@dataclass(frozen=True, slots=True)
class FieldSkip:
    """A mapping entry not applied, and why (OTOBO logs it and goes on)."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class CustomerSet:
    """What ``ticketSetCustomer`` did (on a dry run: would do)."""

    ticket: TicketRecord | None
    """The ticket as now stored (on a dry run: as it is)."""
    customer_id: str | None
    customer_user: str | None
    applied: list[FieldChange] = field(default_factory=list)
    skipped: list[FieldSkip] = field(default_factory=list)


async def set_customer(
    storage: Storage,
    actor: Actor,
    number: str,
    customer_user: str | None,
    customer_id: str | None,
    *,
    dry_run: bool = False,
) -> Outcome[CustomerSet]:
    """Set ticket ``number``'s customer user and/or CustomerID (``None``: unchanged)."""
    if customer_user is None and customer_id is None:
        return Outcome.failed(
            [Problem(CUSTOMER_USER, ErrorCode.REQUIRED, "Give customerUser, customerId or both.")]
        )
    if customer_user:
        user = await storage.customer_users.get(customer_user, strict=True)
        if user is None:
            return Outcome.failed(
                [
                    Problem(
                        CUSTOMER_USER,
                        ErrorCode.UNKNOWN_CUSTOMER_USER,
                        f"No customer user {customer_user!r}.",
                    )
                ]
            )
        customer_user = user.login
        # ticket.customer_user_id is VARCHAR(191), as OTOBO's customer_user.login: only a
        # backend table an admin made with a wider login column holds a login too long for it.
        cannot = "be a ticket's customer user"
        if unfit := unfit_login(
            ticket_table.c.customer_user_id, CUSTOMER_USER, user.login, cannot=cannot
        ):
            return Outcome.failed([unfit])
        if customer_id is None:
            customer_id = user.customer_id or ""
    agent = storage.origins.agent_id
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        async with transaction(storage.engine, TICKET_FIELDS) as conn:
            ticket = await ticket_writes.locked_ticket(conn, number)
            if ticket is None:
                raise ProblemsFound(
                    [Problem(NUMBER, ErrorCode.NOT_FOUND, f"No ticket numbered {number!r}.")]
                )
            login = customer_user if customer_user is not None else ticket.customer_user_id
            plan = await _plan(storage, login)
            applied, history = await _changes(conn, ticket.id, plan)
            skipped = [FieldSkip(a.target, a.reason or "") for a in plan if a.action == "skip"]
            if not dry_run:
                await ticket_writes.set_customer(
                    conn,
                    ticket.id,
                    customer_id=customer_id,
                    customer_user=customer_user,
                    agent=agent,
                    now=now,
                )
                await customer_data_mapping.apply(conn, ticket.id, _changed(plan, applied))
                entries = [("CustomerUpdate", customer_update_name(customer_id, customer_user))]
                await ticket_writes.add_history(
                    conn, ticket, [*entries, *history], agent=agent, now=now
                )
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    record = (await storage.tickets.by_numbers([number])).get(number)
    return Outcome(
        record=CustomerSet(
            ticket=record,
            customer_id=customer_id,
            customer_user=customer_user,
            applied=applied,
            skipped=skipped,
        )
    )


async def _plan(storage: Storage, login: str | None) -> list[Assignment]:
    """The mapping's assignments when the module is enabled (else none)."""
    if not storage.config.dynamic_field_from_customer_user.enabled:
        return []
    return await customer_data_mapping.plan_for(storage, login or None)


async def _changes(
    conn: AsyncConnection, ticket_id: int, plan: Sequence[Assignment]
) -> tuple[list[FieldChange], list[tuple[str, str]]]:
    """The set/erase entries whose rows differ from the stored ones (OTOBO's
    ``ValueIsDifferent``; a later entry for the same field sees the earlier one's rows), and
    the ``TicketDynamicFieldUpdate`` history entries they make."""
    written = [a for a in plan if a.action != "skip" and a.field_id is not None]
    field_ids = [a.field_id for a in written if a.field_id is not None]
    current = dict(await ticket_writes.field_rows(conn, ticket_id, field_ids))
    changes: list[FieldChange] = []
    history: list[tuple[str, str]] = []
    for assignment in written:
        assert assignment.field_id is not None
        old = current.get(assignment.field_id, [])
        new = list(assignment.rows)
        if old == new:
            continue
        current[assignment.field_id] = new
        value, old_value = readable(new), readable(old)
        changes.append(
            FieldChange(assignment.target, value if new else None, old_value if old else None)
        )
        history.append(
            ("TicketDynamicFieldUpdate", field_update_name(assignment.target, value, old_value))
        )
    return changes, history


def _changed(plan: Sequence[Assignment], changes: Sequence[FieldChange]) -> list[Assignment]:
    """The plan's entries that change something, in order: the last entry per changed
    field decides its rows, as in OTOBO."""
    targets = {c.field for c in changes}
    return [a for a in plan if a.action != "skip" and a.target in targets]


MAX_REFRESH = 10_000
"""The most tickets one ``ticketsRefreshCustomerData`` call refreshes; more is ``TOO_LONG``
(OTOBO's own CustomerUser update module stops at 100,000 without saying so)."""
REFRESH_BATCH = 500
"""Tickets per transaction of a refresh: a long refresh never holds one huge transaction."""


@dataclass(frozen=True, slots=True)
class Refresh:
    """What ``ticketsRefreshCustomerData`` did (on a dry run: would do)."""

    matched: int
    changed_tickets: int
    changed_values: int
    skipped: list[FieldSkip] = field(default_factory=list)


async def refresh_customer_data(
    storage: Storage,
    actor: Actor,
    customer_user: str | None,
    numbers: Sequence[str] | None,
    *,
    only_open: bool = False,
    dry_run: bool = False,
) -> Outcome[Refresh]:
    """Re-apply the ``DynamicFieldFromCustomerUser`` mapping to the tickets of a customer user
    or to the tickets numbered, each with its own customer user's data, in batches of
    :data:`REFRESH_BATCH` tickets, one transaction each (a batch is complete or absent)."""
    if (customer_user is None) == (numbers is None):
        return Outcome.failed(
            [Problem(CUSTOMER_USER, ErrorCode.REQUIRED, "Give customerUser or numbers, not both.")]
        )
    if not storage.config.dynamic_field_from_customer_user.enabled:
        return Outcome.failed(
            [
                Problem(
                    CUSTOMER_USER,
                    ErrorCode.INVALID,
                    "[dynamic_field_from_customer_user] is not enabled.",
                )
            ]
        )
    if numbers is not None and len(set(numbers)) > MAX_REFRESH:
        return Outcome.failed([_too_many(("numbers",))])
    state_types = OPEN_STATE_TYPES if only_open else None
    async with storage.engine.connect() as conn:
        tickets = await ticket_writes.tickets_to_refresh(
            conn,
            login=customer_user,
            numbers=list(dict.fromkeys(numbers)) if numbers is not None else None,
            state_types=state_types,
            limit=MAX_REFRESH + 1,
        )
    if len(tickets) > MAX_REFRESH:
        return Outcome.failed([_too_many(CUSTOMER_USER)])
    plans: dict[str, list[Assignment]] = {}
    for login in {(t.customer_user_id or "").lower(): t.customer_user_id for t in tickets}.values():
        plans[(login or "").lower()] = await customer_data_mapping.plan_for(storage, login or None)
    skipped: dict[str, FieldSkip] = {}
    for plan in plans.values():
        for a in plan:
            if a.action == "skip":
                skipped.setdefault(a.target, FieldSkip(a.target, a.reason or ""))
    agent = storage.origins.agent_id
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    changed_tickets = changed_values = 0
    for start in range(0, len(tickets), REFRESH_BATCH):
        batch = tickets[start : start + REFRESH_BATCH]
        async with transaction(storage.engine) as conn:
            tickets_done, values_done = await _refresh_batch(
                conn, batch, plans, agent=agent, now=now, dry_run=dry_run
            )
        changed_tickets += tickets_done
        changed_values += values_done
    return Outcome(
        record=Refresh(
            matched=len(tickets),
            changed_tickets=changed_tickets,
            changed_values=changed_values,
            skipped=list(skipped.values()),
        )
    )


async def _refresh_batch(
    conn: AsyncConnection,
    batch: Sequence[ticket_writes.TicketRow],
    plans: dict[str, list[Assignment]],
    *,
    agent: int,
    now: datetime,
    dry_run: bool,
) -> tuple[int, int]:
    """One batch: the changed values written, a ``TicketDynamicFieldUpdate`` row each, the
    changed tickets' ``change_time``; (changed tickets, changed values)."""
    field_ids = {
        a.field_id
        for plan in plans.values()
        for a in plan
        if a.action != "skip" and a.field_id is not None
    }
    current = await ticket_writes.values_of(conn, [t.id for t in batch], sorted(field_ids))
    writes: dict[tuple[int, int], list[ValueRow]] = {}
    history: list[tuple[ticket_writes.TicketRow, str, str]] = []
    changed: list[int] = []
    for ticket in batch:
        plan = plans[(ticket.customer_user_id or "").lower()]
        before = len(history)
        for a in plan:
            if a.action == "skip" or a.field_id is None:
                continue
            key = (ticket.id, a.field_id)
            old = writes.get(key, current.get(key, []))
            new = list(a.rows)
            if old == new:
                continue
            writes[key] = new
            name = field_update_name(a.target, readable(new), readable(old))
            history.append((ticket, "TicketDynamicFieldUpdate", name))
        if len(history) > before:
            changed.append(ticket.id)
    if not dry_run:
        await ticket_writes.replace_values(conn, writes)
        await ticket_writes.add_histories(conn, history, agent=agent, now=now)
        await ticket_writes.touch(conn, changed, agent=agent, now=now)
    return len(changed), len(history)


def _too_many(field_: tuple[str, ...]) -> Problem:
    return Problem(
        field_,
        ErrorCode.TOO_LONG,
        f"More than {MAX_REFRESH} tickets; refresh them in parts (by numbers).",
    )


REFRESH_FLAG = ("refresh_tickets_on_change",)


async def update_user_and_refresh(
    storage: Storage,
    actor: Actor,
    login: str,
    change: CustomerUserChanges,
    *,
    refresh: bool,
) -> Outcome[CustomerUserRecord]:
    """``customerUserUpdate`` with ``refreshTicketsOnChange``: the user's update, then (after
    it committed) :func:`refresh_customer_data` of the user's open tickets, so they follow the
    changed data.

    The open tickets are counted *before* anything is written: more than
    :data:`MAX_REFRESH` refuses the whole change with ``TOO_LONG`` and the user stays as it
    was (a refresh refused after the update would leave the user changed and the tickets not).
    Tickets the user gains between the count and the refresh can still push it over the cap;
    then the update stays and the refresh's ``TOO_LONG`` is reported beside the user. A rename
    carries the tickets themselves inside the update (``customer_users.update``)."""
    if refresh and not storage.config.dynamic_field_from_customer_user.enabled:
        return Outcome.failed(
            [
                Problem(
                    REFRESH_FLAG,
                    ErrorCode.INVALID,
                    "[dynamic_field_from_customer_user] is not enabled.",
                )
            ]
        )
    if refresh:
        logins = [login] if not isinstance(change.new_login, str) else [login, change.new_login]
        async with storage.engine.connect() as conn:
            count = await ticket_writes.count_of(conn, logins, OPEN_STATE_TYPES, MAX_REFRESH + 1)
        if count > MAX_REFRESH:
            message = (
                f"The user has more than {MAX_REFRESH} open tickets; nothing was changed. "
                "Update without refreshTicketsOnChange, then refresh them in parts (by numbers)."
            )
            return Outcome.failed([Problem(REFRESH_FLAG, ErrorCode.TOO_LONG, message)])
    outcome = await customer_users.update(storage, actor, login, change)
    if not refresh or outcome.record is None:
        return outcome
    refreshed = await refresh_customer_data(
        storage, actor, outcome.record.login, None, only_open=True
    )
    for problem in refreshed.problems:
        outcome.problems.append(Problem(REFRESH_FLAG, problem.code, problem.message))
    return outcome
