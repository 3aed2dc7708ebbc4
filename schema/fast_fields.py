"""Direct resolvers for fields that only read an attribute of the record.

Strawberry runs every field through its argument, extension and ``Info`` machinery, about
10 µs a field; a page of 1000 customer users with 6 fields is 6000 of them, most of a
request's time. Fields that take no arguments, need no ``info`` and only read the record get
graphql-core's plain resolver instead, which returns the very same value. Any field not
listed here keeps Strawberry's resolver. A reader must return a plain value (never an
awaitable) and have no side effects: ``schema.flat_lists`` may call it twice.
"""

import weakref
from collections.abc import Callable, Mapping
from typing import Any

import strawberry
from graphql import GraphQLObjectType

from resolvers.context import RequestContext

Reader = Callable[[Any], Any]
ContextReader = Callable[[Any, RequestContext], Any]
"""Reads with the request context, e.g. through a DataLoader; may return an awaitable."""


def install(
    schema: strawberry.Schema,
    type_name: str,
    readers: Mapping[str, Reader],
    context_readers: Mapping[str, ContextReader] | None = None,
) -> None:
    """Give each listed field of ``type_name`` a direct resolver: ``reader(source)`` or
    ``context_reader(source, info.context)``."""
    graphql_type = schema._schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType):
        raise TypeError(f"{type_name} is not an object type of this schema")
    resolvers = {name: _direct(reader) for name, reader in readers.items()}
    resolvers |= {name: _with_context(read) for name, read in (context_readers or {}).items()}
    for field_name, resolver in resolvers.items():
        field = graphql_type.fields[field_name]
        if field.args:
            raise ValueError(f"{type_name}.{field_name} takes arguments; it needs its resolver")
        field.resolve = resolver


def _direct(reader: Reader) -> Callable[..., Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return reader(source)

    _readers[resolve] = reader
    return resolve


_readers: weakref.WeakKeyDictionary[Callable[..., Any], Reader] = weakref.WeakKeyDictionary()


def reader_of(resolve: Callable[..., Any] | None) -> Reader | None:
    """The reader behind a direct resolver installed here (None for any other resolver):
    ``schema.flat_lists`` calls it without graphql-core's per-field steps."""
    return _readers.get(resolve) if resolve is not None else None


def _with_context(reader: ContextReader) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return reader(source, info.context)

    return resolve
