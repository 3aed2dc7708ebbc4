"""Direct resolvers for fields that only read an attribute of the record.

Strawberry runs every field through its argument, extension and ``Info`` machinery, about
10 µs a field; a page of 1000 customer users with 6 fields is 6000 of them, most of a
request's time. Fields that take no arguments, need no ``info`` and only read the record get
graphql-core's plain resolver instead, which returns the very same value.

The readers come from the Strawberry declarations themselves (``install_declared``), so a
field is declared once: a plain attribute is read with ``getattr``, and a synchronous resolver
that takes only ``self``/``root`` (no ``info``, no arguments) is itself the reader. A field
whose value needs the request (a DataLoader) declares its context reader next to it, in the
field's metadata (``context_reader``). Any other field keeps Strawberry's resolver, and a
field that carries a permission or a field extension (or a schema whose extensions hook field
resolution) never gets a direct resolver: it would skip them. A reader must return a plain
value (never an awaitable) and have no side effects: ``schema.flat_lists`` may call it twice.
A context reader may return an awaitable; it too must have no side effects beyond filling the
request's loader caches, since ``schema.flat_lists`` may also call it twice (then from the
cache: no second statement).
"""

import inspect
import operator
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from resolvers.context import RequestContext

DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
"""Where Strawberry keeps a graphql-core field's own definition (a private convention; the
canary in tests/test_fast_fields.py fails if it moves)."""

Reader = Callable[[Any], Any]
ContextReader = Callable[[Any, RequestContext], Any]
"""Reads with the request context, e.g. through a DataLoader; may return an awaitable."""


ManyReader = Callable[[Sequence[Any], RequestContext], Awaitable[list[Any]]]
"""Reads the field of several sources at once: one value per source, in their order."""

CONTEXT_READER = "roster.fast_fields.context_reader"
"""The key of a field's metadata that holds its context reader (see ``context_reader``)."""

MANY_READER = "roster.fast_fields.many_reader"
"""The key of a field's metadata that holds its reader of many sources (``batch_reader``)."""


def context_reader(read: ContextReader) -> dict[str, ContextReader]:
    """Field metadata declaring ``read`` as the field's direct resolver:
    ``@strawberry.field(metadata=context_reader(read))`` over a resolver that returns
    ``read(self, info.context)``, so the field and its fast path are declared in one place."""
    return {CONTEXT_READER: read}


def batch_reader(many: ManyReader) -> dict[str, Any]:
    """Field metadata declaring ``many`` as the field's reader: ``schema.flat_lists`` calls
    it once for a whole level of a list (one awaitable instead of one per object), and the
    field's direct resolver reads one source as ``many([source])[0]``. The field's own
    resolver must return the same (``await many([self], info.context)`` first item), so the
    field has one implementation on every path."""

    async def one(source: Any, context: RequestContext) -> Any:
        return (await many([source], context))[0]

    return {CONTEXT_READER: one, MANY_READER: many}


def install_declared(schema: strawberry.Schema, type_name: str) -> None:
    """Give every field of ``type_name`` whose declaration allows it a direct resolver: plain
    attributes, synchronous resolvers of ``self`` alone, and fields declaring a
    ``context_reader``. A guarded field is skipped (and refused if it declares a reader)."""
    readers: dict[str, Reader] = {}
    context_readers: dict[str, ContextReader] = {}
    many_readers: dict[str, ManyReader] = {}
    for field_name, field in _object_type(schema, type_name).fields.items():
        definition = field.extensions.get(DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField):
            continue
        metadata: Mapping[str, Any] = definition.metadata or {}
        declared = metadata.get(CONTEXT_READER)
        if declared is not None:
            context_readers[field_name] = declared
            if (many := metadata.get(MANY_READER)) is not None:
                many_readers[field_name] = many
            continue
        if field.args or definition.permission_classes or definition.extensions:
            continue
        reader = _declared_reader(definition)
        if reader is not None:
            readers[field_name] = reader
    install(schema, type_name, readers, context_readers)
    fields = _object_type(schema, type_name).fields
    for field_name, many in many_readers.items():
        _many_readers[fields[field_name].resolve] = many


