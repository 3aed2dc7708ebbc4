"""The Service type, its inputs and payloads, and the service fields of CustomerUser."""

from collections.abc import Sequence
from typing import Annotated, Any, Optional

import strawberry
from strawberry import UNSET

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.records import CustomerUserRecord
from domain.services import MAX_SET_SIZE, ServiceChanges, ServiceRecord
from resolvers import services as service_resolvers
from resolvers.context import RequestContext
from schema.audit import AuditFields, Info
from schema.audit_events import HistoryFields
from schema.common import Node, UserError, ValidityEnum, global_id, outcome_payload
from schema.dynamic import CustomerUserRef
from schema.fast_fields import batch_reader, context_reader
from schema.group import AssignmentChange, changes_of
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    USER_ERRORS_DESCRIPTION,
    Connection,
    to_connection,
)
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS

COUNTS_AS_VALID = (
    "A service counts as valid when it is VALID and no service above it is invalid (OTOBO's "
    "Ticket::Service::KeepChildren off; with [services] keep_children = true a valid child of "
    "an invalid service counts as valid)."
)
DRY_RUN = "Only report what would change; write nothing."


async def parent_of(service: Any, context: RequestContext) -> "Service | None":
    record = await service_resolvers.parent(context, service.record)
    return Service.wrap(record) if record else None


async def children_of(service: Any, context: RequestContext) -> "list[Service]":
    return [Service.wrap(r) for r in await service_resolvers.children(context, service.record)]


@strawberry.type(
    description="A service, OTOBO's service table. The hierarchy lives in the name: "
    "`IT::Network::VPN` is the child of `IT::Network`."
)
class Service(HistoryFields, AuditFields, Node):
    record: strawberry.Private[ServiceRecord]

    @classmethod
    def wrap(cls, record: Any) -> "Service":
        return cls(record=record, audit=record.audit)

    @strawberry.field(description="The service's global ID (for node and nodes).")
    def id(self) -> strawberry.ID:
        return global_id("Service", str(self.record.id))

    @strawberry.field(description="The numeric service ID (OTOBO's ServiceID).")
    def service_id(self) -> int:
        return self.record.id

    @strawberry.field(
        description="The full name, parents first, joined by `::` (e.g. `IT::Network::VPN`); "
        "unique, case-insensitively."
    )
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="The last part of the name (OTOBO's NameShort), e.g. `VPN`.")
    def name_short(self) -> str:
        return self.record.name_short

    @strawberry.field(description="Free text about the service; null when none was given.")
    def comment(self) -> str | None:
        return self.record.comment

    @strawberry.field(
        description="The service's own validity; its children keep theirs. " + COUNTS_AS_VALID
    )
    def validity(self) -> ValidityEnum:  # type: ignore[valid-type]
        return self.record.validity

    @strawberry.field(
        description="The service above this one; null at the top level.",
        metadata=context_reader(parent_of),
    )
    async def parent(self, info: Info) -> Optional["Service"]:
        return await parent_of(self, info.context)

    @strawberry.field(
        description="The services directly below this one, by name.",
        metadata=context_reader(children_of),
    )
    async def children(self, info: Info) -> list["Service"]:
        return await children_of(self, info.context)

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="The customer users assigned to this service, by login (the default "
        "services' <DEFAULT> row is not one of them). totalCount counts assigned logins, "
        "including rows of users since removed from their backend, which are not listed.",
    )
    async def customer_users(
        self,
        info: Info,
        first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER_ARGUMENT] = None,
    ) -> Connection[CustomerUserRef]:
        ctx = info.context
        service_id = self.record.id
        page = await service_resolvers.customer_users_of(ctx, service_id, first=first, after=after)
        return to_connection(
            page,
            ctx.customer_user_object,
            count=lambda: service_resolvers.customer_user_count(ctx, service_id),
        )


# ---- CustomerUser's services ------------------------------------------------------------------


async def own_services(users: Sequence[Any], context: RequestContext) -> list[list[Service]]:
    logins = [user.record.login for user in users]
    found = await service_resolvers.own_services_of(context, logins)
    return [[Service.wrap(r) for r in records] for records in found]


async def available_services(users: Sequence[Any], context: RequestContext) -> list[list[Service]]:
    logins = [user.record.login for user in users]
    found = await service_resolvers.availabilities(context, logins)
    return [[Service.wrap(r) for r in each.services] for each in found]


async def uses_default_services(users: Sequence[Any], context: RequestContext) -> list[bool]:
    logins = [user.record.login for user in users]
    return [each.uses_defaults for each in await service_resolvers.availabilities(context, logins)]


@strawberry.type
class CustomerUserServiceFields:
    """Added to CustomerUser (the services area's ``CUSTOMER_USER_FIELDS``)."""

    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(
        description="The services assigned to this user (service_customer_user), valid or "
        "not, by name. Default services are not included: see availableServices.",
        metadata=batch_reader(own_services),
    )
    async def services(self, info: Info) -> list[Service]:
        return (await own_services([self], info.context))[0]

    @strawberry.field(
        description="The services this user may use, by name (OTOBO's "
        "CustomerUserServiceMemberList). The rule is own OR default, never both: the user's "
        "own services that count as valid; only if there is none (no services at all, or "
        "only invalid ones) the default services that count as valid. " + COUNTS_AS_VALID,
        metadata=batch_reader(available_services),
    )
    async def available_services(self, info: Info) -> list[Service]:
        return (await available_services([self], info.context))[0]

    @strawberry.field(
        description="True when availableServices are the default services, because the user "
        "has no own service that counts as valid.",
        metadata=batch_reader(uses_default_services),
    )
    async def uses_default_services(self, info: Info) -> bool:
        return (await uses_default_services([self], info.context))[0]


