"""Answer a known query document with one SQL statement that builds its whole answer.

Why: peer bench Q2 (a page of 1000 customer users with their customer, customer IDs, group
grants and services) cost ~140 ms of CPU per request on the general path, against ~60 ms for
PostGraphile, which lets PostgreSQL build the nested result; Q3 (one user with everything)
took seven statements. Here a document whose every field is one of the relations below is
turned, once per document (plans are cached like ``schema.flat_lists``' by the parsed
document's identity), into a :class:`~domain.nested_shape.Root` list; the database builds
the answer as JSON in one statement (``datasources.db.nested_reads``) and it is parsed once:
no loader, record, resolver or field completion per value.

What can be planned (anything else, or any doubt, is answered by the general path):
- a query operation of only ``customerUser(login:)``, ``customerUsers(valid:, first:)``
  selecting only ``nodes``, and ``defaultServices``; plain fields with aliases, no
  fragments, no directives, no ``__typename``, no response key twice;
- below them the fields of :data:`_FIELDS` (and a customer user's or customer's Map values
  of type ``var``), none with arguments, a permission or an extension: the general path runs
  nothing else on them, so the answer is the same (``tests/api/test_planner.py`` compares
  both paths byte for byte on PostgreSQL);
- only where ``Storage.nested_reads`` exists: PostgreSQL or MariaDB with one database
  customer-user backend (on MariaDB only ``customerUser(login:)`` with the user's own fields;
  the statement is built before the operation's span opens, so a shape the database cannot
  spell leaves no span). SQLite, LDAP and several backends take the general path.

Authorization: the root fields' permission classes are checked here with the request's
actor, as Strawberry checks them; when one refuses, the general path answers (with its
error). A failing statement (a database down, a timeout, a value PostgreSQL refuses) is not
reported from here: the general path runs and reports it as always. ``server.planner =
false`` turns the planner off; ``disabled()`` does so for one block (tests).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.permission import PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from datasources import spans
from datasources.paging import MAX_PAGE_SIZE
from domain.company_map import KNOWN_FIELDS, is_custom
from domain.config import CustomerCompanyConfig
from domain.nested_shape import ATTRIBUTE, Member, Root, Shape, Unplannable
from schema.customer_user import FieldSpec

DEFINITION_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
logger = logging.getLogger("roster.graphql")

_enabled: ContextVar[bool] = ContextVar("roster_planner", default=True)


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Answer every request through the general path inside this block (tests compare)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


class Tally:
    """Requests the planner answered (tests read it: the equality tests must use it)."""

    answered = 0


_Relation = tuple[str, str]
"""A relation field: its domain name and the GraphQL type of its objects."""

_FIELDS: dict[str, dict[str, str | _Relation]] = {
    "CustomerUser": {
        "login": "login",
        "validity": "validity",
        "createdAt": "created_at",
        "changedAt": "changed_at",
        "customer": ("customer", "Customer"),
        "customerIds": "customer_ids",
        "customers": ("customers", "Customer"),
        "groupGrants": ("group_grants", "GroupGrant"),
        "services": ("services", "Service"),
        "availableServices": ("available_services", "Service"),
        "usesDefaultServices": "uses_default_services",
    },
    "Customer": {
        "createdAt": "created_at",
        "changedAt": "changed_at",
        "groupGrants": ("group_grants", "CustomerGroupGrant"),
    },
    "GroupGrant": {"group": ("group", "Group"), "permissions": "permissions"},
    "CustomerGroupGrant": {
        "group": ("group", "Group"),
        "permissions": "permissions",
        "context": "context",
    },
    "Group": {"name": "name", "comment": "comment", "validity": "validity"},
    "Service": {"name": "name", "comment": "comment", "validity": "validity"},
}
"""The fields the planner knows, per type: GraphQL name → the domain name
``datasources.db.nested_reads`` spells (the Map values are added per configuration)."""


@dataclass(frozen=True, slots=True)
class _RootPlan:
    key: str
    field: GraphQLField
    node: FieldNode
    kind: str
    shape: Shape
    nodes_key: str
    permissions: tuple[type[Any], ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    operation: OperationDefinitionNode
    roots: tuple[_RootPlan, ...]


class Planner:
    """Plans and answers documents for one schema; see the module's docstring."""

    def __init__(
        self,
        schema: strawberry.Schema,
        specs: list[FieldSpec],
        customer_company: CustomerCompanyConfig,
    ) -> None:
        self._schema = schema._schema
        fields = {name: dict(known) for name, known in _FIELDS.items()}
        for spec in specs:
            if spec.type == "var":
                fields["CustomerUser"].setdefault(spec.graphql_name, ATTRIBUTE + spec.attribute)
        for row in customer_company.map_fields():
            if not is_custom(row):
                fields["Customer"].setdefault(row.graphql_name, KNOWN_FIELDS[row.attribute])
        self._fields = fields
        self._plans: dict[tuple[int, str | None], tuple[DocumentNode, _Plan | None]] = {}

    async def answer(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variable_values: dict[str, Any] | None,
        context: Any,
    ) -> dict[str, Any] | None:
        """The ``data`` of the answer, or None when the general path must answer."""
        if not _enabled.get():
            return None
        reads = context.storage.nested_reads
        if reads is None:
            return None
        plan = self._plan(document, operation_name)
        if plan is None:
            return None
        try:
            request = self._request(plan, variable_values or {}, context)
        except GraphQLError:  # a value the general path refuses: it reports it
            return None
        if request is None:
            return None
        roots, parameters = request
        try:
            span = spans.opener
            # Unplannable (on MariaDB, most shapes) before a span opens
            statement = reads.statement(roots)
            if span is None:
                text = await reads.read(roots, parameters, statement)
            else:  # the operation's span, as the general path opens it (schema.flat_lists)
                with span(*_operation_span(plan.operation)):
                    text = await reads.read(roots, parameters, statement)
        except Unplannable as exc:
            logger.debug("not planned: %s", exc)
            self._plans[(id(document), operation_name)] = (document, None)
            return None
        except Exception as exc:  # the general path runs it again and reports what fails
            logger.debug("the planned statement failed: %r", exc)
            return None
        Tally.answered += 1
        data: dict[str, Any] = orjson.loads(text)
        return data

    # ---- per request ---------------------------------------------------------------------

    def _request(
        self, plan: _Plan, raw: dict[str, Any], context: Any
    ) -> tuple[list[Root], dict[str, Any]] | None:
        variables = get_variable_values(
            self._schema, plan.operation.variable_definitions or (), raw
        )
        if isinstance(variables, list):  # errors: the general path reports them
            return None
        info = SimpleNamespace(context=context)
        roots: list[Root] = []
        parameters: dict[str, Any] = {}
        for root in plan.roots:
            if not all(p().has_permission(None, info) is True for p in root.permissions):
                return None
            arguments = get_argument_values(root.field, root.node, variables)
            valid_only = False
            if root.kind == "customer_user":
                login = arguments.get("login")
                if not isinstance(login, str) or "login" in parameters:
                    return None
                parameters["login"] = login
            elif root.kind == "customer_user_page":
                first = arguments.get("first")
                if not isinstance(first, int) or not 0 <= first <= MAX_PAGE_SIZE:
                    return None
                if "first" in parameters:
                    return None
                parameters["first"] = first
                valid_only = bool(arguments.get("valid"))
            roots.append(Root(root.key, root.kind, root.shape, root.nodes_key, valid_only))  # type: ignore[arg-type]
        return roots, parameters

    # ---- planning (once per document) -----------------------------------------------------

    def _plan(self, document: DocumentNode, operation_name: str | None) -> _Plan | None:
        key = (id(document), operation_name)
        cached = self._plans.get(key)
        if cached is not None and cached[0] is document:
            return cached[1]
        try:
            plan = self._make_plan(document, operation_name)
        except Unplannable as exc:
            logger.debug("not planned: %s", exc)
            plan = None
        if len(self._plans) >= 1024:
            self._plans.clear()
        self._plans[key] = (document, plan)  # the document stays alive: its id stays its own
        return plan

    def _make_plan(self, document: DocumentNode, operation_name: str | None) -> _Plan:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != len(document.definitions):
            raise Unplannable("fragments")
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
            raise Unplannable("operation")
        operation = operations[0]
        if operation.directives:
            raise Unplannable("directives")
        query = self._schema.query_type
        assert query is not None
        roots = []
        for key, node in _fields(operation.selection_set):
            field = query.fields.get(node.name.value)
            if field is None:
                raise Unplannable(node.name.value)
            roots.append(self._root(key, node, field))
        return _Plan(operation, tuple(roots))

    def _root(self, key: str, node: FieldNode, field: GraphQLField) -> _RootPlan:
        permissions = _root_permissions(field)
        name = node.name.value
        arguments = {a.name.value for a in node.arguments or ()}
        if name == "customerUser" and arguments == {"login"}:
            shape = self._shape("CustomerUser", field, node)
            return _RootPlan(key, field, node, "customer_user", shape, "", permissions)
        if name == "customerUsers" and arguments <= {"valid", "first"}:
            connection = _object_type(field)
            nodes = list(_fields(_selection(node)))
            if len(nodes) != 1 or nodes[0][1].name.value != "nodes":
                raise Unplannable("a connection's fields other than nodes")
            nodes_key, nodes_node = nodes[0]
            nodes_field = connection.fields["nodes"]
            _plain(nodes_field, nodes_node)
            shape = self._shape("CustomerUser", nodes_field, nodes_node)
            return _RootPlan(key, field, node, "customer_user_page", shape, nodes_key, permissions)
        if name == "defaultServices" and not arguments:
            shape = self._shape("Service", field, node)
            return _RootPlan(key, field, node, "default_services", shape, "", permissions)
        raise Unplannable(name)

    def _shape(self, type_name: str, field: GraphQLField, node: FieldNode) -> Shape:
        object_type = _object_type(field)
        if object_type.name != type_name:
            raise Unplannable(object_type.name)
        known = self._fields[type_name]
        members = []
        for key, child in _fields(_selection(node)):
            name = child.name.value
            planned = known.get(name)
            child_field = object_type.fields.get(name)
            if planned is None or child_field is None:
                raise Unplannable(f"{type_name}.{name}")
            _plain(child_field, child)
            non_null = isinstance(child_field.type, GraphQLNonNull)
            if isinstance(planned, tuple):
                domain_name, child_type = planned
                shape = self._shape(child_type, child_field, child)
                members.append(Member(key, domain_name, non_null, shape))
            else:
                if child.selection_set is not None:
                    raise Unplannable(name)
                members.append(Member(key, planned, non_null))
        return Shape(tuple(members))


