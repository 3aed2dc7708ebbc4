"""The per-request time limit as clients see it: a ``TIMEOUT`` error.

Two things stop a request that runs too long:
- the server's deadline (``server.request_timeout_seconds``, ``app/server.py``) cancels the
  execution and answers ``data: null`` with one ``TIMEOUT`` error;
- PostgreSQL's ``statement_timeout`` (``database.statement_timeout_seconds``, a bit shorter)
  cancels a statement the database is still working on, so a request stopped by the deadline
  does not leave the database busy. The driver raises "query canceled" (SQLSTATE 57014), which
  would otherwise be masked as an unexpected ``INTERNAL_SERVER_ERROR``: here it becomes a
  ``TIMEOUT`` error at the field that waited for it (the other fields keep their data).

SQLite has no statement timeout: the deadline answers the request and cancels its task, but a
statement already running in aiosqlite's thread runs to its end (its connection stays busy
until then).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from datasources.db.dialect import is_mysql_statement_timeout

CODE = "TIMEOUT"
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (by its timeout)


def deadline_error(seconds: float) -> GraphQLError:
    """The error answering a request the server's deadline stopped."""
    return GraphQLError(
        f"The request exceeded the time limit of {seconds:g} s and was stopped.",
        extensions={"code": CODE, "timeoutSeconds": seconds},
    )


def is_statement_timeout(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps: SQLAlchemy's ``orig``, a ``__cause__``) is
    PostgreSQL (or MariaDB/MySQL) cancelling a statement."""
    seen = 0
    while error is not None and seen < 8:
        if getattr(error, "sqlstate", None) == QUERY_CANCELED or is_mysql_statement_timeout(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False


def typed_timeouts(errors: list[GraphQLError]) -> list[GraphQLError]:
    """``errors`` with each statement timeout replaced by a ``TIMEOUT`` error (which masking
    then leaves as it is: it no longer wraps an unexpected exception).

    The message names no number of seconds: schemas are shared by configurations that differ
    only in their database settings (``schema.builder.build_api``)."""
    return [
        GraphQLError(
            "A database statement exceeded the database's time limit (statement_timeout) "
            "and was stopped.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": CODE},
        )
        if is_statement_timeout(error.original_error)
        else error
        for error in errors
    ]


class StatementTimeouts(SchemaExtension):
    """:func:`typed_timeouts` on Strawberry's execution path (before masking, which runs when
    the operation ends); ``schema.direct_execution`` applies it on the other path."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = typed_timeouts(list(result.errors))
