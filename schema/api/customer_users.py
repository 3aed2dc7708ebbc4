"""Customer users: ``customerUser``, ``customerUsers`` (OTOBO's search), ``customerUserFields``
and the create/update/set-password mutations."""

import enum
from typing import Annotated, Any

import strawberry

from datasources.backend import BackendStatus
from datasources.paging import DEFAULT_PAGE_SIZE
from domain.config import RosterConfig
from domain.customer_user_query import Ordering, SortField
from resolvers import customer_users as cu_resolvers
from resolvers.mutations import run_mutation
from resolvers.use_cases import customer_users as customer_user_use_cases
from resolvers.use_cases import tickets as ticket_use_cases
from schema.audit import Info
from schema.common import describe_values
from schema.customer_user import (
    CustomerUserTypes,
    build_payloads,
    create_change,
    payload_of,
    update_change,
)
from schema.dynamic import CustomerUserRef
from schema.fast_fields import install_declared
from schema.fields import CustomerUserField, customer_user_fields
from schema.pagination import AFTER_ARGUMENT, FIRST_ARGUMENT, Connection, to_connection
from schema.permissions import ADMIN

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


describe_values(
    CustomerUserSortField,
    {
        "LOGIN": "The login (UserLogin).",
        "LAST_NAME": "The last name (UserLastname), then the login.",
        "EMAIL": "The email address (UserEmail).",
        "CUSTOMER_ID": "The primary customer ID (UserCustomerID).",
        "CHANGED_AT": "When the user was last changed (change_time).",
    },
)


@strawberry.enum(description="Which way an ordering runs.")
class SortDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


describe_values(
    SortDirection,
    {
        "ASC": "Ascending: A before B (by code point), older before newer.",
        "DESC": "Descending: the reverse of ASC.",
    },
)


@strawberry.input(description="An ordering; ties are broken by login in the same direction.")
class CustomerUserOrder:
    field: CustomerUserSortField = strawberry.field(
        default=CustomerUserSortField.LOGIN, description="What to order by; LOGIN unless given."
    )
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="ASC unless given."
    )

    def to_ordering(self) -> Ordering:
        return Ordering(field=self.field.value, descending=self.direction is SortDirection.DESC)


BackendStatusEnum = strawberry.enum(
    BackendStatus, name="BackendStatus", description="Whether a backend answered just now."
)
describe_values(
    BackendStatusEnum,
    {
        "UP": "It answered the health check.",
        "DOWN": "It did not answer (or its circuit breaker is open): reads answer from the "
        "other backends and name this one in a BACKEND_UNAVAILABLE error.",
    },
)


@strawberry.type(description="A customer-user backend and how it is doing right now.")
class Backend:
    name: str = strawberry.field(
        description="The backend's name from the configuration (CustomerUser, CustomerUser1 "
        "…), as CustomerUser.source shows it."
    )
    kind: str = strawberry.field(description="db or ldap.")
    read_only: bool = strawberry.field(
        description="True when Roster never writes it (every LDAP backend; a db backend with "
        "read_only = true)."
    )
    status: BackendStatusEnum = strawberry.field(
        description="Whether it answered the health check just now."
    )
    latency_ms: float | None = strawberry.field(
        description="One round trip, measured now, in milliseconds; null when DOWN."
    )
    last_error: str | None = strawberry.field(
        description="Why the health check failed (a timeout, a refused connection …); null when UP."
    )


@strawberry.input(description="Set a password; empty or omitted generates one.")
class CustomerUserSetPasswordInput:
    login: str = strawberry.field(description="The customer user's login.")
    password: str | None = strawberry.field(
        default=None,
        description="The new password (it must pass the [passwords] policy); empty or null: "
        "Roster generates one and returns it once as generatedPassword.",
    )


CUSTOMER_USER_FIELDS = None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    async def load(info: Info, key: str) -> Any:
        record = await cu_resolvers.customer_user(info.context, key)
        return types.wrap(record) if record else None

    return {"CustomerUser": load}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """Every area's CustomerUser fields (services, groups …) are on this one type: their
    readers come from their declarations (``schema.fast_fields.install_declared``)."""
    install_declared(schema, "CustomerUser")
    install_declared(schema, "CustomerUserEdge")


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    customer_user_type = types.object
    backends = config.customer_user.backends

    @strawberry.type
    class CustomerUserQueries:
        @strawberry.field(description="A customer user by login (case-insensitive).")
        async def customer_user(
            self,
            info: Info,
            login: Annotated[
                str,
                strawberry.argument(description="The login, compared case-insensitively."),
            ],
        ) -> customer_user_type | None:
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
            order_by: Annotated[
                CustomerUserOrder | None,
                strawberry.argument(description="The order; by login, ascending, unless given."),
            ] = None,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
            after: Annotated[str | None, AFTER_ARGUMENT] = None,
        ) -> Connection[CustomerUserRef]:
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
            return to_connection(
                page,
                types.wrap,
                count=lambda: cu_resolvers.customer_user_count(ctx, query),
                limit_check=lambda: cu_resolvers.customer_user_limit_reached(ctx, query),
            )

        @strawberry.field(
            description="Every customer-user backend in order (CustomerUser, CustomerUser1 …) "
            "with its health, checked now with one round trip each."
        )
        async def backends(self, info: Info) -> list[Backend]:
            return [
                Backend(
                    name=b.name,
                    kind=b.kind,
                    read_only=b.read_only,
                    status=h.status,
                    latency_ms=h.latency_ms,
                    last_error=h.last_error,
                )
                for b, h in await cu_resolvers.backend_health(info.context)
            ]

        @strawberry.field(description="Every backend's Map: labels, required, searchable.")
        def customer_user_fields(self) -> list[CustomerUserField]:
            return customer_user_fields(backends)

    return CustomerUserQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    payload_type, password_payload_type = build_payloads(types)
    create_input = types.create_input
    update_input = types.update_input

    @strawberry.type
    class CustomerUserMutations:
        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Create a customer user. With customer_company_support the customer "
            "must exist first (as OTOBO's admin screen requires).",
        )
        async def customer_user_create(
            self, info: Info, input: create_input
        ) -> password_payload_type:
            change = create_change(types, input)
            outcome = await run_mutation(info.context, customer_user_use_cases.create, change)
            return payload_of(password_payload_type, types, outcome, with_password=True)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a customer user (a patch). newLogin renames it and carries "
            "every relation row. Deactivate with validity INVALID; nothing is deleted.",
        )
        async def customer_user_update(self, info: Info, input: update_input) -> payload_type:
            change = update_change(types, input)
            outcome = await run_mutation(
                info.context,
                ticket_use_cases.update_user_and_refresh,
                input.login,
                change,
                refresh=input.refresh_tickets_on_change,
            )
            return payload_of(payload_type, types, outcome, with_password=False)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Set a customer user's password (an admin's change): it must pass the "
            "[passwords] policy and differ from the current and recent ones ([passwords] "
            "history; PASSWORD_REUSED). With [passwords] max_valid_days set, the user must "
            "change it at the next sign-in, as in OTOBO.",
        )
        async def customer_user_set_password(
            self,
            info: Info,
            input: CustomerUserSetPasswordInput,
        ) -> password_payload_type:
            outcome = await run_mutation(
                info.context, customer_user_use_cases.set_password, input.login, input.password
            )
            return payload_of(password_payload_type, types, outcome, with_password=True)

    return CustomerUserMutations
