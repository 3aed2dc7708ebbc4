"""Customer-user writes: create, update (a patch, perhaps a rename) and set a password.

Every write is decided here, in one order: the directory says which backend it goes to (a
create to the named or first writable one, a change to the user's own), the Map's rules check
the values (``domain.customer_user_rules``), the login must be free in every backend
(case-insensitively; with a backend down that is unknowable, so the write is refused), the
password passes the policy (``domain.password_policy``: every rule, then the history), is
hashed (slow on purpose, so only once the input is valid), and one transaction checks e-mail
uniqueness and the primary customer and writes, with the password's history entry and OTOBO's
``UserLastPwChangeTime``. A rename carries the user's relation rows in that same transaction,
and a new login or primary CustomerID carries the user's tickets (OTOBO's ``2300-UpdateTickets``:
``ticket_writes.carry_customer_user``).
A password change, a rename and a validity other than valid end the user's customer sessions
in that transaction too (``customer_sessions``).

**Which field a problem names** (the one rule of this area): the part of the change that is
wrong. A Map value by its Map attribute: ``("UserEmail",)``, ``("UserCustomerID",)``, and
a create's login ``("UserLogin",)``. Anything else by its Python name: ``("login",)`` the user
an update or a password change names, ``("new_login",)`` an update's new login,
``("password",)``, ``("source",)`` the backend a create names. ``()`` the change as a whole.
The schema maps Map attributes to their GraphQL names (``schema.customer_user``).
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from datasources.backend import BackendUnavailable
from datasources.customer_user_directory import unresolvable
from datasources.db import password_history, ticket_writes
from datasources.db.collation_check import taken_by_collation_twin
from datasources.db.customer_users import DbCustomerUserBackend, carry_login
from datasources.db.links import unfit_login
from datasources.db.sign_in_attempts import SignInAttemptStore
from datasources.db.tables import CHANGE_KEY
from datasources.storage import Storage
from datasources.unit_of_work import NothingChanged, Outcome, transaction
from domain.audit import Action, AuditEvent, customer_user_values, event
from domain.customer_user_rules import (
    PASSWORD,
    CustomerUserChanges,
    NewCustomerUser,
    changed_values,
    normalize_values,
    patch_problems,
    validate_values,
)
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID
from domain.lockout import login_subject
from domain.origins import OriginKey
from domain.password_policy import (
    CHANGE_TIME_KEY,
    change_time_value,
    generate_for,
    history_hash,
    in_otobo_history,
    is_reused,
    otobo_history_keys,
    policy_problems,
    reused_problem,
)
from domain.passwords import hash_password, in_hashing_thread
from domain.records import CustomerRecord, CustomerUserRecord
from domain.validity import Validity
from resolvers.context import Actor
from resolvers.use_cases import audit_trail, dynamic_fields

USER = ("login",)
"""The user an update or a password change names."""
LOGIN_VALUE = (LOGIN,)
"""A create's login: a Map value."""
NEW_LOGIN = ("new_login",)
"""An update's new login (``CustomerUserChanges.new_login``)."""
VALID = Validity.VALID.value


async def create(
    storage: Storage, actor: Actor, change: NewCustomerUser
) -> Outcome[CustomerUserRecord]:
    """A new user in ``change.source`` (or the first writable backend); with no password
    given one is generated and returned once in the outcome."""
    backend = storage.customer_users.writable_backend(change.source)
    if isinstance(backend, Problem):
        return Outcome.failed([backend])
    values = normalize_values(change.values)
    problems = validate_values(backend.rules, values, creating=True, email_must_be_checked=True)
    login = values.get(LOGIN)
    if isinstance(login, str) and not any(p.field == LOGIN_VALUE for p in problems):
        problems += await _login_taken(storage, login, own_login=None, field=LOGIN_VALUE)
    problems += password_problems(storage, change.password)
    df_values, df_problems = await dynamic_fields.checked_rows(storage, change.dynamic_fields)
    problems += df_problems
    if problems:
        return Outcome.failed(problems)
    hashed = await hash_new_password(storage, change.password)
    fields = {**backend.input_fields, **dynamic_fields.input_fields(df_values)}
    try:
        async with transaction(backend.engine, fields) as conn:
            spelled = await _check_in_transaction(
                storage, conn, backend, values, email=values.get(EMAIL), old=None
            )
            await backend.insert(
                conn, spelled, password_hash=hashed.stored, agent=storage.origins.agent_id
            )
            await record_password(storage, conn, str(login), hashed, self_service=False, new=True)
            await dynamic_fields.write(conn, spelled.get(LOGIN, str(login)), df_values.rows)
            key = OriginKey.customer_user(str(login))
            await storage.origins.record(conn, [key], actor.id, created=True)
            after = customer_user_values({**spelled, **dynamic_fields.created(df_values)})
            created = event(key, str(login), Action.CREATED, after=after)
            audit_trail.record(conn, actor, [created])
    except ProblemsFound as exc:
        return Outcome.failed(exc.problems)
    except sa.exc.IntegrityError:
        return Outcome.failed(await _conflict(storage, backend, str(login), field=LOGIN_VALUE))
    record = await storage.customer_users.get(str(login))
    return Outcome(record=record, generated_password=hashed.generated)


