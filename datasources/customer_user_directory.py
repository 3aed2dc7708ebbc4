"""The customer-user directory: OTOBO's front ``CustomerUser.pm`` over ordered backends.

Backends are asked in configured order (``CustomerUser``, ``CustomerUser1``, …): a read takes
the first backend that has the login, a login must be unique across all of them
(case-insensitively), a create goes to the named or first writable backend and an update to the
user's own backend.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeGuard, TypeVar

import sqlalchemy as sa

from datasources.backend import BackendUnavailable, CustomerUserBackend, report_unavailable
from datasources.db.customer_users import DbCustomerUserBackend, carry_login
from datasources.db.customers import DbCustomerStore
from datasources.paging import Page, SortKey, keyset_page
from datasources.unit_of_work import Outcome, transaction
from domain.config import PasswordConfig
from domain.customer_user_query import CustomerUserQuery, record_sort_key
from domain.customer_user_rules import normalize_values, password_problems, validate_values
from domain.errors import ErrorCode, Problem, ProblemsFound
from domain.field_map import CUSTOMER_ID, EMAIL, LOGIN, VALID_ID
from domain.pagination import Cursor
from domain.passwords import generate_password, hash_password
from domain.records import CustomerUserRecord

PASSWORD_PATH = ("input", "password")
COUNT_CHUNK = 1000  # users read per step when counting across an LDAP backend
T = TypeVar("T")


async def _answer(
    backend: CustomerUserBackend, call: Awaitable[T], unavailable: T, *, strict: bool = False
) -> T:
    """``call``'s answer; for a backend that is down, ``unavailable`` and a report (or, when
    ``strict``, the error: a write must not decide on a partial view)."""
    try:
        return await call
    except BackendUnavailable as exc:
        if strict:
            raise
        report_unavailable(exc)
        return unavailable


def _writable(backend: CustomerUserBackend | None) -> TypeGuard[DbCustomerUserBackend]:
    """Only database backends are ever written, and only when not configured read-only."""
    return isinstance(backend, DbCustomerUserBackend) and not backend.read_only


class CustomerUserDirectory:
    def __init__(
        self,
        backends: Sequence[CustomerUserBackend],
        customers: DbCustomerStore,
        passwords: PasswordConfig,
    ) -> None:
        self.backends = list(backends)
        self.customers = customers
        self.passwords = passwords

    def backend(self, name: str) -> CustomerUserBackend | None:
        return next((b for b in self.backends if b.name == name), None)

    # ---- reading ---------------------------------------------------------------------------

    async def get_many(
        self, logins: Sequence[str], *, strict: bool = False
    ) -> dict[str, CustomerUserRecord]:
        """Records by lower-cased login; the earliest backend that has a login wins. A backend
        that is down is skipped and reported (``strict``: raises ``BackendUnavailable``)."""
        found: dict[str, CustomerUserRecord] = {}
        missing = list(logins)
        for backend in self.backends:
            if not missing:
                break
            answer = await _answer(backend, backend.get_many(missing), {}, strict=strict)
            for key, record in answer.items():
                found.setdefault(key, record)
            missing = [login for login in missing if login.lower() not in found]
        return found

    async def get(self, login: str, *, strict: bool = False) -> CustomerUserRecord | None:
        """The user of ``login``. A write that must resolve a login passes ``strict``: with a
        backend down that might hold it, "no such user" would be a guess, so
        ``BackendUnavailable`` is raised instead (see :func:`unresolvable`)."""
        return (await self.get_many([login], strict=strict)).get(login.lower())

    @property
    def list_limit(self) -> int:
        """A search result stops at the smallest backend list limit (OTOBO's admin screen
        asks every backend for that many and reports "more than N")."""
        return min(b.config.search_list_limit for b in self.backends)

    async def page(
        self, query: CustomerUserQuery, *, first: int, after: Cursor | None
    ) -> Page[CustomerUserRecord]:
        """One page of matching users from every backend, merged in the query's order."""
        ordering = query.ordering

        def key(record: CustomerUserRecord) -> SortKey:
            return record_sort_key(record, ordering)

        async def fetch(after_key: SortKey | None, limit: int) -> list[CustomerUserRecord]:
            pages = await asyncio.gather(
                *(
                    _answer(b, b.page(query, after=after_key, limit=limit), [])
                    for b in self.backends
                )
            )
            pages = await self._drop_shadowed(pages)
            merged = heapq.merge(*pages, key=key, reverse=ordering.descending)
            return list(merged)[:limit]

        cap = self.list_limit if query.is_search else None
        return await keyset_page(
            fetch, key, first=first, after=after, cap=cap, ordering=ordering.name
        )

    async def _drop_shadowed(
        self, pages: Sequence[list[CustomerUserRecord]]
    ) -> list[list[CustomerUserRecord]]:
        """Drop users that an earlier backend also has: the earlier backend wins a login."""
        kept = [pages[0]] if pages else []
        for index in range(1, len(pages)):
            shadowed = await self._held_before(index, [r.login for r in pages[index]])
            kept.append([r for r in pages[index] if r.login.lower() not in shadowed])
        return kept

    async def _held_before(self, index: int, logins: Sequence[str]) -> set[str]:
        """Which of ``logins`` (lower-cased) a backend before backend ``index`` holds."""
        held: set[str] = set()
        for earlier in self.backends[:index]:
            if logins:
                held |= set(await _answer(earlier, earlier.get_many(logins), {}))
        return held

    async def logins_by_primary_customer(
        self, customer_ids: Sequence[str], *, valid_only: bool = True
    ) -> dict[str, set[str]]:
        """Users, of every backend, whose primary customer is one of ``customer_ids``, by
        lower-cased customer ID."""
        answers = await asyncio.gather(
            *(
                _answer(b, b.logins_by_primary_customer(customer_ids, valid_only=valid_only), {})
                for b in self.backends
            )
        )
        merged: dict[str, set[str]] = {}
        for answer in answers:
            for customer_id, logins in answer.items():
                merged.setdefault(customer_id, set()).update(logins)
        return merged

    async def count(self, query: CustomerUserQuery) -> int:
        """How many users the (capped) result lists."""
        return await self._count_listed(query, self.list_limit if query.is_search else None)

    async def limit_reached(self, query: CustomerUserQuery) -> bool:
        """Whether a list limit cut the result: a search's (the smallest of the backends'),
        or an LDAP backend's own in a plain listing."""
        if query.is_search:
            return await self._count_listed(query, self.list_limit + 1) > self.list_limit
        cuts = await asyncio.gather(
            *(_answer(b, b.listing_cut(query), False) for b in self.backends)
        )
        return any(cuts)

    async def _count_listed(self, query: CustomerUserQuery, at_most: int | None) -> int:
        """How many users ``page`` lists for ``query``, counting at most ``at_most``: a login
        that several backends hold is listed (and counted) once, from the earliest."""
        counts = await asyncio.gather(
            *(
                _answer(backend, self._count_unshadowed(index, query, at_most), 0)
                for index, backend in enumerate(self.backends)
            )
        )
        # Each count is exact up to at_most, so the capped sum is exact too.
        return sum(counts) if at_most is None else min(sum(counts), at_most)

    async def _count_unshadowed(
        self, index: int, query: CustomerUserQuery, at_most: int | None
    ) -> int:
        """Backend ``index``'s matching users that no earlier backend holds."""
        backend, earlier = self.backends[index], self.backends[:index]
        same_database = [b for b in earlier if isinstance(b, DbCustomerUserBackend)]
        if isinstance(backend, DbCustomerUserBackend) and len(same_database) == len(earlier):
            return await backend.count(query, at_most=at_most, excluding=same_database)
        # An LDAP backend on either side: walk the matching users and ask the earlier
        # backends, as the listing does. A search stops at its list limit; a plain listing
        # of a large backend is read in full (only when totalCount is asked for).
        ordering = query.ordering
        counted = 0
        after: SortKey | None = None
        while True:
            records = await backend.page(query, after=after, limit=COUNT_CHUNK)
            held = await self._held_before(index, [record.login for record in records])
            counted += sum(1 for record in records if record.login.lower() not in held)
            if len(records) < COUNT_CHUNK or (at_most is not None and counted >= at_most):
                return counted if at_most is None else min(counted, at_most)
            after = record_sort_key(records[-1], ordering)

    # ---- writing ---------------------------------------------------------------------------

    def _writable_backend(self, source: str | None) -> DbCustomerUserBackend | Problem:
        if source is not None:
            backend = self.backend(source)
            if backend is None:
                return Problem(
                    ("input", "source"), ErrorCode.NOT_FOUND, f"No backend named {source!r}."
                )
            if not _writable(backend):
                return Problem(
                    ("input", "source"), ErrorCode.READ_ONLY, f"Backend {source!r} is read-only."
                )
            return backend
        for backend in self.backends:
            if _writable(backend):
                return backend
        return Problem(("input",), ErrorCode.READ_ONLY, "Every customer-user backend is read-only.")

    async def _own_writable_backend(
        self, login: str
    ) -> tuple[CustomerUserRecord, DbCustomerUserBackend] | Problem:
        """The user and the backend that holds it, if that backend may be written."""
        try:
            record = await self.get(login, strict=True)
        except BackendUnavailable as exc:
            return unresolvable(("input", "login"), exc)
        if record is None:
            return Problem(("input", "login"), ErrorCode.NOT_FOUND, f"No such user {login!r}.")
        backend = self.backend(record.source)
        if not _writable(backend):
            return Problem(
                ("input",), ErrorCode.READ_ONLY, f"Backend {record.source!r} is read-only."
            )
        return record, backend

    async def _login_problem(self, login: str, *, own_login: str | None) -> Problem | None:
        if own_login is not None and login.lower() == own_login.lower():
            return None
        try:
            found = await self.get_many([login], strict=True)
        except BackendUnavailable as exc:
            # A login must be unique across every backend; with one down that is unknowable.
            return Problem(
                ("input", "login"),
                ErrorCode.BACKEND_UNAVAILABLE,
                f"Backend {exc.backend!r} is unavailable, so the login cannot be checked for "
                "uniqueness; retry when it is back.",
            )
        if login.lower() in found:
            return Problem(
                ("input", "login"),
                ErrorCode.LOGIN_TAKEN,
                f'Customer user "{login}" already exists.',
            )
        return None

    async def _check_in_transaction(
        self,
        conn: Any,
        backend: DbCustomerUserBackend,
        *,
        email: Any,
        customer_id: Any,
        own_login: str | None,
        old: CustomerUserRecord | None,
    ) -> str | None:
        """The checks that need the database, inside the transaction that writes: e-mail
        uniqueness (under the address's lock, so two writes of one address take turns) and
        the customer's existence. Returns the customer ID as the customer spells it, so a
        reader that compares IDs exactly (SQL outside Roster) finds the customer whatever case
        the client typed; raises ``ProblemsFound``."""
        problems: list[Problem] = []
        email_changed = old is None or (old.email or "").lower() != str(email or "").lower()
        if backend.config.email_uniq_check and isinstance(email, str) and email and email_changed:
            await backend.lock_email(conn, email)
            if await backend.email_in_use(conn, email, except_login=own_login):
                problems.append(
                    Problem(
                        ("input", "email"),
                        ErrorCode.EMAIL_TAKEN,
                        "This email address is already in use for another customer user.",
                    )
                )
        spelled = customer_id if isinstance(customer_id, str) and customer_id else None
        if spelled is not None:
            stored = (await self.customers.get_many([spelled], conn)).get(spelled.lower())
            unchanged = old is not None and (old.customer_id or "").lower() == spelled.lower()
            if stored is not None:
                spelled = stored.customer_id
            elif unchanged:
                spelled = old.customer_id if old is not None else spelled
            elif backend.config.customer_company_support:
                problems.append(
                    Problem(
                        ("input", "customerId"),
                        ErrorCode.UNKNOWN_CUSTOMER,
                        f"No customer with ID {spelled!r}; create the customer first.",
                    )
                )
        if problems:
            raise ProblemsFound(problems)
        return spelled

    def _password_problems(self, password: str | None) -> list[Problem]:
        if not password:
            return []
        return password_problems(
            password,
            min_length=self.passwords.min_length,
            max_length=self.passwords.max_length,
            field=PASSWORD_PATH,
        )

    async def _hash(self, password: str | None) -> tuple[str, str | None]:
        """(hash in ``[passwords] scheme``, the generated password or None).

        An empty password generates one. Hashing is slow on purpose (bcrypt cost 12), so it runs
        in a thread and only once the input is valid.
        """
        generated = generate_password() if not password else None
        secret = password or str(generated)
        scheme, cost = self.passwords.scheme, self.passwords.bcrypt_cost
        return await asyncio.to_thread(hash_password, secret, scheme, bcrypt_cost=cost), generated

    async def create(
        self,
        values: Mapping[str, Any],
        *,
        password: str | None,
        source: str | None,
        actor: int,
    ) -> Outcome[CustomerUserRecord]:
        backend = self._writable_backend(source)
        if isinstance(backend, Problem):
            return Outcome.failed([backend])
        values = normalize_values(values)
        problems = validate_values(backend.rules, values, creating=True, email_must_be_checked=True)
        login = values.get(LOGIN)
        if isinstance(login, str) and not any(p.field == ("input", "login") for p in problems):
            taken = await self._login_problem(login, own_login=None)
            problems.extend([taken] if taken else [])
        problems.extend(self._password_problems(password))
        if problems:
            return Outcome.failed(problems)
        password_hash, generated = await self._hash(password)
        try:
            async with transaction(backend.engine) as conn:
                spelled = await self._check_in_transaction(
                    conn,
                    backend,
                    email=values.get(EMAIL),
                    customer_id=values.get(CUSTOMER_ID),
                    own_login=None,
                    old=None,
                )
                if spelled is not None:
                    values = {**values, CUSTOMER_ID: spelled}
                await backend.insert(conn, values, password_hash=password_hash, actor=actor)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            return Outcome.failed(await self._conflict_problems(str(login)))
        record = await self.get(str(login))
        return Outcome(record=record, generated_password=generated)

    async def _conflict_problems(self, login: str) -> list[Problem]:
        """A unique index fired: a concurrent write took the login first, or the database's
        collation counts it as a stored login (OTOBO's on MariaDB/MySQL ignores accents)."""
        taken = await self._login_problem(login, own_login=None)
        return [taken or _collation_twin(login)]

    async def update(
        self, login: str, changes: Mapping[str, Any], *, actor: int
    ) -> Outcome[CustomerUserRecord]:
        found = await self._own_writable_backend(login)
        if isinstance(found, Problem):
            return Outcome.failed([found])
        old, backend = found
        changes = normalize_values(changes)
        problems = [
            Problem(("input", f.graphql_name), ErrorCode.READ_ONLY, f"{f.label} is read-only.")
            for f in backend.fields
            if f.readonly and f.attribute in changes
        ]
        email_or_validity = EMAIL in changes or VALID_ID in changes
        merged = {**old.values, **changes}
        problems += validate_values(
            backend.rules,
            {**changes, EMAIL: merged.get(EMAIL), VALID_ID: merged.get(VALID_ID)}
            if email_or_validity
            else changes,
            creating=False,
            email_must_be_checked=email_or_validity,
        )
        new_login = str(changes.get(LOGIN, old.login))
        if not problems:
            taken = await self._login_problem(new_login, own_login=old.login)
            problems.extend([taken] if taken else [])
        if problems:
            return Outcome.failed([_as_new_login(p) for p in problems])
        try:
            async with transaction(backend.engine) as conn:
                spelled = await self._check_in_transaction(
                    conn,
                    backend,
                    email=merged.get(EMAIL),
                    customer_id=changes.get(CUSTOMER_ID),
                    own_login=old.login,
                    old=old,
                )
                if spelled is not None:
                    changes = {**changes, CUSTOMER_ID: spelled}
                await backend.update(conn, old.login, changes, actor=actor)
                if new_login != old.login:
                    await carry_login(conn, old.login, new_login)
        except ProblemsFound as exc:
            return Outcome.failed(exc.problems)
        except sa.exc.IntegrityError:
            problems = await self._conflict_problems(new_login)
            return Outcome.failed([_as_new_login(p) for p in problems])
        return Outcome(record=await self.get(new_login))

    async def set_password(
        self, login: str, password: str | None, *, actor: int
    ) -> Outcome[CustomerUserRecord]:
        found = await self._own_writable_backend(login)
        if isinstance(found, Problem):
            return Outcome.failed([found])
        record, backend = found
        problems = self._password_problems(password)
        if problems:
            return Outcome.failed(problems)
        password_hash, generated = await self._hash(password)
        async with transaction(backend.engine) as conn:
            stored = await backend.set_password(conn, record.login, password_hash, actor=actor)
        if not stored:
            return Outcome.failed(
                [
                    Problem(
                        ("input",), ErrorCode.INVALID, "This backend's map has no password field."
                    )
                ]
            )
        return Outcome(record=await self.get(record.login), generated_password=generated)


def unresolvable(field: tuple[str, ...], exc: BackendUnavailable) -> Problem:
    """A write that names a login a backend that is down might hold is refused, as a create
    is while the login's uniqueness cannot be checked: not "no such user", which may be false,
    and nothing written."""
    return Problem(
        field,
        ErrorCode.BACKEND_UNAVAILABLE,
        f"Backend {exc.backend!r} is unavailable, so the customer user cannot be looked up; "
        "retry when it is back.",
    )


def _collation_twin(login: str) -> Problem:
    return Problem(
        ("input", "login"),
        ErrorCode.LOGIN_TAKEN,
        f'Customer user "{login}" cannot be stored: the database counts it as the same login as '
        "a stored one (its collation ignores accents).",
    )


def _as_new_login(problem: Problem) -> Problem:
    """On an update, ``login`` names the user and ``newLogin`` carries the new one: report a
    problem with the new login where the client typed it."""
    if problem.field == ("input", "login"):
        return Problem(("input", "newLogin"), problem.code, problem.message)
    return problem
