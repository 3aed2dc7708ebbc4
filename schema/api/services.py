"""Services: ``service``, ``services``, ``defaultServices``, ``serviceCreate``,
``serviceUpdate``, the assignments in both directions and ``defaultServicesSet``; and
``CustomerUser.services``/``availableServices``/``usesDefaultServices``.

Every assignment names the complete set for one owner and replaces it (as OTOBO's admin
screens do), is idempotent, and with ``dryRun: true`` only reports the changes.
"""

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.assignments import Link, changes_of
from domain.config import RosterConfig
from domain.services import DEFAULT_LOGIN
from resolvers import services as service_resolvers
from schema.audit import Info
from schema.common import int_key, user_errors
from schema.customer_user import CustomerUserTypes
from schema.fast_fields import install
from schema.group import AssignmentChange
from schema.pagination import EDGE_READERS, Connection, to_connection
from schema.permissions import ADMIN
from schema.service import (
    COUNTS_AS_VALID,
    CUSTOMER_USER_CONTEXT_READERS,
    SERVICE_READERS,
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
    children_of,
    parent_of,
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


def _changes(done: Any, link_of: Callable[[Any], Link]) -> list[AssignmentChange]:
    """An assignment's added and removed keys as the API's one change shape."""
    if done is None:
        return []
    added = [link_of(key) for key in done.added]
    removed = [link_of(key) for key in done.removed]
    return [AssignmentChange(change=change) for change in changes_of(added, removed)]


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {"Service": _node}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    install(schema, "Service", SERVICE_READERS, {"parent": parent_of, "children": children_of})
    install(schema, "ServiceEdge", EDGE_READERS)
    install(schema, "CustomerUser", {}, CUSTOMER_USER_CONTEXT_READERS)


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class ServiceQueries:
        @strawberry.field(description="A service by its full name (case-insensitive).")
        async def service(self, info: Info, name: str) -> Service | None:
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
            valid: bool | None = True,
            first: int = DEFAULT_PAGE_SIZE,
            after: str | None = None,
        ) -> Connection[Service]:
            ctx = info.context
            expr = service_resolvers.parse_service_search(search)
            page = await service_resolvers.services(
                ctx, search=expr, valid=valid, first=first, after=after
            )
            catalog = ctx.services.service_catalog
            return to_connection(
                page,
                Service.wrap,
                count=lambda: catalog.count(search=expr, valid_only=bool(valid)),
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
            values = {
                "name": input.name,
                "parentId": input.parent_id,
                "comment": input.comment,
                "validity": input.validity,
            }
            outcome = await service_resolvers.create(info.context, values)
            return ServicePayload(
                service=Service.wrap(outcome.record) if outcome.record else None,
                user_errors=user_errors(outcome.problems),
            )

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a service (a patch). Renaming or moving it renames every "
            "service below it, in one transaction. Validity is the service's own; its "
            "children keep theirs. Deactivate with validity INVALID; nothing is deleted.",
        )
        async def service_update(self, info: Info, input: ServiceUpdateInput) -> ServicePayload:
            changes = {
                key: getattr(input, name)
                for key, name in (
                    ("name", "name"),
                    ("parentId", "parent_id"),
                    ("comment", "comment"),
                    ("validity", "validity"),
                )
                if getattr(input, name) is not strawberry.UNSET
            }
            outcome = await service_resolvers.update(info.context, input.service_id, changes)
            return ServicePayload(
                service=Service.wrap(outcome.record) if outcome.record else None,
                user_errors=user_errors(outcome.problems),
            )

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the services assigned to a customer user.",
        )
        async def customer_user_set_services(
            self, info: Info, input: CustomerUserSetServicesInput
        ) -> CustomerUserSetServicesPayload:
            ctx = info.context
            outcome = await service_resolvers.set_services_of(
                ctx, input.login, input.service_ids, dry_run=input.dry_run
            )
            done = outcome.record
            return CustomerUserSetServicesPayload(
                customer_user=ctx.customer_user_object(done.subject) if done else None,
                changes=_changes(
                    done,
                    lambda service_id: Link(
                        login=done.subject.login if done else input.login, service_id=service_id
                    ),
                ),
                user_errors=user_errors(outcome.problems),
            )

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the customer users assigned to a service.",
        )
        async def service_set_customer_users(
            self, info: Info, input: ServiceSetCustomerUsersInput
        ) -> ServiceSetCustomerUsersPayload:
            outcome = await service_resolvers.set_customer_users_of(
                info.context, input.service_id, input.logins, dry_run=input.dry_run
            )
            done = outcome.record
            return ServiceSetCustomerUsersPayload(
                service=Service.wrap(done.subject) if done else None,
                changes=_changes(
                    done, lambda login: Link(login=login, service_id=input.service_id)
                ),
                user_errors=user_errors(outcome.problems),
            )

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the default services: those a customer user gets when it "
            "has no own service that counts as valid. Stored as OTOBO stores them, as "
            "service rows of the pseudo customer user <DEFAULT>.",
        )
        async def default_services_set(
            self, info: Info, input: DefaultServicesSetInput
        ) -> DefaultServicesSetPayload:
            outcome = await service_resolvers.set_default_services(
                info.context, input.service_ids, dry_run=input.dry_run
            )
            done = outcome.record
            return DefaultServicesSetPayload(
                default_services=[Service.wrap(r) for r in done.subject] if done else None,
                changes=_changes(
                    done, lambda service_id: Link(login=DEFAULT_LOGIN, service_id=service_id)
                ),
                user_errors=user_errors(outcome.problems),
            )

    return ServiceMutations
