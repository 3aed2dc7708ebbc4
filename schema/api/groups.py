"""Groups and assignments: ``group``, ``groups``, ``customerGroupSettings``, ``groupCreate``,
``groupUpdate`` and the six assignment mutations between customer users, customers and groups.

Every assignment names the complete set for one owner and replaces it (as OTOBO's admin
screens do), is idempotent, and with ``dryRun: true`` only reports the changes.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Protocol, TypeVar

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.assignment_rules import Grant
from domain.config import RosterConfig
from domain.records import CustomerRecord, CustomerUserRecord, GroupRecord
from resolvers import groups as group_resolvers
from resolvers.context import RequestContext
from resolvers.mutations import run_mutation
from resolvers.use_cases import customer_assignments, group_assignments
from resolvers.use_cases import groups as group_use_cases
from schema.audit import Info
from schema.common import UserError, int_key, outcome_payload
from schema.customer_relations import CustomerUserRelationFields
from schema.customer_user import CustomerUserTypes
from schema.dynamic import CustomerRef, CustomerUserRef
from schema.fast_fields import install_declared
from schema.group import (
    AssignmentChange,
    CustomerGrantInput,
    CustomerGroupGrantInput,
    Group,
    GroupCreateInput,
    GroupGrantInput,
    GroupPayload,
    GroupUpdateInput,
    PermissionContext,
    UserGrantInput,
    changes_of,
    group_payload,
)
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    USER_ERRORS_DESCRIPTION,
    VALID_ARGUMENT,
    Connection,
    to_connection,
)
from schema.permissions import ADMIN

CUSTOMER_USER_FIELDS = CustomerUserRelationFields

DRY_RUN = "Only report what would change; write nothing."

P = TypeVar("P")
R = TypeVar("R")


@strawberry.type(description="How customer group permissions are configured.")
class CustomerGroupSettings:
    support: bool = strawberry.field(
        description="OTOBO's CustomerGroupSupport. Off: every customer user has every valid "
        "group with every permission type, and grants are stored but have no effect."
    )
    always_groups: list[str] = strawberry.field(
        description="Group names every valid customer user holds with every permission type "
        "(OTOBO's CustomerGroupAlwaysGroups)."
    )
    company_always_groups: list[str] = strawberry.field(
        description="Group names every customer grants to its users with every permission "
        "type (OTOBO's CustomerGroupCompanyAlwaysGroups)."
    )
    permission_types: list[str] = strawberry.field(
        description="The permission types that may be granted; rw implies every one."
    )
    contexts: list[PermissionContext] = strawberry.field(
        description="The permission contexts a customer's grant may use "
        "(CustomerGroupPermissionContext)."
    )


class _AssignmentInput(Protocol):
    """What every assignment input gives its use case: the owner's key and the entries."""

    dry_run: bool

    def arguments(self) -> tuple[Any, list[Any]]: ...


