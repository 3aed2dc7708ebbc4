"""Who may use which service: a customer user's services, a service's customer users and the
default services, each replaced as a complete set (as OTOBO's admin screens do).

A set is checked before anything is written, and only what is being added must exist and be
valid, so re-saving a set never fails on what is already there. The default services are the
rows of the pseudo-login ``<DEFAULT>``: they are set only through
:func:`set_default_services`, never as a customer user's.

As every assignment (``resolvers.use_cases.assignments``), each returns its owner as the
outcome's record and the rows added and removed as its ``changes``: the payload's
``changes`` and the live update (``resolvers.live.publish``: the objects on either side of
each row) are made from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.db.links import unfit_login
from datasources.db.tables import service_customer_user
from datasources.storage import Storage
from datasources.unit_of_work import Outcome
from domain.assignments import Change, UserServiceRow, changes_of, dedupe_folded
from domain.audit import default_service_events, relation_events
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.origins import OriginKey
from domain.records import CustomerUserRecord
from domain.services import (
    DEFAULT_LOGIN,
    ServiceRecord,
    can_be_assigned,
    inactive_problem,
    is_reserved_login,
    listed,
    replacement,
    too_many,
    unknown_service,
)
from resolvers.context import Actor
from resolvers.use_cases import audit_trail
from resolvers.use_cases.services import SERVICE_ID, writing

LOGIN = ("login",)
LOGIN_COLUMN = service_customer_user.c.customer_user_login
"""OTOBO's VARCHAR(191), as long as ``customer_user.login``: only a login of a table an admin
made wider could fail to fit."""
LOGINS = ("logins",)
SERVICE_IDS = ("service_ids",)


async def set_services_of(
    storage: Storage, actor: Actor, login: str, service_ids: Sequence[int], *, dry_run: bool
) -> Outcome[CustomerUserRecord]:
    """Make ``service_ids`` the complete set of ``login``'s own services."""
    if is_reserved_login(login):
        return Outcome.failed(
            [
                Problem(
                    LOGIN,
                    ErrorCode.RESERVED,
                    f"{login!r} names the default services; use defaultServicesSet.",
                )
            ]
        )
    try:
        user = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable as exc:
        return Outcome.failed([unresolvable(LOGIN, exc)])
    if user is None:
        return Outcome.failed([Problem(LOGIN, ErrorCode.NOT_FOUND, f"No such user {login!r}.")])
    if service_ids and (unfit := unfit_login(LOGIN_COLUMN, LOGIN, user.login)):
        return Outcome.failed([unfit])
    try:
        changes = await _replace_services(storage, actor, user.login, service_ids, dry_run=dry_run)
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    return Outcome(record=user, changes=changes, unchanged=not changes)


async def set_default_services(
    storage: Storage, actor: Actor, service_ids: Sequence[int], *, dry_run: bool
) -> Outcome[list[ServiceRecord]]:
    """Make ``service_ids`` the default services (the ``<DEFAULT>`` rows); the record is the
    default services after it. (No one object: its live update names each service that
    became or stopped being a default, as its events do.)"""
    try:
        changes = await _replace_services(
            storage, actor, DEFAULT_LOGIN, service_ids, dry_run=dry_run
        )
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    defaults = await storage.services.assigned_to([DEFAULT_LOGIN])
    record = defaults.get(DEFAULT_LOGIN.lower(), [])
    return Outcome(record=record, changes=changes, unchanged=not changes)


async def _replace_services(
    storage: Storage, actor: Actor, login: str, service_ids: Sequence[int], *, dry_run: bool
) -> list[Change]:
    """Replace the service set of ``login`` (a user's or ``<DEFAULT>``): the rows added and
    removed (on a dry run: that would be)."""
    wanted = list(dict.fromkeys(service_ids))
    problem = too_many(len(wanted), field=SERVICE_IDS)
    if problem:
        raise ProblemsFound([problem])
    store = storage.services
    async with writing(storage) as conn:
        change = replacement(await store.service_ids_of(conn, login), wanted)
        found = await store.get_many(change.added, conn)
        unknown = [i for i in change.added if i not in found]
        inactive = [found[i] for i in change.added if i in found and not can_be_assigned(found[i])]
        problems = []
        if unknown:
            problems.append(
                Problem(
                    SERVICE_IDS, ErrorCode.UNKNOWN_SERVICE, f"No service with id {listed(unknown)}."
                )
            )
        if inactive:
            problems.append(inactive_problem(inactive, SERVICE_IDS))
        if problems:
            raise ProblemsFound(problems)
        changed = changes_of(
            [UserServiceRow(login, i) for i in change.added],
            [UserServiceRow(login, i) for i in change.removed],
        )
        if not dry_run and changed:
            await store.remove_services_of(conn, login, change.removed)
            rows = [(login, i) for i in change.added]
            await store.add_rows(conn, rows, agent=storage.origins.agent_id)
            if not is_reserved_login(login):  # the defaults are no object of their own
                await storage.origins.record(conn, [OriginKey.customer_user(login)], actor.id)
                audit_trail.record(conn, actor, relation_events(changed))
            else:
                events = default_service_events(change.added, change.removed)
                audit_trail.record(conn, actor, events)
    return changed


