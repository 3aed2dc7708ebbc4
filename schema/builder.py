"""Assemble the schema for one configuration: types from the Map, queries, mutations, limits."""

import enum
import logging
from typing import Annotated, Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.config import RosterConfig
from domain.customer_user_query import Ordering, SortField
from resolvers import customer_users as cu_resolvers
from resolvers import customers as customer_resolvers
from schema import fast_fields
from schema.audit import Info
from schema.common import Node, parse_global_id
from schema.customer import (
    CUSTOMER_READERS,
    Customer,
    CustomerCreateInput,
    CustomerPayload,
    CustomerUpdateInput,
)
from schema.customer import create_values as customer_create_values
from schema.customer import update_values as customer_update_values
from schema.customer_user import (
    build_customer_user_types,
    build_payloads,
    create_values,
    fast_readers,
    payload_of,
    primary_customer,
    update_values,
)
from schema.fields import CustomerUserField, customer_user_fields
from schema.pagination import EDGE_READERS, Connection, to_connection

logger = logging.getLogger("roster.graphql")

SEARCH_DESCRIPTION = (
    "OTOBO's free-text search over the customer search fields (customer ID and name by "
    "default). Each word gets search_prefix/search_suffix (default *…*, a substring match); "
    "* is a wildcard; + or AND combine words with AND, OR with OR (AND binds tighter); a word "
    "starting with ! is negated. As in OTOBO a space does NOT split words ('acme corp' is one "
    "term) and ( ) & | are literal; unlike OTOBO, % and _ are literal too. A term of only "
    "wildcards lists all. Results stop at search_list_limit (see limitReached)."
)


CUSTOMER_USERS_DESCRIPTION = (
    "Customer users of every backend. Without criteria: a plain listing. Each criterion given "
    "narrows the result (they combine with AND, where OTOBO takes only one). A search result "
    "stops at the smallest search_list_limit of the backends (default 1000; limitReached says "
    "when it did). Ordered by login unless orderBy says otherwise; text sorts by code point."
)

USER_SEARCH_DESCRIPTION = (
    "OTOBO's free-text customer-user search over each backend's search_fields (login, first "
    "and last name, customer ID by default). Each word gets the backend's search_prefix and "
    "search_suffix (default *…*: a substring match); * is a wildcard; + or AND combine words "
    "with AND, OR with OR (AND binds tighter); a word starting with ! excludes users any of "
    "whose search fields match. As in OTOBO a space does NOT split words ('john doe' is one "
    'term: use john+doe) and ( ) & | are literal; "a phrase" is one word. Unlike OTOBO, % and _ '
    "are literal. Case-insensitive unless search_case_sensitive. A term of only wildcards "
    "matches all; an empty term is an error."
)


@strawberry.enum(description="What customerUsers can be ordered by.")
class CustomerUserSortField(enum.Enum):
    LOGIN = SortField.LOGIN
    LAST_NAME = SortField.LAST_NAME
    EMAIL = SortField.EMAIL
    CUSTOMER_ID = SortField.CUSTOMER_ID
    CHANGED_AT = SortField.CHANGED_AT


@strawberry.enum
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="An ordering; ties are broken by login in the same direction.")
class CustomerUserOrder:
    field: CustomerUserSortField = CustomerUserSortField.LOGIN
    direction: SortDirection = SortDirection.ASC

    def to_ordering(self) -> Ordering:
        return Ordering(field=self.field.value, descending=self.direction is SortDirection.DESC)


class IsAdmin(BasePermission):
    message = "This API key has the read scope; mutations need an admin key."
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.actor.can_write)


class CodedMaskErrors(MaskErrors):
    """Masked errors keep a code, so clients can tell them from their own mistakes."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked


def _should_mask(error: GraphQLError) -> bool:
    """Mask every exception that was not raised as a GraphQL error on purpose."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False  # raised on purpose (ours, permissions, limits): its message is for users
    logger.error("unexpected error in %s", error.path, exc_info=original)
    return True