@strawberry.input(description="Replace the customers assigned to a customer user.")
class CustomerUserSetCustomersInput:
    login: str = strawberry.field(description="The customer user's login.")
    customer_ids: list[str] = strawberry.field(
        description="Every customer ID the user is to be assigned to, besides its primary one "
        "(customer_user_customer rows); the rows not listed are removed."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[str, list[str]]:
        return self.login, self.customer_ids


@strawberry.input(description="Replace the customer users assigned to a customer.")
class CustomerSetCustomerUsersInput:
    customer_id: str = strawberry.field(description="The customer ID (OTOBO's CustomerID).")
    logins: list[str] = strawberry.field(
        description="Every login to be assigned to the customer (customer_user_customer "
        "rows); the rows not listed are removed. Primary customers are not changed."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[str, list[str]]:
        return self.customer_id, self.logins


@strawberry.input(description="Replace a customer user's direct group grants.")
class CustomerUserSetGroupsInput:
    login: str = strawberry.field(description="The customer user's login.")
    grants: list[GroupGrantInput] = strawberry.field(
        description="The user's complete set of grants, one entry per group "
        "(group_customer_user rows); every group not listed loses its grants to the user."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[str, list[Grant[int]]]:
        return self.login, [entry.grant() for entry in self.grants]


@strawberry.input(description="Replace the customer users' direct grants on a group.")
class GroupSetCustomerUsersInput:
    group_id: int = strawberry.field(description="The numeric group ID.")
    grants: list[UserGrantInput] = strawberry.field(
        description="The group's complete set of user grants, one entry per login "
        "(group_customer_user rows); every login not listed loses its grants on the group."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[int, list[Grant[str]]]:
        return self.group_id, [entry.grant() for entry in self.grants]


@strawberry.input(description="Replace a customer's group grants.")
class CustomerSetGroupsInput:
    customer_id: str = strawberry.field(description="The customer ID (OTOBO's CustomerID).")
    grants: list[CustomerGroupGrantInput] = strawberry.field(
        description="The customer's complete set of grants, one entry per group and context "
        "(group_customer rows); everything not listed is removed."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[str, list[Grant[int]]]:
        return self.customer_id, [entry.grant() for entry in self.grants]


@strawberry.input(description="Replace the customers' grants on a group.")
class GroupSetCustomersInput:
    group_id: int = strawberry.field(description="The numeric group ID.")
    grants: list[CustomerGrantInput] = strawberry.field(
        description="The group's complete set of customer grants, one entry per customer and "
        "context (group_customer rows); everything not listed is removed."
    )
    dry_run: bool = strawberry.field(default=False, description=DRY_RUN)

    def arguments(self) -> tuple[int, list[Grant[str]]]:
        return self.group_id, [entry.grant() for entry in self.grants]


CHANGES = "The rows added and removed; on a dry run, the ones that would be."


@strawberry.type(description="The result of customerUserSetCustomers and customerUserSetGroups.")
class CustomerUserAssignmentPayload:
    customer_user: CustomerUserRef | None = strawberry.field(
        description="The customer user after the change; null when the input was refused."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="The result of customerSetCustomerUsers and customerSetGroups.")
class CustomerAssignmentPayload:
    customer: CustomerRef | None = strawberry.field(
        description="The customer after the change; null when the input was refused."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="The result of groupSetCustomerUsers and groupSetCustomers.")
class GroupAssignmentPayload:
    group: Group | None = strawberry.field(
        description="The group after the change; null when the input was refused."
    )
    changes: list[AssignmentChange] = strawberry.field(description=CHANGES)
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@dataclass(frozen=True)
class _Owner(Generic[R]):
    """Where an assignment's payload returns the owner (``field``), wrapped by ``wrap``."""

    field: str
    wrap: Callable[[RequestContext, R], Any]


_USER = _Owner[CustomerUserRecord]("customer_user", lambda ctx, r: ctx.customer_user_object(r))
_CUSTOMER = _Owner[CustomerRecord]("customer", lambda ctx, r: ctx.customer_object(r))
_GROUP = _Owner[GroupRecord]("group", lambda _, r: Group.wrap(r))


def assignment_payload(
    payload_type: Callable[..., P], owner: _Owner[R], ctx: RequestContext, outcome: Outcome[R]
) -> P:
    """The one payload builder of the six assignments: the owner, the changes, the errors."""
    record = outcome.record
    subject = owner.wrap(ctx, record) if record is not None else None
    return outcome_payload(
        payload_type, outcome, changes=changes_of(outcome), **{owner.field: subject}
    )


def _assignment(
    input_type: type[_AssignmentInput],
    payload_type: type[P],
    owner: _Owner[R],
    use_case: Callable[..., Awaitable[Outcome[R]]],
    description: str,
) -> Any:
    """The one way the six assignment mutations are made: the input's owner key and entries
    go to ``use_case`` through the mutation pipeline; the outcome becomes the payload."""

    async def mutate(self: Any, info: Info, input: input_type) -> payload_type:
        key, entries = input.arguments()
        ctx = info.context
        outcome = await run_mutation(ctx, use_case, key, entries, dry_run=input.dry_run)
        return assignment_payload(payload_type, owner, ctx, outcome)

    return strawberry.mutation(resolver=mutate, permission_classes=ADMIN, description=description)


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
    install_declared(schema, "GroupGrant")
    install_declared(schema, "CustomerGroupGrant")


def queries(types: CustomerUserTypes, config: RosterConfig) -> Any:
    @strawberry.type
    class GroupQueries:
        @strawberry.field(description="A group by its exact name (OTOBO's GroupLookup).")
        async def group(
            self,
            info: Info,
            name: Annotated[str, strawberry.argument(description="The group's exact name.")],
        ) -> Group | None:
            record = await group_resolvers.group_by_name(info.context, name)
            return Group.wrap(record) if record else None

        @strawberry.field(
            description="Groups ordered by name. valid: true (default) lists only VALID ones."
        )
        async def groups(
            self,
            info: Info,
            valid: Annotated[bool | None, VALID_ARGUMENT] = True,
            first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
            after: Annotated[str | None, AFTER_ARGUMENT] = None,
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
            outcome = await run_mutation(info.context, group_use_cases.create, input.change())
            return group_payload(outcome)

        @strawberry.mutation(
            permission_classes=ADMIN,
            description="Change a group (a patch). Deactivate with validity INVALID: its grants "
            "stay stored but count for nothing while it is invalid.",
        )
        async def group_update(self, info: Info, input: GroupUpdateInput) -> GroupPayload:
            outcome = await run_mutation(
                info.context, group_use_cases.update, input.group_id, input.change()
            )
            return group_payload(outcome)

        customer_user_set_customers = _assignment(
            CustomerUserSetCustomersInput,
            CustomerUserAssignmentPayload,
            _USER,
            customer_assignments.set_user_customers,
            "Replace the customers assigned to a customer user (customer_user_customer).",
        )
        customer_set_customer_users = _assignment(
            CustomerSetCustomerUsersInput,
            CustomerAssignmentPayload,
            _CUSTOMER,
            customer_assignments.set_customer_users,
            "Replace the customer users assigned to a customer (customer_user_customer); users "
            "whose primary customer it is are not affected.",
        )
        customer_user_set_groups = _assignment(
            CustomerUserSetGroupsInput,
            CustomerUserAssignmentPayload,
            _USER,
            group_assignments.set_user_groups,
            "Replace a customer user's direct group grants: every group not listed loses its "
            "grants for this user.",
        )
        group_set_customer_users = _assignment(
            GroupSetCustomerUsersInput,
            GroupAssignmentPayload,
            _GROUP,
            group_assignments.set_group_users,
            "Replace a group's direct grants to customer users.",
        )
        customer_set_groups = _assignment(
            CustomerSetGroupsInput,
            CustomerAssignmentPayload,
            _CUSTOMER,
            group_assignments.set_customer_groups,
            "Replace a customer's group grants, in every context.",
        )
        group_set_customers = _assignment(
            GroupSetCustomersInput,
            GroupAssignmentPayload,
            _GROUP,
            group_assignments.set_group_customers,
            "Replace a group's grants to customers, in every context.",
        )

    return GroupMutations