async def update(
    storage: Storage, actor: Actor, login: str, change: CustomerUserChanges
) -> Outcome[CustomerUserRecord]:
    """Patch user ``login`` in its own backend; ``change.new_login`` renames it, and its
    relation rows (customers, groups, services), dynamic-field values and tickets follow in
    the same transaction (tickets also follow a new primary CustomerID, as in OTOBO).

    The values are checked as given, and only those that differ from the stored user's are
    written (``changed_values``), as an import row writes them. An update that changes
    nothing is a no-op (:func:`_unchanged`): no row written, no ``change_time``, no event,
    no live update, and the user as it is."""
    found = await _own_writable_backend(storage, login)
    if isinstance(found, Problem):
        return Outcome.failed([found])
    old, backend = found
    given = normalize_values(change.patch())
    if LOGIN not in given and (unfit := unchangeable(old.login, USER)):
        return Outcome.failed([unfit])
    problems = [_as_new_login(p) for p in patch_problems(backend.rules, old.values, given)]
    new_login = str(given.get(LOGIN, old.login))
    if not problems:
        problems = await _login_taken(storage, new_login, own_login=old.login, field=NEW_LOGIN)
    df_values, df_problems = await dynamic_fields.checked_rows(storage, change.dynamic_fields)
    problems += df_problems
    if problems:
        return Outcome.failed(problems)
    patch = changed_values(old.values, old.login, given)
    if not patch and not df_values.rows:
        return await _unchanged(storage, backend, old, given)
    fields = {**backend.input_fields, **dynamic_fields.input_fields(df_values)}
    try:
        async with transaction(backend.engine, fields) as conn:
            email = patch.get(EMAIL, old.values.get(EMAIL))
            patch = await _check_in_transaction(storage, conn, backend, patch, email=email, old=old)
            await backend.update(conn, old.login, patch, agent=storage.origins.agent_id)
            new_key = OriginKey.customer_user(new_login)
            await ticket_writes.carry_customer_user(
                conn,
                old_login=old.login,
                new_login=new_login,
                old_customer_id=old.customer_id,
                new_customer_id=patch.get(CUSTOMER_ID, old.customer_id),
                agent=storage.origins.agent_id,
                now=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            )
            if new_login != old.login:
                await carry_login(conn, old.login, new_login)
                await storage.origins.carry(conn, OriginKey.customer_user(old.login), new_key)
                await storage.dynamic_fields.rename_customer_user(conn, old.login, new_login)
            df_changed = await dynamic_fields.replace(conn, new_login, df_values)
            before = customer_user_values({**old.values, LOGIN: old.login, **df_changed.before})
            after = customer_user_values({**patch, **df_changed.after})
            changed = event(new_key, new_login, Action.UPDATED, before, after)
            if not changed.fields:  # the dynamic-field values given were the stored ones
                raise NothingChanged
            await storage.origins.record(conn, [new_key], actor.id)
            audit_trail.record(conn, actor, [changed])
            await after_update(storage, conn, old.login, new_login, given)
    except NothingChanged:
        return await _unchanged(storage, backend, old, given)
    except ProblemsFound as exc:
        return Outcome.failed([_as_new_login(p) for p in exc.problems])
    except sa.exc.IntegrityError:
        problems = await _conflict(
            storage, backend, new_login, field=NEW_LOGIN, own_login=old.login
        )
        return Outcome.failed(problems)
    return Outcome(record=await storage.customer_users.get(new_login), found_key=old.login)


