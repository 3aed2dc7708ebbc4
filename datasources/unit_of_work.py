"""One mutation pattern for every write: validate, then write in one transaction, or nothing.

A write function raises :class:`ProblemsFound` for an expected problem found mid-transaction;
the transaction rolls back and the caller gets the problems as an :class:`Outcome`. So does
MariaDB's refusal of a 4-byte character for a ``utf8mb3`` column (error 1366), which the write
rules catch first for the columns known at start (``collation_check.four_byte_refusal``): at
the input field that wrote the column, when the write says which (``fields``).

The audit events a write noted on its connection (``datasources.db.audit_events.note``) are
written by :func:`transaction` itself, last before the commit, so every write's trail lands
in its own transaction in commit order, and no write can commit without the events it noted.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from datasources.db import audit_events
from datasources.db.collation_check import ColumnFields, four_byte_refusal
from datasources.db.engine import LostConnection, commit_outcome, transaction_id
from domain.assignments import Change
from domain.audit import AuditEvent
from domain.errors import Problem, ProblemsFound

T = TypeVar("T")


@dataclass(slots=True)
class Outcome(Generic[T]):
    """The result of a write: the object as stored, or the problems that stopped it."""

    record: T | None = None
    problems: list[Problem] = field(default_factory=list)
    generated_password: str | None = None
    changes: list[Change] = field(default_factory=list)
    """For assignments: the rows added and removed (or, on a dry run, that would be)."""
    unchanged: bool = False
    """The write found nothing to change (a no-op: every value given was the stored one, an
    assignment's set was already the wanted one): it wrote no row, recorded no event and
    publishes no live update (``resolvers.mutations``), though a transaction may have
    committed (the lock an assignment reads under; the sign-in hold a ``validity: VALID``
    ends). ``record`` is the object as it is."""
    found_key: str | None = None
    """For a write that may change its object's key (a customer user's or customer's update):
    the key it found the object under, as stored before the write, not as the client typed it
    (logins and customer IDs are found ignoring case). The live notice is ``RENAMED`` only
    when the record's key differs from it (``domain.live.notices_of``)."""

    @classmethod
    def failed(cls, problems: list[Problem]) -> Outcome[T]:
        return cls(record=None, problems=problems)


class NothingChanged(Exception):
    """Raised inside :func:`transaction` by a write that found, only after writing, that it
    changed nothing (an update whose dynamic-field values were the stored ones: the rows it
    replaced are read by the statement that replaces them): the transaction rolls back, so
    the no-op leaves no trace (no ``change_time``, no event), and the use case answers with
    the object as it is (``Outcome.unchanged``). A no-op known before writing writes nothing
    at all; this costs the changed path no statement."""


@dataclass(slots=True)
class CommitWatch:
    """Whether a transaction run under :func:`watching_commits` reached its commit."""

    committing: bool = False


_watch: ContextVar[CommitWatch | None] = ContextVar("roster_commit_watch", default=None)


@dataclass(slots=True)
class Commits:
    """How many transactions run under :func:`counting_commits` committed, the audit
    events they wrote with their feed positions (a live update's cursors), and when the last
    one committed."""

    count: int = 0
    events: list[tuple[int, AuditEvent]] = field(default_factory=list)
    at: float | None = None
    """``time.time()`` right after the last commit: a live update's ``Change.at``. Taken here,
    not when the notice is published: a use case reads the record it returns after its
    commit (``customerUserUpdate``: one more statement), and that time is part of what a
    subscriber waits for (``bench/live.py`` measures from here)."""


_commits: ContextVar[Commits | None] = ContextVar("roster_commits", default=None)


@contextmanager
def counting_commits() -> Iterator[Commits]:
    """Count the transactions that commit inside: a mutation publishes its live update only
    when one did (``resolvers.mutations``), never after a rollback, a refusal or a dry run."""
    commits = Commits()
    token = _commits.set(commits)
    try:
        yield commits
    finally:
        _commits.reset(token)


def _committed(events: list[tuple[int, AuditEvent]]) -> None:
    commits = _commits.get()
    if commits is not None:
        commits.count += 1
        commits.events += events
        commits.at = time.time()


@contextmanager
def watching_commits() -> Iterator[CommitWatch]:
    """Note whether any transaction run inside reaches its commit: a write whose connection
    was lost before that wrote nothing (the server rolls it back) and may run again; one lost
    during its commit may have been written, and must not (``schema.retries``)."""
    watch = CommitWatch()
    token = _watch.set(watch)
    try:
        yield watch
    finally:
        _watch.reset(token)


@asynccontextmanager
async def transaction(
    engine: AsyncEngine, fields: ColumnFields | None = None
) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that commits on success and rolls back on any exception.

    ``fields``: which input field writes which column (``collation_check.ColumnFields``), so a
    character the database refuses is reported at that field, as the write rules would have
    (a write of what a client typed passes them; one of Roster's own values need not).

    A commit whose connection was lost leaves the client unsure whether it was written. On
    PostgreSQL the transaction's id is taken first, and then asked after: committed, the
    write stands and the caller carries on as if the commit had answered; rolled back, the
    error becomes :class:`LostConnection` (safe to run again); unknown, the error stands."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        xid = await transaction_id(conn)
        audit_events.open_buffer(conn)
        try:
            yield conn
            written = await audit_events.flush(conn, audit_events.take_buffer(conn))
        except BaseException as error:
            audit_events.take_buffer(conn)
            with suppress(Exception):  # a lost connection cannot roll back: the server did
                await transaction.rollback()
            refusal = four_byte_refusal(error, engine.dialect, fields)
            if refusal is not None:  # a column the write rules did not know to be utf8mb3
                raise ProblemsFound(refusal) from error
            raise
        watch = _watch.get()
        if watch is not None:
            watch.committing = True  # from here on, the write may have reached the database
        try:
            await transaction.commit()
        except Exception as error:
            outcome = await commit_outcome(engine, xid) if xid is not None else None
            if outcome == "committed":
                _committed(written)
                return
            if outcome == "aborted":
                if watch is not None:
                    watch.committing = False
                raise LostConnection("the transaction was rolled back") from error
            raise
        _committed(written)