async def set_customer_users_of(
    storage: Storage, actor: Actor, service_id: int, logins: Sequence[str], *, dry_run: bool
) -> Outcome[ServiceRecord]:
    """Make ``logins`` the complete set of customer users assigned to the service (the
    default-services row of the service is not one of them and stays as it is)."""
    if any(is_reserved_login(login) for login in logins):
        return Outcome.failed(
            [
                Problem(
                    LOGINS,
                    ErrorCode.RESERVED,
                    f"{DEFAULT_LOGIN!r} is not a customer user; use defaultServicesSet.",
                )
            ]
        )
    wanted = dedupe_folded(logins)
    problem = too_many(len(wanted), field=LOGINS)
    if problem:
        return Outcome.failed([problem])
    store = storage.services
    try:
        async with writing(storage) as conn:
            record = await store.get(service_id, conn)
            if record is None:
                raise ProblemsFound([unknown_service(service_id, SERVICE_ID)])
            current = await store.logins_of(conn, service_id)
            change = replacement(list(current), [login.lower() for login in wanted])
            spelled = {login.lower(): login for login in wanted}
            users = await _users(storage, [spelled[k] for k in change.added])
            added = [users[k].login for k in change.added if k in users]
            removed = [current[k] for k in change.removed]
            _check_members(record, [spelled[k] for k in change.added if k not in users], added)
            _check_fit(logins, {k: users[k] for k in change.added if k in users})
            changes = changes_of(
                [UserServiceRow(u, service_id) for u in added],
                [UserServiceRow(u, service_id) for u in removed],
            )
            if not dry_run and changes:
                await store.remove_logins_of(conn, service_id, removed)
                rows = [(u, service_id) for u in added]
                await store.add_rows(conn, rows, agent=storage.origins.agent_id)
                await storage.origins.record(conn, [OriginKey.service(service_id)], actor.id)
                audit_trail.record(conn, actor, relation_events(changes))
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    return Outcome(record=record, changes=changes, unchanged=not changes)


async def _users(storage: Storage, logins: Sequence[str]) -> dict[str, CustomerUserRecord]:
    """The users being added (only those: removing a login needs no backend); with a
    backend down that might hold one, the replacement is refused, not half-judged."""
    try:
        return await storage.customer_users.get_many(logins, strict=True)
    except BackendUnavailable as exc:
        raise ProblemsFound([unresolvable(LOGINS, exc)]) from None


def _check_fit(logins: Sequence[str], added: Mapping[str, CustomerUserRecord]) -> None:
    """Every user being added (by folded login) has a login its rows can store; a problem
    names the login's first place in ``logins``, the input."""
    index = {login.lower(): i for i, login in reversed(list(enumerate(logins)))}
    problems = [
        unfit
        for key, user in added.items()
        if (unfit := unfit_login(LOGIN_COLUMN, (*LOGINS, str(index[key])), user.login))
    ]
    if problems:
        raise ProblemsFound(problems)


def _check_members(record: ServiceRecord, unknown: list[str], added: list[str]) -> None:
    """Every login being added names a customer user, and the service may take new ones."""
    problems = []
    if unknown:
        problems.append(
            Problem(
                LOGINS,
                ErrorCode.UNKNOWN_CUSTOMER_USER,
                f"No customer user with login {listed(unknown)}.",
            )
        )
    if added and not can_be_assigned(record):
        problems.append(inactive_problem([record], SERVICE_ID))
    if problems:
        raise ProblemsFound(problems)
