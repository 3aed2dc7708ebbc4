"""Assemble the schema for one configuration: types from the Maps, each area's queries and
mutations (``schema/api/``), ``node``, limits, caches and error masking."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from graphql import ASTValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from datasources.paging import MAX_PAGE_SIZE
from domain.config import RosterConfig
from resolvers.errors import BadUserInput
from schema import dynamic, retries
from schema.api import AREAS
from schema.audit import Info
from schema.common import SCALAR_OVERRIDES, Node, parse_global_id
from schema.customer import build_customer_type
from schema.customer_user import CustomerUserTypes, build_customer_user_types
from schema.direct_execution import DirectExecution
from schema.document_cache import DocumentCache, DocumentRules, Lru, Verdicts
from schema.flat_lists import FlatListExecutionContext
from schema.limit_rules import alias_limit_rule, depth_limit_rule
from schema.live import subscription as build_subscription
from schema.masking import MaskUnexpectedErrors, RosterSchema, report_errors
from schema.outages import BackendOutages
from schema.permissions import CustomerSessionFields, customer_session_fields, guard_root_fields
from schema.planner import Planner
from schema.query_cost import CostLimits, QueryCost
from schema.time_limit import StatementTimeouts

NodeLoader = Callable[[Info, str], Awaitable[Any]]

MAX_NODES = 100
"""The most IDs one ``nodes`` field takes (as GitHub's API): a larger batch is refused."""

QUERY_DESCRIPTION = (
    "Reads. Every field needs an API key with the read scope (or admin), unless it says that "
    "a customer session may use it."
)
MUTATION_DESCRIPTION = (
    "Writes, each in one transaction: it all happens or nothing does. Expected problems are "
    "in the payload's userErrors; top-level errors are for authentication, authorization, "
    "limits and outages."
)
INPUT_DESCRIPTION = (
    "What to do, checked as a whole before anything is written: each problem is reported in "
    "the payload's userErrors."
)


def _node_query(loaders: dict[str, NodeLoader]) -> Any:
    async def load(info: Info, id: str) -> Any:
        parsed = parse_global_id(id)
        if parsed is None or parsed[0] not in loaders:
            return None
        return await loaders[parsed[0]](info, parsed[1])

    @strawberry.type
    class NodeQuery:
        @strawberry.field(
            description="Any object by its global ID, with the same authorization as the "
            "typed queries; null for an unknown or malformed ID."
        )
        async def node(
            self,
            info: Info,
            id: Annotated[
                strawberry.ID,
                strawberry.argument(
                    description="A global ID, as an object's `id` field gave it (opaque)."
                ),
            ],
        ) -> Node | None:
            return await load(info, id)

        @strawberry.field(
            description=f"Several objects by their global IDs at once (at most {MAX_NODES}), "
            "in the order asked, with the same authorization as node: null in the place of "
            "an unknown or malformed ID. Loaded in batches (one lookup per type, not per ID)."
        )
        async def nodes(
            self,
            info: Info,
            ids: Annotated[
                list[strawberry.ID],
                strawberry.argument(
                    description=f"Global IDs (at most {MAX_NODES}); the same ID twice gives "
                    "the object twice."
                ),
            ],
        ) -> list[Node | None]:
            if len(ids) > MAX_NODES:
                raise BadUserInput(
                    f"nodes takes at most {MAX_NODES} IDs (got {len(ids)}).", argument="ids"
                )
            # Gathered, the loads of one type land in one DataLoader batch: no N+1.
            return list(await asyncio.gather(*(load(info, id) for id in ids)))

    return NodeQuery


def _describe_roots(query: Any, mutation: Any) -> None:
    """The merged root types get their descriptions, and each mutation's one ``input``
    argument the convention's (``ARCHITECTURE.md``: one ``input:``, problems in
    ``userErrors``) unless its field says more."""
    query.__strawberry_definition__.description = QUERY_DESCRIPTION
    mutation.__strawberry_definition__.description = MUTATION_DESCRIPTION
    for field in mutation.__strawberry_definition__.fields:
        for argument in field.arguments:
            if argument.python_name == "input" and not argument.description:
                argument.description = INPUT_DESCRIPTION


def _document_rules(config: RosterConfig) -> DocumentRules:
    server = config.server
    # The limit rules are built once, not per request (as QueryDepthLimiter(...) would), and
    # take time linear in the document, unlike Strawberry's (``schema/limit_rules.py``).
    limit_rules: list[type[ASTValidationRule]] = [
        depth_limit_rule(server.max_query_depth),
        alias_limit_rule(server.max_aliases),
    ]
    if not server.introspection:
        limit_rules.append(NoSchemaIntrospectionCustomRule)
    cost = QueryCost(CostLimits(server.max_query_cost, server.assumed_list_size, MAX_PAGE_SIZE))
    return DocumentRules(
        max_tokens=server.max_tokens, validation_rules=tuple(limit_rules), cost=cost
    )


def _extensions(verdicts: Verdicts, rules: DocumentRules) -> list[Any]:
    # The direct path does these extensions' work itself, and refuses to be built for any
    # other list (schema.direct_execution.MIRRORED_EXTENSIONS): change both together.
    return [
        # Parsing and validating a document is most of a small request's cost: cache both.
        lambda: DocumentCache(verdicts, rules),
        MaskUnexpectedErrors,
        StatementTimeouts,
        BackendOutages,
    ]


@dataclass(frozen=True)
class BuiltSchema:
    schema: strawberry.Schema
    types: CustomerUserTypes
    customer_type: Any
    """The ``Customer`` class built from the company Map."""
    direct: DirectExecution
    customer_session_fields: CustomerSessionFields
    """The root fields a customer session token may use (``app.scope_gate``)."""


def build_schema(config: RosterConfig) -> strawberry.Schema:
    return build_api(config).schema


_built: Lru[str, BuiltSchema] = Lru(max_entries=8)


def build_api(config: RosterConfig) -> BuiltSchema:
    """The schema for ``config`` and the Map-built classes a request context needs.

    Building one takes about 0.1 s; apps made for the same configuration in one process (the
    test suite makes one per test, on a new database each time) share it. The schema holds no
    per-request state, and the database settings do not shape it."""
    key = config.model_dump_json(exclude={"database"})
    built = _built.get(key)
    if built is None:
        built = _build_api(config)
        _built.put(key, built)
    return built


def _build_api(config: RosterConfig) -> BuiltSchema:
    bases = tuple(area.CUSTOMER_USER_FIELDS for area in AREAS if area.CUSTOMER_USER_FIELDS)
    types = build_customer_user_types(config.customer_user.backends, extra_bases=bases)
    customer_type = build_customer_type(config.customer_company)
    dynamic.CustomerUser = types.object  # resolved by the lazy references while building
    dynamic.Customer = customer_type
    node_loaders: dict[str, NodeLoader] = {}
    for area in AREAS:
        node_loaders.update(area.node_loaders(types))
    query = merge_types(
        "Query", (_node_query(node_loaders), *(area.queries(types, config) for area in AREAS))
    )
    mutation = merge_types("Mutation", tuple(area.mutations(types, config) for area in AREAS))
    _describe_roots(query, mutation)
    subscription = build_subscription(types)
    # Closed to customer sessions unless a field admits them.
    roots: tuple[Any, ...] = (query, mutation, subscription)
    for root in roots:
        guard_root_fields(root.__strawberry_definition__)
    verdicts: Verdicts = Lru()
    rules = _document_rules(config)
    schema = RosterSchema(  # Roster's error log and operation choice (schema/masking.py)
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=[types.object, customer_type],
        extensions=_extensions(verdicts, rules),
        config=StrawberryConfig(disable_field_suggestions=not config.server.introspection),
        execution_context_class=FlatListExecutionContext,
        scalar_overrides=SCALAR_OVERRIDES,
    )
    for area in AREAS:
        area.fast_fields(schema, types)
    retries.install(schema)  # a root field whose connection was lost runs once more
    planner = (
        Planner(schema, types.specs, config.customer_company) if config.server.planner else None
    )
    direct = DirectExecution(schema, verdicts, rules, report_errors, planner)
    return BuiltSchema(schema, types, customer_type, direct, customer_session_fields(schema))