def _operation_span(operation: OperationDefinitionNode) -> tuple[str, dict[str, str]]:
    kind = operation.operation.value
    name = operation.name.value if operation.name else None
    attributes = {"graphql.operation.type": kind}
    if name:
        attributes["graphql.operation.name"] = name
    return (f"{kind} {name}" if name else kind), attributes


def _fields(selection_set: SelectionSetNode) -> Iterator[tuple[str, FieldNode]]:
    """The plain fields of a selection with their response keys (each key once)."""
    seen: set[str] = set()
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise Unplannable("a fragment or a directive")
        key = selection.alias.value if selection.alias else selection.name.value
        if key in seen:
            raise Unplannable("a response key twice")
        seen.add(key)
        yield key, selection


def _selection(node: FieldNode) -> SelectionSetNode:
    if node.selection_set is None:
        raise Unplannable(node.name.value)
    return node.selection_set


def _object_type(field: GraphQLField) -> GraphQLObjectType:
    kind: Any = field.type
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    if not isinstance(kind, GraphQLObjectType):
        raise Unplannable("not an object type")
    return kind


def _plain(field: GraphQLField, node: FieldNode) -> None:
    """Refuse a field with arguments, a permission or an extension (the general path would
    run them)."""
    if node.arguments or field.args:
        raise Unplannable("arguments")
    definition = field.extensions.get(DEFINITION_BACKREF)
    if isinstance(definition, StrawberryField) and (
        definition.permission_classes or definition.extensions
    ):
        raise Unplannable("a permission or an extension")


def _root_permissions(field: GraphQLField) -> tuple[type[Any], ...]:
    """The root field's permission classes (checked per request); refused when it carries
    another extension than the one checking them."""
    definition = field.extensions.get(DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        raise Unplannable("not a Strawberry field")
    if any(not isinstance(e, PermissionExtension) for e in definition.extensions):
        raise Unplannable("an extension")
    return tuple(definition.permission_classes)
