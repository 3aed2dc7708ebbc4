"""Complete a list of objects, and everything selected below it, without graphql-core's
per-field steps, when every selected field has a direct reader.

A search returning 1000 customer users with five fields is 5000 field executions; graphql-core
spends about eight calls on each (collect, execute, resolve, complete, serialize), which was
most of such a request's time. A page of 1000 users with their customer, customer IDs, group
grants and services (peer bench Q2) is about 25,000 field executions and 20,000 awaitables:
graphql-core's completion was 80 % of its 400 ms of CPU.

So when every field selected on the list's item type, and recursively on the objects below
it, has a direct reader (``schema.fast_fields``: no arguments, no permission, no extension),
this execution context compiles the selection into a plan once per list and completes the
whole list level by level:

- plain leaves (scalar, enum, or a list of them) are read and serialized by the same scalar
  and enum types, in the same key order;
- a field with a context reader (a DataLoader behind it) is called for every object of the
  level before anything is awaited, so each loader still sees the whole level in one batch
  (the same statements as graphql-core's path, which starts every field before awaiting);
- the objects those fields return (one, or a list each) are completed as the next level, all
  of them in one go, and put back under their parents.

Without the nested fields (all fields plain leaves) the loop runs synchronously, as before.

Anything else takes graphql-core's path unchanged: a field without a reader, arguments, an
abstract type, ``@stream``/``@defer``, an item of the wrong type, or any value the plan would
have to report as an error (a null in a non-null position, a value a scalar refuses, a reader
that raised, e.g. a backend that did not answer), so errors keep exactly graphql-core's form.
Readers have no side effects and loaders cache what they read, so running them again there
costs no statement. (Only the order of several errors can differ: graphql-core lists them as
the failures arrive, and on a handed-back list they have all arrived, so they come in item
order.) ``disabled()`` switches the plans off for one block (the tests compare
both paths' answers byte for byte).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLScalarType,
    GraphQLSchema,
    OperationType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from datasources import spans
from schema import shared_events
from schema.fast_fields import (
    ContextReader,
    ManyReader,
    context_reader_of,
    many_reader_of,
    reader_of,
)

TYPENAME = "__typename"

LEAF, LEAF_LIST, OBJECT, OBJECT_LIST = range(4)
"""What a planned field holds: a scalar or enum, a list of them, an object, a list of objects."""

_enabled: ContextVar[bool] = ContextVar("roster_flat_lists", default=True)


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Complete every list through graphql-core inside this block (tests compare the paths)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


class Tally:
    """How many lists the plans completed, and how many they handed back to graphql-core
    after starting (tests read it: the equality tests must exercise the plans)."""

    planned = 0
    handed_back = 0


@dataclass(frozen=True, slots=True)
class _Field:
    key: str
    kind: int
    read: Callable[[Any], Any] | None
    """The direct reader; None when the field reads with the request's context."""
    read_with_context: ContextReader | None
    read_many: ManyReader | None
    """The field's reader of a whole level at once (``fast_fields.batch_reader``), if any."""
    coerce: Callable[[Any], Any] | None
    """The scalar's or enum's serializer (leaves and leaf lists)."""
    non_null: bool
    items_non_null: bool
    child: _Plan | None
    """The plan of the object type below (objects and object lists)."""


@dataclass(frozen=True, slots=True)
class _Plan:
    object_type: GraphQLObjectType
    fields: tuple[_Field, ...]
    flat: bool
    """Only direct leaves: completed synchronously."""


class _NotFlat(Exception):
    """This list needs graphql-core's full path."""


_SHARED_PLANS = 1024
SharedPlans = dict[
    tuple[GraphQLObjectType, tuple[int, ...], tuple[tuple[str, bool], ...]],
    tuple[tuple[Any, ...], _Plan | None],
]
"""Plans by object type, selection nodes and Boolean variables (``_shared_plan``)."""


def _shared_plans_of(schema: GraphQLSchema) -> SharedPlans:
    """The shared plans of one schema, kept on it: they hold its types, so they go when it
    goes. (One dict for the whole process held every schema it had planned for: the test
    suite builds one per configuration, and a test worker's heap grew to 1.4-1.8 million
    objects, whose full garbage collections paused it for up to 10 s on the loaded machine.
    A server has one schema either way.)"""
    plans: SharedPlans | None = schema.__dict__.get("_roster_shared_plans")
    if plans is None:
        plans = schema.__dict__["_roster_shared_plans"] = {}
    return plans


def _weakly(executor: Any, name: str) -> Callable[..., Any]:
    """``executor``'s method ``name``, holding the executor weakly (it runs only while the
    executor executes, so while something else holds it)."""
    method = weakref.WeakMethod(getattr(executor, name))

    def call(*args: Any, **kwargs: Any) -> Any:
        bound = method()
        assert bound is not None  # called only during the execution
        return bound(*args, **kwargs)

    return call


