"""What a query asks for, counted before it runs, against ``server.max_query_cost``.

Why: the depth and alias limits bound a document's shape, not its work. A 192-byte query of
four nested ``first: 1000`` connections is shallow and has no aliases, yet asks for 10^12
objects: it ran for 108 s, grew its worker by 2.4 GB and stalled every request behind it.
A query's cost bounds the work before any of it is done.

The cost counts the fields the query can answer:
- every field costs 1 (``__typename`` too);
- a field with a ``first`` argument is a connection: the list fields directly in its
  selection (``nodes``, ``edges``) are multiplied by that page size, from the argument (a
  literal, the request's variable, the variable's default) or the field's default (100),
  capped at the largest page (1000: a larger ``first`` is refused by the field anyway);
- any other list of objects (``effectivePermissions``, ``services``, ``customers`` of a
  user…) is multiplied by ``server.assumed_list_size``; a list of scalars costs 1;
- aliases are separate fields, fragments are counted where they are spread, and the
  alternatives of an abstract type (``node { ... on A {…} ... on B {…} }``) add up.
Each fragment is counted once per page size it is spread under and reused, so counting takes
time linear in the document (a fragment that spreads the next one twice, 30 deep, costs 2^30
and is counted in 30 steps). Costs above 2^53 (JSON's exact integers) count as 2^53.

The cost depends on the variables (``first: $n``), so it is worked out per request, after
validation, on both execution paths; a text's cost is kept per (text, operation, values of
the variables its page sizes use), so a repeated one-user lookup pays one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from schema.document_cache import MAX_TEXT_LENGTH, Lru

CODE = "QUERY_TOO_COSTLY"
CEILING = 2**53
PAGE_ARGUMENT = "first"


@dataclass(frozen=True)
class CostLimits:
    maximum: int
    assumed_list_size: int
    max_page_size: int


@dataclass(frozen=True)
class CostVerdict:
    cost: int
    maximum: int

    @property
    def error(self) -> GraphQLError | None:
        """The error refusing the request, or None when it may run."""
        if self.cost <= self.maximum:
            return None
        return GraphQLError(
            f"The query's cost is {self.cost}, more than the maximum of {self.maximum}: "
            "ask for smaller pages (`first`), fewer nested lists or fewer aliases, or split "
            "it into several requests.",
            extensions={"code": CODE, "cost": self.cost, "maximumCost": self.maximum},
        )

    @property
    def extensions(self) -> dict[str, Any]:
        """What an accepted request reports in the response's ``extensions``."""
        return {"cost": {"requested": self.cost, "maximum": self.maximum}}