async def _unchanged(
    storage: Storage,
    backend: DbCustomerUserBackend,
    old: CustomerUserRecord,
    given: dict[str, Any],
) -> Outcome[CustomerUserRecord]:
    """An update that changes none of the user's values, as an unchanged import row: the
    user's row keeps its ``change_time``/``change_by``, no event is recorded and no live
    update published, and the answer is the user as it is (a success). What a given validity
    orders beyond the row still happens (:func:`after_update`): ``validity: VALID`` on a
    valid user is how an admin ends a timed sign-in hold, and a validity other than valid
    ends the user's sessions."""
    if VALID_ID in given:
        async with transaction(backend.engine) as conn:
            await after_update(storage, conn, old.login, old.login, given)
    return Outcome(record=old, unchanged=True)


async def set_password(
    storage: Storage,
    actor: Actor,
    login: str,
    password: str | None,
    *,
    self_service: bool = False,
) -> Outcome[CustomerUserRecord]:
    """Set user ``login``'s password; ``None`` or empty generates one, returned once.

    The password policy applies (``domain.password_policy``: its rules, then the history). An
    admin's change (``self_service`` False) deletes OTOBO's ``UserLastPwChangeTime``, so with
    ``[passwords] max_valid_days`` set the user must change it at the next sign-in, as in
    OTOBO; the user's own change (``meSetPassword``, the renewal of an expired password at
    sign-in) sets it to now, and must give a password (nothing is generated).
    """
    found = await _own_writable_backend(storage, login)
    if isinstance(found, Problem):
        return Outcome.failed([found])
    record, backend = found
    if unfit := unchangeable(record.login, USER):
        return Outcome.failed([unfit])
    if self_service and not password:
        return Outcome.failed([Problem(PASSWORD, ErrorCode.REQUIRED, "Give the new password.")])
    problems = password_problems(storage, password)
    if not problems and password:
        problems = await reuse_problems(storage, backend, record.login, password)
    if problems:
        return Outcome.failed(problems)
    hashed = await hash_new_password(storage, password)
    async with transaction(backend.engine) as conn:
        agent = storage.origins.agent_id
        stored = await backend.set_password(conn, record.login, hashed.stored, agent=agent)
        if stored:
            await record_password(storage, conn, record.login, hashed, self_service=self_service)
            key = OriginKey.customer_user(record.login)
            await storage.origins.record(conn, [key], actor.id)
            audit_trail.record(conn, actor, [AuditEvent(key, record.login, Action.PASSWORD_SET)])
            # Every session of the user ends, but the one changing its own password.
            await storage.customer_sessions.revoke_login(conn, record.login, keep=actor.session_id)
            if not self_service:  # an admin's new password ends a sign-in lock
                await SignInAttemptStore.release(conn, login_subject(record.login))
    if not stored:
        return Outcome.failed(
            [Problem((), ErrorCode.INVALID, "This backend's map has no password field.")]
        )
    changed = await storage.customer_users.get(record.login)
    return Outcome(record=changed, generated_password=hashed.generated)


def unchangeable(login: str, field: tuple[str, ...]) -> Problem | None:
    """``TOO_LONG`` at ``field`` for a user whose stored login is longer than every change of
    it can record (``tables.CHANGE_KEY``, 191 characters, as OTOBO's ``customer_user.login``:
    only a backend table an admin made wider holds such a login); None when it fits. A
    rename to a login that fits is the one change such a user can take."""
    return unfit_login(CHANGE_KEY, field, login, cannot="be changed")


async def _own_writable_backend(
    storage: Storage, login: str
) -> tuple[CustomerUserRecord, DbCustomerUserBackend] | Problem:
    """The user ``login`` and its backend, if that backend may be written."""
    try:
        record = await storage.customer_users.get(login, strict=True)
    except BackendUnavailable as exc:
        return unresolvable(USER, exc)
    if record is None:
        return Problem(USER, ErrorCode.NOT_FOUND, f"No such user {login!r}.")
    backend = storage.customer_users.own_backend(record)
    return backend if isinstance(backend, Problem) else (record, backend)