# ---- inputs and payloads ----------------------------------------------------------------------

NAME_RULES = (
    "The short name, without `::` (choose the parent with parentId). Line breaks and tabs "
    "are removed and surrounding whitespace trimmed, as OTOBO does. The full name "
    "(parent::name) may be at most 191 characters and must be unique (case-insensitively)."
)


@strawberry.input(description="A new service.")
class ServiceCreateInput:
    name: str | None = strawberry.field(default=None, description="Required. " + NAME_RULES)
    parent_id: int | None = strawberry.field(
        default=None,
        description="The parent service, which must exist (OTOBO silently makes the service "
        "top-level instead). Omit for a top-level service.",
    )
    comment: str | None = strawberry.field(
        default=None, description="At most 250 characters; cleaned like the name."
    )
    validity: ValidityEnum = strawberry.field(  # type: ignore[valid-type]
        default=ValidityEnum.VALID, description="VALID unless given."
    )


@strawberry.input(
    description="A patch: omitted fields keep their value. A new name or parent renames "
    "every service below this one in the same transaction."
)
class ServiceUpdateInput:
    service_id: int = strawberry.field(description="The service to change.")
    name: str | None = strawberry.field(default=UNSET, description=NAME_RULES)
    parent_id: int | None = strawberry.field(
        default=UNSET,
        description="The new parent; null moves the service to the top level. It must exist "
        "and may not be the service itself or below it.",
    )
    comment: str | None = strawberry.field(
        default=UNSET, description="A new comment (at most 250 characters); null clears it."
    )
    validity: ValidityEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET,
        description="A new validity; an invalid service is left out of every user's services.",
    )


_CHANGED_FIELDS = ("name", "parent_id", "comment", "validity")
"""The fields of both service inputs, named as in :class:`ServiceChanges`."""


def create_change(data: ServiceCreateInput) -> ServiceChanges:
    """The input as the use case's typed change (every field given)."""
    return ServiceChanges(**{name: getattr(data, name) for name in _CHANGED_FIELDS})


def update_change(data: ServiceUpdateInput) -> ServiceChanges:
    """The fields the client sent (an omitted one stays ``UNSET``: kept as it is)."""
    given = {name: getattr(data, name) for name in _CHANGED_FIELDS}
    return ServiceChanges(**{name: v for name, v in given.items() if v is not UNSET})


_SET_SIZE = f"At most {MAX_SET_SIZE} distinct entries; duplicates count once."


@strawberry.input(description="Replace the services assigned to a customer user.")
class CustomerUserSetServicesInput:
    login: str = strawberry.field(description="The customer user's login.")
    service_ids: list[int] = strawberry.field(
        description="The complete set; services not listed are removed. A service being "
        "added must exist and be VALID. " + _SET_SIZE
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input(description="Replace the customer users assigned to a service.")
class ServiceSetCustomerUsersInput:
    service_id: int = strawberry.field(description="The numeric service ID.")
    logins: list[str] = strawberry.field(
        description="The complete set; users not listed are removed. Each login must belong "
        "to a customer user (<DEFAULT> is not one); adding users needs a VALID service. "
        + _SET_SIZE
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input(description="Replace the default services.")
class DefaultServicesSetInput:
    service_ids: list[int] = strawberry.field(
        description="The complete set; a service being added must exist and be VALID. " + _SET_SIZE
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


CHANGES = "The rows added and removed; on a dry run, the ones that would be."


@strawberry.type(description="The result of serviceCreate and serviceUpdate.")
class ServicePayload:
    service: Service | None = strawberry.field(
        description="The service as written; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="The result of customerUserSetServices.")
class CustomerUserSetServicesPayload:
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The customer user with the services now assigned; null when the input "
        "was refused."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="The result of serviceSetCustomerUsers.")
class ServiceSetCustomerUsersPayload:
    service: Service | None = strawberry.field(
        description="The service with the customer users now assigned; null when the input "
        "was refused."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="The result of defaultServicesSet.")
class DefaultServicesSetPayload:
    default_services: list[Service] | None = strawberry.field(
        description="The default services after the change (on a dry run: as they are)."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


SERVICE_INPUT_NAMES = {"parent": "parentId"}
"""The domain names ServiceCreateInput/ServiceUpdateInput spell otherwise: a problem with the
parent is reported on ``parentId``."""


def service_payload(outcome: Outcome[ServiceRecord]) -> ServicePayload:
    return outcome_payload(
        ServicePayload,
        outcome,
        names=SERVICE_INPUT_NAMES,
        service=Service.wrap(outcome.record) if outcome.record else None,
    )


def user_services_payload(
    ctx: RequestContext, outcome: Outcome[CustomerUserRecord]
) -> CustomerUserSetServicesPayload:
    user = outcome.record
    return outcome_payload(
        CustomerUserSetServicesPayload,
        outcome,
        customer_user=ctx.customer_user_object(user) if user else None,
        changes=changes_of(outcome),
    )


def service_users_payload(outcome: Outcome[ServiceRecord]) -> ServiceSetCustomerUsersPayload:
    return outcome_payload(
        ServiceSetCustomerUsersPayload,
        outcome,
        service=Service.wrap(outcome.record) if outcome.record else None,
        changes=changes_of(outcome),
    )


def default_services_payload(outcome: Outcome[list[ServiceRecord]]) -> DefaultServicesSetPayload:
    defaults = outcome.record
    return outcome_payload(
        DefaultServicesSetPayload,
        outcome,
        default_services=None if defaults is None else [Service.wrap(r) for r in defaults],
        changes=changes_of(outcome),
    )