def _declared_reader(definition: StrawberryField) -> Reader | None:
    """The reader a declaration implies, or None when it needs Strawberry's resolver."""
    resolver = definition.base_resolver
    if resolver is None:
        return operator.attrgetter(definition.python_name)
    func = resolver.wrapped_func
    if not inspect.isfunction(func) or resolver.is_async or _is_lazy(func):
        return None
    parameters = list(inspect.signature(func).parameters.values())
    if len(parameters) != 1 or parameters[0].name not in ("self", "root"):
        return None
    if parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        return None
    reader: Reader = func
    return reader


def _is_lazy(func: Callable[..., Any]) -> bool:
    """A coroutine or generator function returns no plain value: not a reader."""
    return (
        inspect.iscoroutinefunction(func)
        or inspect.isgeneratorfunction(func)
        or inspect.isasyncgenfunction(func)
    )


def _object_type(schema: strawberry.Schema, type_name: str) -> GraphQLObjectType:
    graphql_type = schema._schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType):
        raise TypeError(f"{type_name} is not an object type of this schema")
    return graphql_type


def install(
    schema: strawberry.Schema,
    type_name: str,
    readers: Mapping[str, Reader],
    context_readers: Mapping[str, ContextReader] | None = None,
) -> None:
    """Give each listed field of ``type_name`` a direct resolver: ``reader(source)`` or
    ``context_reader(source, info.context)``."""
    graphql_type = _object_type(schema, type_name)
    resolvers = {name: _direct(reader) for name, reader in readers.items()}
    resolvers |= {name: _with_context(read) for name, read in (context_readers or {}).items()}
    _refuse_resolve_hooks(schema)
    for field_name, resolver in resolvers.items():
        field = graphql_type.fields[field_name]
        if field.args:
            raise ValueError(f"{type_name}.{field_name} takes arguments; it needs its resolver")
        _refuse_guarded(type_name, field_name, field)
        field.resolve = resolver


def _refuse_guarded(type_name: str, field_name: str, field: GraphQLField) -> None:
    """A field with a permission or a field extension must run Strawberry's resolver, which
    applies them; a direct resolver would silently skip them. Refused when the schema is
    built, so the mistake cannot reach a running server."""
    definition = field.extensions.get(DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        raise TypeError(f"{type_name}.{field_name} has no Strawberry definition to check")
    if definition.permission_classes or definition.extensions:
        raise ValueError(
            f"{type_name}.{field_name} carries a permission or a field extension: it must "
            "keep Strawberry's resolver, not a fast reader"
        )


def _refuse_resolve_hooks(schema: strawberry.Schema) -> None:
    """A schema extension that hooks every field's resolution would be skipped by direct
    resolvers: none may be installed beside them."""
    for extension in schema.extensions:
        if isinstance(extension, SchemaExtension):
            kind: type[Any] = type(extension)
        elif isinstance(extension, type):
            kind = extension
        else:  # a factory (schema.builder's extensions made per request)
            kind = type(extension())
        if getattr(kind, "resolve", SchemaExtension.resolve) is not SchemaExtension.resolve:
            raise ValueError(
                f"the schema extension {kind.__name__} hooks field resolution; fast readers "
                "would skip it"
            )


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

    _context_readers[resolve] = reader
    return resolve


_context_readers: weakref.WeakKeyDictionary[Callable[..., Any], ContextReader] = (
    weakref.WeakKeyDictionary()
)


_many_readers: weakref.WeakKeyDictionary[Callable[..., Any], ManyReader] = (
    weakref.WeakKeyDictionary()
)


def many_reader_of(resolve: Callable[..., Any] | None) -> ManyReader | None:
    """The reader of many sources declared with ``batch_reader`` behind a direct resolver
    installed here (None for any other resolver)."""
    return _many_readers.get(resolve) if resolve is not None else None


def context_reader_of(resolve: Callable[..., Any] | None) -> ContextReader | None:
    """The context reader behind a direct resolver installed here (None for any other
    resolver): ``schema.flat_lists`` calls it for a whole list of sources at once."""
    return _context_readers.get(resolve) if resolve is not None else None