async def _login_taken(
    storage: Storage, login: str, *, own_login: str | None, field: tuple[str, ...]
) -> list[Problem]:
    """The problem, if any, with giving ``login`` to a user (``own_login``: the user's
    current login, which it may keep in any case)."""
    if own_login is not None and login.lower() == own_login.lower():
        return []
    try:
        found = await storage.customer_users.get_many([login], strict=True)
    except BackendUnavailable as exc:
        # A login must be unique across every backend; with one down that is unknowable.
        message = (
            f"Backend {exc.backend!r} is unavailable, so the login cannot be checked for "
            "uniqueness; retry when it is back."
        )
        return [Problem(field, ErrorCode.BACKEND_UNAVAILABLE, message)]
    if login.lower() in found:
        message = f'Customer user "{login}" already exists.'
        return [Problem(field, ErrorCode.LOGIN_TAKEN, message)]
    return []


async def _check_in_transaction(
    storage: Storage,
    conn: AsyncConnection,
    backend: DbCustomerUserBackend,
    values: dict[str, Any],
    *,
    email: Any,
    old: CustomerUserRecord | None,
) -> dict[str, Any]:
    """The checks that need the database, inside the transaction that writes: e-mail
    uniqueness (under the address's lock, so two writes of one address take turns) and the
    existence of the primary customer ``values`` names. Returns ``values`` with that customer
    ID as the customer spells it, so a reader that compares IDs exactly (SQL outside Roster)
    finds the customer whatever case the client typed; raises ``ProblemsFound``."""
    problems: list[Problem] = []
    own_login = old.login if old is not None else None
    if email_needs_check(backend, email, old):
        await backend.lock_email(conn, str(email))
        if await backend.email_in_use(conn, str(email), except_login=own_login):
            problems.append(email_taken())
    customer_id = values.get(CUSTOMER_ID)
    if isinstance(customer_id, str) and customer_id:
        stored = (await storage.customers.get_many([customer_id], conn)).get(customer_id.lower())
        values, problem = primary_customer(backend, values, stored, old)
        problems += [problem] if problem else []
    if problems:
        raise ProblemsFound(problems)
    return values


def email_needs_check(
    backend: DbCustomerUserBackend, email: Any, old: CustomerUserRecord | None
) -> bool:
    """Whether a write giving the user ``email`` must check that no other user has it:
    OTOBO's ``CustomerUserEmailUniqCheck``, on a new user or a changed address."""
    email_changed = old is None or (old.email or "").lower() != str(email or "").lower()
    return bool(backend.config.email_uniq_check and isinstance(email, str) and email) and (
        email_changed
    )


def email_taken() -> Problem:
    message = "This email address is already in use for another customer user."
    return Problem((EMAIL,), ErrorCode.EMAIL_TAKEN, message)


def primary_customer(
    backend: DbCustomerUserBackend,
    values: dict[str, Any],
    stored: CustomerRecord | None,
    old: CustomerUserRecord | None,
) -> tuple[dict[str, Any], Problem | None]:
    """The primary customer ``values`` name, checked against the customer found for it
    (``stored``): ``values`` with its ID spelled as stored, or the problem when there is no
    such customer and the backend has ``customer_company_support`` (a user that keeps its
    old customer keeps it, whatever happened to it)."""
    customer_id = str(values.get(CUSTOMER_ID))
    unchanged = old is not None and (old.customer_id or "").lower() == customer_id.lower()
    if stored is not None:
        return {**values, CUSTOMER_ID: stored.customer_id}, None
    if unchanged and old is not None:
        return {**values, CUSTOMER_ID: old.customer_id}, None
    if backend.config.customer_company_support:
        message = f"No customer with ID {customer_id!r}; create the customer first."
        return values, Problem((CUSTOMER_ID,), ErrorCode.UNKNOWN_CUSTOMER, message)
    return values, None


async def after_update(
    storage: Storage, conn: AsyncConnection, old_login: str, new_login: str, patch: dict[str, Any]
) -> None:
    """What an update ends, in its transaction: the user's customer sessions on a rename or
    a validity other than valid; a sign-in lock when an admin makes the user valid."""
    if new_login != old_login or patch.get(VALID_ID, VALID) != VALID:
        await storage.customer_sessions.revoke_login(conn, old_login)  # sessions end
    if patch.get(VALID_ID) == VALID:  # an admin's unlock: a sign-in lock ends too
        await SignInAttemptStore.release(conn, login_subject(old_login))