class FlatListExecutionContext(StrawberryGraphQLCoreExecutionContext):
    _handing_back = False
    """Set while graphql-core completes what a plan handed back: not planned again."""
    _object_plans: dict[tuple[str, int], tuple[FieldDetailsList, _Plan | None]] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """graphql-core's executor, without its one reference cycle: it keeps its own bound
        ``gather_async_work``/``track_async_work`` in ``async_helpers``, so every request's
        executor (and the context, variables and loaders it holds, about 40 objects) was left
        to the garbage collector, whose runs then took 40-60 µs per one-user lookup. Through
        weak references they are freed when the request ends."""
        super().__init__(*args, **kwargs)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_weakly(self, "gather_async_work"), track=_weakly(self, "track_async_work")
        )

    def execute_operation(self, serially: bool | None = None) -> Any:
        """The operation, inside a trace span when traces are on (``datasources.spans``):
        every path (Strawberry's, ``schema.direct_execution``'s) executes through this
        class, so the span and the SQL and LDAP spans below it are there on each. Off, one
        attribute read.

        A live subscription's event is executed once for every subscriber asking the same
        (``schema.shared_events``)."""
        if self.operation.operation is OperationType.SUBSCRIPTION:
            key = shared_events.key_of(
                self.root_value, self.operation, self.variable_values, self.context_value
            )
            if key is not None:
                return shared_events.shared(
                    key, self.operation, lambda: self._execute_operation(serially)
                )
        return self._execute_operation(serially)

    def _execute_operation(self, serially: bool | None) -> Any:
        span = spans.opener
        if span is None:
            return super().execute_operation(serially)
        return self._traced_operation(span, serially)

    async def _traced_operation(self, span: spans.SpanOpener, serially: bool | None) -> Any:
        operation = self.operation
        kind = operation.operation.value
        name = operation.name.value if operation.name else None
        attributes = {"graphql.operation.type": kind}
        if name:
            attributes["graphql.operation.name"] = name
        with span(f"{kind} {name}" if name else kind, attributes):
            result = super().execute_operation(serially)
            if self.is_awaitable(result):
                result = await result
            return result

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if (
            isinstance(items, list | tuple)
            and len(items) > 1
            and _enabled.get()
            and not self._handing_back
        ):
            plan = self._plan(item_type, field_details_list, path)
            if plan is not None and plan.flat:
                try:
                    return [_flat_row(plan, item, info) for item in items]
                except _NotFlat:
                    return self._hand_back(
                        item_type, field_details_list, info, path, items, position_context
                    )
            elif plan is not None:
                return self._complete_planned(
                    plan, item_type, field_details_list, info, path, items, position_context
                )
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """One object (``customerUser(login:)``, a list's only item, a relation below a
        field graphql-core completes) by the same plan as a list of one: its whole selection
        level by level, every relation below it started together."""
        if _enabled.get() and not self._handing_back:
            plan = self._cached_plan(return_type, field_details_list)
            if plan is not None and plan.flat:
                try:
                    return _flat_row(plan, result, info)
                except _NotFlat:
                    pass
            elif plan is not None:
                return self._complete_one_planned(
                    plan, return_type, field_details_list, info, path, result, position_context
                )
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _cached_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Plan | None:
        """The plan of ``object_type`` under this selection, made once per request (an
        unplanned list asks for every item) and shared by the requests of the same document
        (``_shared_plan``)."""
        plans = self._object_plans
        if plans is None:
            plans = self._object_plans = {}
        key = (object_type.name, id(field_details_list))
        cached = plans.get(key)
        if cached is not None and cached[0] is field_details_list:
            return cached[1]
        plan = self._shared_plan(object_type, field_details_list)
        plans[key] = (field_details_list, plan)  # keeps the list alive: its id stays its own
        return plan

    def _shared_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Plan | None:
        """A plan depends only on the schema, the selection's nodes (the document cache
        keeps a text's AST, so a repeated query has the same nodes) and the Boolean variables
        (``@include``/``@skip``): made once for them, not per request (planning one user with
        everything was about 50 field plans a request). Selections with ``@defer`` or
        fragment variables are planned per request."""
        if any(
            d.defer_usage is not None or d.fragment_variable_values is not None
            for d in field_details_list
        ):
            return self._object_plan(object_type, field_details_list)
        nodes = tuple(d.node for d in field_details_list)
        switches = tuple(
            sorted((k, v) for k, v in self.variable_values.coerced.items() if isinstance(v, bool))
        )
        key = (object_type, tuple(map(id, nodes)), switches)
        shared_plans = _shared_plans_of(self.schema)
        cached = shared_plans.get(key)
        if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
            return cached[1]
        plan = self._object_plan(object_type, field_details_list)
        if len(shared_plans) >= _SHARED_PLANS:
            shared_plans.clear()
        shared_plans[key] = (nodes, plan)  # the nodes stay alive: their ids stay theirs
        return plan

    async def _complete_one_planned(
        self,
        plan: _Plan,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> dict[str, Any]:
        try:
            completed = await _complete_level(plan, [result], info, self.context_value)
        except _NotFlat:
            Tally.handed_back += 1
        else:
            Tally.planned += 1
            return completed[0]
        self._handing_back = True
        try:
            general = super().complete_object_value(
                return_type, field_details_list, info, path, result, position_context
            )
        finally:
            self._handing_back = False
        if self.is_awaitable(general):
            return await general
        return general  # type: ignore[return-value]

    async def _complete_planned(
        self,
        plan: _Plan,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> list[Any]:
        try:
            completed_items = await _complete_level(plan, list(items), info, self.context_value)
        except _NotFlat:
            Tally.handed_back += 1
        else:
            Tally.planned += 1
            return completed_items
        completed = self._hand_back(
            item_type, field_details_list, info, path, items, position_context
        )
        if self.is_awaitable(completed):
            return await completed
        return completed  # type: ignore[return-value]

    def _hand_back(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """graphql-core's completion of ``items``; their objects are not planned again (the
        plan already failed on them)."""
        self._handing_back = True
        try:
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        finally:
            self._handing_back = False

    def _plan(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> _Plan | None:
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not isinstance(object_type, GraphQLObjectType):
            return None
        if self.get_stream_usage(field_details_list, path) is not None:
            return None
        return self._cached_plan(object_type, field_details_list)

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _Plan | None:
        grouped, new_defer_usages, _forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        fields = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == TYPENAME:
                fields.append(
                    _Field(
                        key, LEAF, _constant(object_type.name), None, None, str, True, True, None
                    )
                )
                continue
            planned = self._field_plan(object_type, key, name, details)
            if planned is None:
                return None
            fields.append(planned)
        flat = all(f.kind == LEAF and f.read is not None for f in fields)
        return _Plan(object_type, tuple(fields), flat)

    def _field_plan(
        self, object_type: GraphQLObjectType, key: str, name: str, details: FieldDetailsList
    ) -> _Field | None:
        field = object_type.fields.get(name)
        if field is None or field.args:
            return None
        read = reader_of(field.resolve)
        read_with_context = None if read is not None else context_reader_of(field.resolve)
        read_many = None if read is not None else many_reader_of(field.resolve)
        if read is None and read_with_context is None:
            return None
        field_type: Any = field.type
        non_null = isinstance(field_type, GraphQLNonNull)
        if non_null:
            field_type = field_type.of_type
        items_non_null = False
        is_list = isinstance(field_type, GraphQLList)
        if is_list:
            if any(_streamed(d.node) for d in details):
                return None
            field_type = field_type.of_type
            items_non_null = isinstance(field_type, GraphQLNonNull)
            if items_non_null:
                field_type = field_type.of_type
        if isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
            kind = LEAF_LIST if is_list else LEAF
            coerce = field_type.coerce_output_value
            return _Field(
                key,
                kind,
                read,
                read_with_context,
                read_many,
                coerce,
                non_null,
                items_non_null,
                None,
            )
        if isinstance(field_type, GraphQLObjectType):
            child = self._object_plan(field_type, details)
            if child is None:
                return None
            kind = OBJECT_LIST if is_list else OBJECT
            return _Field(
                key, kind, read, read_with_context, read_many, None, non_null, items_non_null, child
            )
        return None


def _streamed(node: Any) -> bool:
    return any(d.name.value == "stream" for d in node.directives or ())


def _constant(value: str) -> Callable[[Any], str]:
    def read(_item: Any) -> str:
        return value

    return read


def _flat_row(plan: _Plan, item: Any, info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    is_type_of = plan.object_type.is_type_of
    if is_type_of is not None and is_type_of(item, info) is not True:
        raise _NotFlat
    row: dict[str, Any] = {}
    try:
        for field in plan.fields:
            row[field.key] = _leaf(field, field.read(item))  # type: ignore[misc]
    except _NotFlat:
        raise
    except Exception as exc:  # graphql-core's path reports it as the field's error
        raise _NotFlat from exc
    return row


def _leaf(field: _Field, value: Any) -> Any:
    if value is None:
        if field.non_null:
            raise _NotFlat
        return None
    coerced = field.coerce(value)  # type: ignore[misc]
    if coerced is None or coerced is Undefined:
        raise _NotFlat
    return coerced


def _leaf_list(field: _Field, value: Any) -> Any:
    if value is None:
        if field.non_null:
            raise _NotFlat
        return None
    if not isinstance(value, list | tuple):
        raise _NotFlat
    out: list[Any] = []
    for item in value:
        if item is None:
            if field.items_non_null:
                raise _NotFlat
            out.append(None)
            continue
        coerced = field.coerce(item)  # type: ignore[misc]
        if coerced is None or coerced is Undefined:
            raise _NotFlat
        out.append(coerced)
    return out


async def _complete_level(
    plan: _Plan, sources: list[Any], info: GraphQLResolveInfo[Any], context: Any
) -> list[dict[str, Any]]:
    """The completed dictionaries of ``sources`` (all of ``plan``'s type), every field of
    the level started before any is awaited, the objects below completed as one level."""
    try:
        return await _level(plan, sources, info, context)
    except _NotFlat:
        raise
    except Exception as exc:  # a reader or a serializer failed: graphql-core reports it
        raise _NotFlat from exc


async def _level(
    plan: _Plan, sources: list[Any], info: GraphQLResolveInfo[Any], context: Any
) -> list[dict[str, Any]]:
    is_type_of = plan.object_type.is_type_of
    if is_type_of is not None:
        for source in sources:
            if is_type_of(source, info) is not True:
                raise _NotFlat
    columns: list[list[Any]] = []
    waiting: list[tuple[list[Any], int, Any]] = []
    whole: list[tuple[int, Any]] = []
    for position, field in enumerate(plan.fields):
        if field.read is not None:
            read = field.read
            columns.append([read(source) for source in sources])
            continue
        if field.read_many is not None:
            whole.append((position, field.read_many(sources, context)))
            columns.append([])
            continue
        read_with_context = field.read_with_context
        assert read_with_context is not None
        values = [read_with_context(source, context) for source in sources]
        for index, value in enumerate(values):
            if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
                waiting.append((values, index, value))
        columns.append(values)
    if waiting or whole:
        answers = await asyncio.gather(
            *(w[1] for w in whole), *(w[2] for w in waiting), return_exceptions=True
        )
        for (position, _), answer in zip(whole, answers, strict=False):
            if isinstance(answer, BaseException):
                raise _NotFlat from answer
            if not isinstance(answer, list) or len(answer) != len(sources):
                raise _NotFlat
            columns[position] = answer
        for (values, index, _), answer in zip(waiting, answers[len(whole) :], strict=True):
            if isinstance(answer, BaseException):
                raise _NotFlat from answer
            values[index] = answer
    # The objects below: one level per field, completed concurrently (their loaders batch
    # across the fields as graphql-core's path lets them).
    below: list[tuple[int, list[Any]]] = []
    for position, field in enumerate(plan.fields):
        if field.kind == OBJECT:
            below.append((position, _objects(field, columns[position])))
        elif field.kind == OBJECT_LIST:
            below.append((position, _object_lists(field, columns[position])))
    if below:
        done = await asyncio.gather(
            *(
                _level(plan.fields[position].child, children, info, context)  # type: ignore[arg-type]
                for position, children in below
            )
        )
        for (position, _children), rows in zip(below, done, strict=True):
            columns[position] = _put_back(plan.fields[position], columns[position], rows)
    out: list[dict[str, Any]] = [{} for _ in sources]
    for position, field in enumerate(plan.fields):
        key, values = field.key, columns[position]
        if field.kind == LEAF:
            for row, value in zip(out, values, strict=True):
                row[key] = _leaf(field, value)
        elif field.kind == LEAF_LIST:
            for row, value in zip(out, values, strict=True):
                row[key] = _leaf_list(field, value)
        else:
            for row, value in zip(out, values, strict=True):
                row[key] = value
    return out


def _objects(field: _Field, values: list[Any]) -> list[Any]:
    children = []
    for value in values:
        if value is None:
            if field.non_null:
                raise _NotFlat
            continue
        children.append(value)
    return children


def _object_lists(field: _Field, values: list[Any]) -> list[Any]:
    children = []
    for value in values:
        if value is None:
            if field.non_null:
                raise _NotFlat
            continue
        if not isinstance(value, list | tuple):
            raise _NotFlat
        for item in value:
            if item is None:
                raise _NotFlat  # graphql-core's path nulls or reports it
            children.append(item)
    return children


def _put_back(field: _Field, values: list[Any], rows: list[dict[str, Any]]) -> list[Any]:
    """Each parent's value with its objects replaced by their completed dictionaries."""
    completed = iter(rows)
    if field.kind == OBJECT:
        return [None if value is None else next(completed) for value in values]
    return [None if value is None else [next(completed) for _ in value] for value in values]
