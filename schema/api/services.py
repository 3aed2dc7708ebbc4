"""Services: ``service``, ``services``, ``defaultServices``, ``serviceCreate``,
``serviceUpdate``, the assignments in both directions and ``defaultServicesSet``; and
``CustomerUser.services``/``availableServices``/``usesDefaultServices``.

Every assignment names the complete set for one owner and replaces it (as OTOBO's admin
screens do), is idempotent, and with ``dryRun: true`` only reports the changes.
"""

from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.config import RosterConfig
from resolvers import services as service_resolvers
from resolvers.mutations import run_mutation
from resolvers.use_cases import service_assignments
from resolvers.use_cases import services as service_use_cases
from schema.audit import Info
from schema.common import int_key
from schema.customer_user import CustomerUserTypes
from schema.fast_fields import install_declared
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    VALID_ARGUMENT,
    Connection,
    to_connection,
)
from schema.permissions import ADMIN
from schema.service import (
    COUNTS_AS_VALID,
    CustomerUserServiceFields,
    CustomerUserSetServicesInput,
    CustomerUserSetServicesPayload,
    DefaultServicesSetInput,
    DefaultServicesSetPayload,
    Service,
    ServiceCreateInput,
    ServicePayload,
    ServiceSetCustomerUsersInput,
    ServiceSetCustomerUsersPayload,
    ServiceUpdateInput,
    create_change,
    default_services_payload,
    service_payload,
    service_users_payload,
    update_change,
    user_services_payload,
)

CUSTOMER_USER_FIELDS = CustomerUserServiceFields

SEARCH_DESCRIPTION = (
    "OTOBO's free-text search on the full name: each word is a substring match (as "
    "ServiceSearch's *word*); * is a wildcard; + or AND combine words with AND, OR with OR "
    "(AND binds tighter); a word starting with ! is negated. A space does NOT split words; "
    "% and _ are literal. Case-insensitive."
)


async def _node(info: Info, key: str) -> Service | None:
    service_id = int_key(key)
    if service_id is None:
        return None
    record = await service_resolvers.service(info.context, service_id)
    return Service.wrap(record) if record else None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {"Service": _node}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """The readers come from the declarations (``schema.fast_fields.install_declared``); the
    services fields of CustomerUser get theirs with the rest of CustomerUser."""
    install_declared(schema, "Service")
    install_declared(schema, "ServiceEdge")


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class ServiceQueries:
        @strawberry.field(description="A service by its full name (case-insensitive).")
        async def service(
            self,
            info: Info,
            name: Annotated[
                str,
                strawberry.argument(
                    description="The full name, parents included (OTOBO's 'Parent::Child'), "
                    "compared case-insensitively."
                ),
            ],
        ) -> Service | None:
            record = await service_resolvers.service_by_name(info.context, name)
            return Service.wrap(record) if record else None

        @strawberry.field(
            description="Services ordered by full name (code point order). valid: true "
            "(default) lists only services that count as valid; false or null lists all. "
            + COUNTS_AS_VALID
        )
        async def services(
            self,
            info: Info,
            search: Annotated[
                str | None, strawberry.argument(description=SEARCH_DESCRIPTION)
            ] = None,
            valid: Annotated[bool | None, VALID_ARGUMENT] = True,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
            after: Annotated[str | None, AFTER_ARGUMENT] = None,
        ) -> Connection[Service]:
            ctx = info.context
            expr = service_resolvers.parse_service_search(search)
            page = await service_resolvers.services(
                ctx, search=expr, valid=valid, first=first, after=after
            )
            return to_connection(
                page,
                Service.wrap,
                count=lambda: service_resolvers.service_count(ctx, search=expr, valid=valid),
            )

        @strawberry.field(
            description="The default services (the <DEFAULT> pseudo customer user's), valid "
            "or not, by name. A customer user without an own service that counts as valid "
            "gets those of them that count as valid (CustomerUser.availableServices)."
        )
        async def default_services(self, info: Info) -> list[Service]:
            records = await service_resolvers.default_services(info.context)
            return [Service.wrap(r) for r in records]

    return ServiceQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class ServiceMutations:
        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Create a service, at the top level or below parentId.",
        )
        async def service_create(self, info: Info, input: ServiceCreateInput) -> ServicePayload:
            change = create_change(input)
            outcome = await run_mutation(info.context, service_use_cases.create, change)
            return service_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a service (a patch). Renaming or moving it renames every "
            "service below it, in one transaction. Validity is the service's own; its "
            "children keep theirs. Deactivate with validity INVALID; nothing is deleted.",
        )
        async def service_update(self, info: Info, input: ServiceUpdateInput) -> ServicePayload:
            change = update_change(input)
            outcome = await run_mutation(
                info.context, service_use_cases.update, input.service_id, change
            )
            return service_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the services assigned to a customer user.",
        )
        async def customer_user_set_services(
            self, info: Info, input: CustomerUserSetServicesInput
        ) -> CustomerUserSetServicesPayload:
            login, service_ids, dry_run = input.login, input.service_ids, input.dry_run
            outcome = await run_mutation(
                info.context,
                service_assignments.set_services_of,
                login,
                service_ids,
                dry_run=dry_run,
            )
            return user_services_payload(info.context, outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the customer users assigned to a service.",
        )
        async def service_set_customer_users(
            self, info: Info, input: ServiceSetCustomerUsersInput
        ) -> ServiceSetCustomerUsersPayload:
            service_id, logins, dry_run = input.service_id, input.logins, input.dry_run
            outcome = await run_mutation(
                info.context,
                service_assignments.set_customer_users_of,
                service_id,
                logins,
                dry_run=dry_run,
            )
            return service_users_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the default services: those a customer user gets when it "
            "has no own service that counts as valid. Stored as OTOBO stores them, as "
            "service rows of the pseudo customer user <DEFAULT>.",
        )
        async def default_services_set(
            self, info: Info, input: DefaultServicesSetInput
        ) -> DefaultServicesSetPayload:
            service_ids, dry_run = input.service_ids, input.dry_run
            outcome = await run_mutation(
                info.context,
                service_assignments.set_default_services,
                service_ids,
                dry_run=dry_run,
            )
            return default_services_payload(outcome)

    return ServiceMutations