def password_problems(storage: Storage, password: str | None) -> list[Problem]:
    """A chosen password's problems with the policy's rules, every one at once; none for an
    empty one (it is generated, to the policy)."""
    if not password:
        return []
    return policy_problems(password, storage.config.passwords.policy())


async def reuse_problems(
    storage: Storage, backend: DbCustomerUserBackend, login: str, password: str
) -> list[Problem]:
    """``PASSWORD_REUSED`` when ``password`` is the current one or one of the ``history``
    before it: as far as Roster set them (``roster_password_history``), and as far as OTOBO's
    self-service recorded them (its ``UserLastPw…`` preferences, on a database both use)."""
    policy = storage.config.passwords.policy()
    if policy.history <= 0:
        return []
    hashes = await password_history.recent(backend.engine, login, policy.history + 1)
    otobo = await storage.preferences.get(login, otobo_history_keys(policy.history))

    def reused() -> bool:
        return is_reused(password, hashes) or in_otobo_history(password, list(otobo.values()))

    if not (hashes or otobo) or not await in_hashing_thread(reused):
        return []
    return [reused_problem(PASSWORD, policy.history)]


@dataclasses.dataclass(frozen=True, slots=True)
class Hashed:
    stored: str
    """The hash in ``[passwords] scheme``, for the user's row."""
    history: str | None
    """The salted history hash (None with ``[passwords] history = 0``)."""
    generated: str | None
    """The generated password, when none was given (shown once)."""


async def hash_new_password(storage: Storage, password: str | None) -> Hashed:
    """Hash ``password``, or one generated to the policy when it is empty.

    Hashing is slow on purpose (bcrypt cost 12), so it runs in the hashing threads (which
    leave the event loops a core: ``domain.passwords.hashing_executor``) and only once the
    input is valid.
    """
    config = storage.config.passwords
    policy = config.policy()

    def work() -> Hashed:
        generated = generate_for(policy) if not password else None
        secret = password or str(generated)
        stored = hash_password(secret, config.scheme, bcrypt_cost=config.bcrypt_cost)
        history = history_hash(secret, policy) if policy.history > 0 else None
        return Hashed(stored, history, generated)

    return await in_hashing_thread(work)


async def record_password(
    storage: Storage,
    conn: AsyncConnection,
    login: str,
    hashed: Hashed,
    *,
    self_service: bool,
    new: bool = False,
) -> None:
    """In the transaction that set ``login``'s password: its history entry, and OTOBO's
    ``UserLastPwChangeTime`` (now for the user's own change, deleted for an admin's or a new
    user's, so the user must change an admin-set password at the next sign-in while
    ``max_valid_days`` is set). A new user (``new``) starts with a history of its own, not
    what an earlier user of the same login left."""
    keep = storage.config.passwords.history + 1 if storage.config.passwords.history > 0 else 0
    await password_history.record(conn, login, hashed.history, keep=keep, fresh=new)
    change_time = change_time_value(time.time()) if self_service else None
    await storage.preferences.set(login, {CHANGE_TIME_KEY: change_time}, conn=conn)


async def _conflict(
    storage: Storage,
    backend: DbCustomerUserBackend,
    login: str,
    *,
    field: tuple[str, ...],
    own_login: str | None = None,
) -> list[Problem]:
    """A unique index fired: a concurrent write took the login first, or the database's
    collation counts it as a stored login (OTOBO's ``utf8mb4_unicode_ci`` on MariaDB/MySQL
    ignores accents and tells no two emoji apart), named in the message."""
    taken = await _login_taken(storage, login, own_login=None, field=field)
    if taken:
        return taken
    column = backend.table.c[backend.config.customer_key]
    message = await taken_by_collation_twin(
        backend.engine, column, login, subject="Login", except_value=own_login
    )
    if message is None:
        message = (
            f'Customer user "{login}" cannot be stored: the unique index on logins counts it '
            "as the same login as a stored one."
        )
    return [Problem(field, ErrorCode.LOGIN_TAKEN, message)]


def _as_new_login(problem: Problem) -> Problem:
    """An update's login value is its new login: a problem with it names ``new_login``."""
    if problem.field == LOGIN_VALUE:
        return dataclasses.replace(problem, field=NEW_LOGIN)
    return problem