def build_schema(config: RosterConfig) -> strawberry.Schema:
    backends = config.customer_user.backends
    types = build_customer_user_types(backends)
    customer_user_type = types.object
    payload_type, password_payload_type = build_payloads(types)
    create_input = types.create_input
    update_input = types.update_input

    @strawberry.input(description="Set a password; empty or omitted generates one.")
    class CustomerUserSetPasswordInput:
        login: str
        password: str | None = None

    @strawberry.type
    class Query:
        @strawberry.field(description="Any object by its global ID.")
        async def node(self, info: Info, id: strawberry.ID) -> Node | None:
            parsed = parse_global_id(id)
            if parsed is None:
                return None
            type_name, key = parsed
            if type_name == "CustomerUser":
                record = await cu_resolvers.customer_user(info.context, key)
                return types.wrap(record) if record else None
            if type_name == "Customer":
                company = await customer_resolvers.customer(info.context, key)
                return Customer.wrap(company) if company else None
            return None

        @strawberry.field(description="A customer user by login (case-insensitive).")
        async def customer_user(self, info: Info, login: str) -> customer_user_type | None:
            record = await cu_resolvers.customer_user(info.context, login)
            return types.wrap(record) if record else None

        @strawberry.field(description=CUSTOMER_USERS_DESCRIPTION)
        async def customer_users(
            self,
            info: Info,
            search: Annotated[
                str | None, strawberry.argument(description=USER_SEARCH_DESCRIPTION)
            ] = None,
            login: Annotated[
                str | None,
                strawberry.argument(
                    description="OTOBO's UserLogin search: a substring of the login "
                    "(jo finds john and bjorn); * is a wildcard."
                ),
            ] = None,
            email: Annotated[
                str | None,
                strawberry.argument(
                    description="OTOBO's PostMasterSearch: the exact address, "
                    "case-insensitively, over each backend's postmaster_search_fields."
                ),
            ] = None,
            customer_id: Annotated[
                str | None,
                strawberry.argument(
                    description="OTOBO's CustomerID search: the primary customer ID with "
                    "explicit * wildcards only (acme matches only acme; acme* matches acme-1)."
                ),
            ] = None,
            customer_id_exact: Annotated[
                str | None,
                strawberry.argument(
                    description="OTOBO's CustomerIDRaw: exactly this customer ID (* is literal)."
                ),
            ] = None,
            valid: Annotated[
                bool | None,
                strawberry.argument(
                    description="true (default): only VALID users; false or null: all."
                ),
            ] = True,
            order_by: CustomerUserOrder | None = None,
            first: int = DEFAULT_PAGE_SIZE,
            after: str | None = None,
        ) -> Connection[customer_user_type]:
            ctx = info.context
            query = cu_resolvers.build_query(
                search=search,
                login=login,
                email=email,
                customer_id=customer_id,
                customer_id_exact=customer_id_exact,
                valid=valid,
                ordering=(order_by or CustomerUserOrder()).to_ordering(),
            )
            page = await cu_resolvers.customer_users(ctx, query, first=first, after=after)
            directory = ctx.services.customer_users
            return to_connection(
                page,  # type: ignore[arg-type]
                types.wrap,  # type: ignore[arg-type]
                count=lambda: directory.count(query),
                limit_check=lambda: directory.limit_reached(query),
            )

        @strawberry.field(description="A customer by customer ID (case-insensitive).")
        async def customer(self, info: Info, customer_id: str) -> Customer | None:
            record = await customer_resolvers.customer(info.context, customer_id)
            return Customer.wrap(record) if record else None

        @strawberry.field(description="Customers ordered by customer ID.")
        async def customers(
            self,
            info: Info,
            search: Annotated[
                str | None, strawberry.argument(description=SEARCH_DESCRIPTION)
            ] = None,
            valid: bool | None = True,
            first: int = DEFAULT_PAGE_SIZE,
            after: str | None = None,
        ) -> Connection[Customer]:
            ctx = info.context
            expr = customer_resolvers.parse_customer_search(ctx, search)
            searching = search is not None
            page = await customer_resolvers.customers(
                ctx, search=expr, searching=searching, valid=valid, first=first, after=after
            )
            directory = ctx.services.customers
            valid_only = bool(valid)
            return to_connection(
                page,  # type: ignore[arg-type]
                Customer.wrap,
                count=lambda: directory.count(
                    search=expr, searching=searching, valid_only=valid_only
                ),
                limit_check=lambda: directory.limit_reached(
                    search=expr, searching=searching, valid_only=valid_only
                ),
            )

        @strawberry.field(description="Every backend's Map: labels, required, searchable.")
        def customer_user_fields(self) -> list[CustomerUserField]:
            return customer_user_fields(backends)

    admin: list[type[BasePermission]] = [IsAdmin]

    @strawberry.type
    class Mutation:
        @strawberry.mutation(permission_classes=admin, description="Create a customer.")
        async def customer_create(self, info: Info, input: CustomerCreateInput) -> CustomerPayload:
            outcome = await customer_resolvers.create(info.context, customer_create_values(input))
            return CustomerPayload.of(outcome)

        @strawberry.mutation(
            permission_classes=admin,
            description="Change a customer. Renaming its customer ID re-points its customer "
            "users and every relation row, in one transaction.",
        )
        async def customer_update(self, info: Info, input: CustomerUpdateInput) -> CustomerPayload:
            outcome = await customer_resolvers.update(
                info.context, input.customer_id, customer_update_values(input)
            )
            return CustomerPayload.of(outcome)

        @strawberry.mutation(
            permission_classes=admin,
            description="Create a customer user. With customer_company_support the customer "
            "must exist first (as OTOBO's admin screen requires).",
        )
        async def customer_user_create(
            self, info: Info, input: create_input
        ) -> password_payload_type:
            outcome = await cu_resolvers.create(
                info.context,
                create_values(types, input),
                password=input.password,
                source=input.source,
            )
            return payload_of(password_payload_type, types, outcome, with_password=True)

        @strawberry.mutation(
            permission_classes=admin,
            description="Change a customer user (a patch). newLogin renames it and carries "
            "every relation row. Deactivate with validity INVALID; nothing is deleted.",
        )
        async def customer_user_update(self, info: Info, input: update_input) -> payload_type:
            outcome = await cu_resolvers.update(
                info.context, input.login, update_values(types, input)
            )
            return payload_of(payload_type, types, outcome, with_password=False)

        @strawberry.mutation(
            permission_classes=admin, description="Set a customer user's password."
        )
        async def customer_user_set_password(
            self,
            info: Info,
            input: CustomerUserSetPasswordInput,
        ) -> password_payload_type:
            outcome = await cu_resolvers.set_password(info.context, input.login, input.password)
            return payload_of(password_payload_type, types, outcome, with_password=True)

    server = config.server
    # The limit rules are built once: the validation cache is keyed by the rule classes, and
    # a class made per request (as QueryDepthLimiter(...) does) would never hit it.
    limit_rules: list[type[ASTValidationRule]] = [
        depth_limit_rule(server.max_query_depth, None),
        alias_limit_rule(server.max_aliases),
    ]
    extensions: list[Any] = [
        # Parsing and validating a document is most of a small request's cost: cache both.
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        lambda: AddValidationRules(limit_rules),
        lambda: MaxTokensLimiter(max_token_count=server.max_tokens),
        lambda: CodedMaskErrors(should_mask_error=_should_mask, error_message="Unexpected error."),
    ]
    if not server.introspection:
        extensions.append(DisableIntrospection)
    schema = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[customer_user_type, Customer],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not server.introspection),
    )
    fast_fields.install(schema, "CustomerUser", fast_readers(types), {"customer": primary_customer})
    fast_fields.install(schema, "Customer", CUSTOMER_READERS)
    for edge in ("CustomerUserEdge", "CustomerEdge"):
        fast_fields.install(schema, edge, EDGE_READERS)
    return schema
