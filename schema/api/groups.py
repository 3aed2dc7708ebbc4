"""Groups and assignments: ``group``, ``groups``, ``customerGroupSettings``, ``groupCreate``,
``groupUpdate`` and the six assignment mutations between customer users, customers and groups.

Every assignment names the complete set for one owner and replaces it (as OTOBO's admin
screens do), is idempotent, and with ``dryRun: true`` only reports the changes.
"""

from typing import Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.config import RosterConfig
from domain.records import CustomerRecord, CustomerUserRecord
from resolvers import groups as group_resolvers
from resolvers.context import RequestContext
from resolvers.mutations import run_mutation
from schema.audit import Info
from schema.common import UserError, int_key, outcome_payload
from schema.customer import Customer
from schema.customer_relations import CustomerUserRelationFields
from schema.customer_user import CustomerUserTypes
from schema.dynamic import CustomerUserRef
from schema.fast_fields import install_declared
from schema.group import (
    AssignmentChange,
    CustomerGrantInput,
    CustomerGroupGrantInput,
    Group,
    GroupAssignmentPayload,
    GroupCreateInput,
    GroupGrantInput,
    GroupPayload,
    GroupUpdateInput,
    PermissionContext,
    UserGrantInput,
    changes_of,
    group_assignment_payload,
    group_payload,
)
from schema.pagination import Connection, to_connection
from schema.permissions import ADMIN

CUSTOMER_USER_FIELDS = CustomerUserRelationFields

DRY_RUN = "Only report what would change; write nothing."


@strawberry.type(description="How customer group permissions are configured.")
class CustomerGroupSettings:
    support: bool = strawberry.field(
        description="OTOBO's CustomerGroupSupport. Off: every customer user has every valid "
        "group with every permission type, and grants are stored but have no effect."
    )
    always_groups: list[str]
    company_always_groups: list[str]
    permission_types: list[str] = strawberry.field(
        description="The permission types that may be granted; rw implies every one."
    )
    contexts: list[PermissionContext]


@strawberry.input
class CustomerUserSetCustomersInput:
    login: str
    customer_ids: list[str]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input
class CustomerSetCustomerUsersInput:
    customer_id: str
    logins: list[str]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input
class CustomerUserSetGroupsInput:
    login: str
    grants: list[GroupGrantInput]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input
class GroupSetCustomerUsersInput:
    group_id: int
    grants: list[UserGrantInput]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input
class CustomerSetGroupsInput:
    customer_id: str
    grants: list[CustomerGroupGrantInput]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.input
class GroupSetCustomersInput:
    group_id: int
    grants: list[CustomerGrantInput]
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)


@strawberry.type
class CustomerUserAssignmentPayload:
    customer_user: CustomerUserRef | None
    changes: list[AssignmentChange] = strawberry.field(
        description="The rows added and removed; on a dry run, the ones that would be."
    )
    user_errors: list[UserError]


@strawberry.type
class CustomerAssignmentPayload:
    customer: Customer | None
    changes: list[AssignmentChange] = strawberry.field(
        description="The rows added and removed; on a dry run, the ones that would be."
    )
    user_errors: list[UserError]


def user_assignment_payload(
    ctx: RequestContext, outcome: Outcome[CustomerUserRecord]
) -> CustomerUserAssignmentPayload:
    record = outcome.record
    return outcome_payload(
        CustomerUserAssignmentPayload,
        outcome,
        customer_user=ctx.customer_user_object(record) if record else None,
        changes=changes_of(outcome),
    )


def customer_assignment_payload(outcome: Outcome[CustomerRecord]) -> CustomerAssignmentPayload:
    return outcome_payload(
        CustomerAssignmentPayload,
        outcome,
        customer=Customer.wrap(outcome.record) if outcome.record else None,
        changes=changes_of(outcome),
    )


async def _node(info: Info, key: str) -> Group | None:
    group_id = int_key(key)
    if group_id is None:
        return None
    record = await info.context.loaders.groups.by_id.load(group_id)
    return Group.wrap(record) if record else None


def node_loaders(types: CustomerUserTypes) -> dict[str, Any]:
    return {"Group": _node}