class QueryCost:
    """Counts queries of one schema under ``limits``; see the module's docstring."""

    def __init__(self, limits: CostLimits) -> None:
        self.limits = limits
        self._page_variables: Lru[str, tuple[str, ...]] = Lru()
        self._costs: Lru[tuple[Any, ...], int] = Lru(max_entries=2048)

    def verdict(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> CostVerdict:
        """The cost of running ``operation_name`` of ``document`` (a valid one) with
        ``variables``, against the maximum."""
        if len(text) > MAX_TEXT_LENGTH:  # not cached, as document_cache does not
            cost = self.cost(schema, document, operation_name, variables)
            return CostVerdict(cost, self.limits.maximum)
        names = self._page_variables.get(text)
        if names is None:
            names = _page_variable_names(document)
            self._page_variables.put(text, names)
        values = variables or {}
        key = (text, operation_name, *(_page_value(values.get(name)) for name in names))
        known = self._costs.get(key)
        if known is None:
            known = self.cost(schema, document, operation_name, variables)
            self._costs.put(key, known)
        return CostVerdict(known, self.limits.maximum)

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            chosen = operations if len(operations) == 1 else []
        else:
            chosen = [o for o in operations if o.name and o.name.value == operation_name]
        # An operation the executor cannot pick is refused by it: count the costliest.
        return max(
            (
                _Counter(schema, document, op, variables, self.limits).total()
                for op in chosen or operations
            ),
            default=0,
        )


def _page_value(value: Any) -> int | None:
    """A variable's value as far as a page size goes (hashable)."""
    return value if isinstance(value, int) else None


def _page_variable_names(document: DocumentNode) -> tuple[str, ...]:
    """The variables that some ``first`` argument of ``document`` takes."""
    names: set[str] = set()
    pending: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value == PAGE_ARGUMENT and isinstance(
                        argument.value, VariableNode
                    ):
                        names.add(argument.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return tuple(sorted(names))


class _Counter:
    """One count of one operation (fragments memoized per page size)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        limits: CostLimits,
    ) -> None:
        self._schema = schema
        self._operation = operation
        self._limits = limits
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        # Only whole numbers are page sizes; any other value fails the executor's coercion
        # and counts as absent (the cache key above reads values the same way).
        self._variables = {k: v for k, v in (variables or {}).items() if _page_value(v) is not None}
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            default = definition.default_value
            if name not in self._variables and isinstance(default, IntValueNode):
                self._variables[name] = int(default.value) if len(default.value) < 12 else None
        self._known: dict[tuple[str, int | None], int] = {}
        self._open: set[tuple[str, int | None]] = set()

    def total(self) -> int:
        root = self._schema.get_root_type(self._operation.operation)
        if root is None:
            return 0
        try:
            return self._selection(self._operation.selection_set, root, None)
        except RecursionError:  # validation refuses nesting that deep: never expected here
            return CEILING

    def _selection(self, selection_set: SelectionSetNode, parent: Any, page: int | None) -> int:
        """The cost of ``selection_set`` on type ``parent``; ``page``: the size of its lists
        when ``parent`` is a connection, None otherwise."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._schema.get_type(condition.name.value) if condition else parent
                total += self._selection(selection.selection_set, inner, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value, page)
        return min(total, CEILING)

    def _field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        definition = self._definition(node.name.value, parent)
        if definition is None or node.selection_set is None:
            return 1
        inner = self._selection(
            node.selection_set, get_named_type(definition.type), self._page_size(node, definition)
        )
        lists = _list_depth(definition.type)
        if lists:
            size = page if page is not None else self._limits.assumed_list_size
            inner *= size**lists
        return min(1 + inner, CEILING)

    def _definition(self, name: str, parent: Any) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent is self._schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        fields = getattr(parent, "fields", None)  # a union has none but __typename
        return fields.get(name) if fields is not None else None

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """The page size of a connection field, None for any other field."""
        argument = definition.args.get(PAGE_ARGUMENT)
        if argument is None:
            return None
        value: Any = argument.default_value
        for given in node.arguments or ():
            if given.name.value != PAGE_ARGUMENT:
                continue
            if isinstance(given.value, IntValueNode):
                digits = given.value.value  # validation refused anything past 32 bits
                value = int(digits) if len(digits) < 12 else self._limits.max_page_size
            elif isinstance(given.value, VariableNode):
                value = self._variables.get(given.value.name.value, value)
        if not isinstance(value, int):
            value = self._limits.assumed_list_size
        return max(0, min(value, self._limits.max_page_size))

    def _fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        known = self._known.get(key)
        if known is not None:
            return known
        definition = self._fragments.get(name)
        if definition is None or key in self._open:  # refused by validation already
            return 0
        self._open.add(key)
        cost = self._selection(
            definition.selection_set,
            self._schema.get_type(definition.type_condition.name.value),
            page,
        )
        self._open.discard(key)
        self._known[key] = cost
        return cost


def _list_depth(type_: GraphQLOutputType) -> int:
    """How many lists ``type_`` wraps (``[[X!]!]`` is 2)."""
    depth = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            depth += 1
        type_ = type_.of_type
    return depth
