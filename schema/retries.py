"""A root field whose database connection was lost is run once more.

When PostgreSQL drops the server's connections (a restart, a failover, an administrator's
``pg_terminate_backend``), the statements in flight at that moment fail. Idle pooled
connections are replaced before use (``datasources.db.engine.refuse_closed_connection``) and
prepared reads retry by themselves (``datasources.db.prepared``); this covers everything else
a root field runs, so a client sees its answer rather than an error:

- a query field is run again (reads have no side effects);
- a mutation field is run again only if none of its transactions had reached its commit
  (``datasources.unit_of_work.watching_commits``): the server rolled the lost transaction back,
  so nothing was written. A connection lost during a commit leaves the outcome unknown, and
  the error is answered (masked) rather than risking a second write.

The request's loaders are reset first, so the second run reads nothing remembered from the
first. One retry only: a database that is really gone is reported as such.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import GraphQLObjectType

from datasources.db.engine import is_lost_connection
from datasources.unit_of_work import watching_commits

logger = logging.getLogger("roster.graphql")

Resolver = Callable[..., Any]


def install(schema: strawberry.Schema) -> None:
    """Wrap every root field of ``schema``'s Query and Mutation types."""
    for root, writes in ((schema._schema.query_type, False), (schema._schema.mutation_type, True)):
        if not isinstance(root, GraphQLObjectType):
            continue
        for name, field in root.fields.items():
            if field.resolve is not None:
                field.resolve = _retrying(f"{root.name}.{name}", field.resolve, writes=writes)


def _retrying(name: str, resolve: Resolver, *, writes: bool) -> Resolver:
    async def resolve_once_more_if_lost(source: Any, info: Any, **arguments: Any) -> Any:
        with watching_commits() as watch:
            try:
                return await _completed(resolve(source, info, **arguments))
            except Exception as error:
                if not is_lost_connection(error) or watch.committing:
                    raise
        return await once_more(source, info, **arguments)

    async def read_once_more_if_lost(source: Any, info: Any, **arguments: Any) -> Any:
        # A query commits nothing: no commit watch (a generator context and a context
        # variable on every lookup, about 2 % of a one-user lookup's CPU).
        try:
            return await _completed(resolve(source, info, **arguments))
        except Exception as error:
            if not is_lost_connection(error):
                raise
        return await once_more(source, info, **arguments)

    async def once_more(source: Any, info: Any, **arguments: Any) -> Any:
        logger.warning("%s: the database connection was lost; running it once more", name)
        info.context.loaders.reset()
        return await _completed(resolve(source, info, **arguments))

    return resolve_once_more_if_lost if writes else read_once_more_if_lost


async def _completed(result: Any) -> Any:
    return await result if isawaitable(result) else result