def fast_fields(schema: strawberry.Schema, types: CustomerUserTypes) -> None:
    """A page of users with effective permissions has tens of thousands of these fields; the
    readers come from their declarations (``schema.fast_fields.install_declared``)."""
    install_declared(schema, "Group")
    install_declared(schema, "EffectivePermission")
    install_declared(schema, "PermissionReason")


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class GroupQueries:
        @strawberry.field(description="A group by its exact name (OTOBO's GroupLookup).")
        async def group(self, info: Info, name: str) -> Group | None:
            record = await group_resolvers.group_by_name(info.context, name)
            return Group.wrap(record) if record else None

        @strawberry.field(
            description="Groups ordered by name. valid: true (default) lists only VALID ones."
        )
        async def groups(
            self,
            info: Info,
            valid: bool | None = True,
            first: int = DEFAULT_PAGE_SIZE,
            after: str | None = None,
        ) -> Connection[Group]:
            ctx = info.context
            page = await group_resolvers.groups(ctx, valid=valid, first=first, after=after)
            return to_connection(
                page, Group.wrap, count=lambda: group_resolvers.group_count(ctx, valid=valid)
            )

        @strawberry.field(description="The customer group configuration in force.")
        def customer_group_settings(self) -> CustomerGroupSettings:
            group_config = config.customer_group
            return CustomerGroupSettings(
                support=group_config.support,
                always_groups=list(group_config.always_groups),
                company_always_groups=list(group_config.company_always_groups),
                permission_types=list(group_config.permission_types),
                contexts=[PermissionContext(c) for c in group_config.contexts],
            )

    return GroupQueries


def mutations(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class GroupMutations:
        @strawberry.mutation(permission_classes=ADMIN, description="Create a group.")
        async def group_create(self, info: Info, input: GroupCreateInput) -> GroupPayload:
            values = {"name": input.name, "comment": input.comment, "validity": input.validity}
            outcome = await run_mutation(info.context, group_resolvers.create, values)
            return group_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a group (a patch). Deactivate with validity INVALID: its grants "
            "stay stored but count for nothing while it is invalid.",
        )
        async def group_update(self, info: Info, input: GroupUpdateInput) -> GroupPayload:
            changes = {
                name: getattr(input, name)
                for name in ("name", "comment", "validity")
                if getattr(input, name) is not strawberry.UNSET
            }
            group_id = input.group_id
            outcome = await run_mutation(info.context, group_resolvers.update, group_id, changes)
            return group_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the customers assigned to a customer user "
            "(customer_user_customer).",
        )
        async def customer_user_set_customers(
            self, info: Info, input: CustomerUserSetCustomersInput
        ) -> CustomerUserAssignmentPayload:
            login, customer_ids, dry_run = input.login, input.customer_ids, input.dry_run
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_user_customers,
                login,
                customer_ids,
                dry_run=dry_run,
            )
            return user_assignment_payload(info.context, outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace the customer users assigned to a customer "
            "(customer_user_customer); users whose primary customer it is are not affected.",
        )
        async def customer_set_customer_users(
            self, info: Info, input: CustomerSetCustomerUsersInput
        ) -> CustomerAssignmentPayload:
            customer_id, logins, dry_run = input.customer_id, input.logins, input.dry_run
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_customer_users,
                customer_id,
                logins,
                dry_run=dry_run,
            )
            return customer_assignment_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace a customer user's direct group grants: every group not listed "
            "loses its grants for this user.",
        )
        async def customer_user_set_groups(
            self, info: Info, input: CustomerUserSetGroupsInput
        ) -> CustomerUserAssignmentPayload:
            login, dry_run = input.login, input.dry_run
            given = group_resolvers.grants(input.grants, "group_id")
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_user_groups,
                login,
                given,
                dry_run=dry_run,
            )
            return user_assignment_payload(info.context, outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace a group's direct grants to customer users.",
        )
        async def group_set_customer_users(
            self, info: Info, input: GroupSetCustomerUsersInput
        ) -> GroupAssignmentPayload:
            group_id, dry_run = input.group_id, input.dry_run
            given = group_resolvers.grants(input.grants, "login")
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_group_users,
                group_id,
                given,
                dry_run=dry_run,
            )
            return group_assignment_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace a customer's group grants, in every context.",
        )
        async def customer_set_groups(
            self, info: Info, input: CustomerSetGroupsInput
        ) -> CustomerAssignmentPayload:
            customer_id, dry_run = input.customer_id, input.dry_run
            given = group_resolvers.grants(input.grants, "group_id")
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_customer_groups,
                customer_id,
                given,
                dry_run=dry_run,
            )
            return customer_assignment_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Replace a group's grants to customers, in every context.",
        )
        async def group_set_customers(
            self, info: Info, input: GroupSetCustomersInput
        ) -> GroupAssignmentPayload:
            group_id, dry_run = input.group_id, input.dry_run
            given = group_resolvers.grants(input.grants, "customer_id")
            outcome = await run_mutation(
                info.context,
                group_resolvers.set_group_customers,
                group_id,
                given,
                dry_run=dry_run,
            )
            return group_assignment_payload(outcome)

    return GroupMutations
