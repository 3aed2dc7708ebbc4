"""The fields that connect a customer user to its customers and groups.

They sit on ``CustomerUser`` (through the groups area's ``CUSTOMER_USER_FIELDS``) and resolve
through the per-request loaders, so a page of 1000 users with their customers and effective
permissions costs a fixed number of queries. (A customer's own relation fields are in
``schema.customer``.) This module sits above ``schema.group`` and imports it directly; it
names the Map-built ``Customer`` lazily (``schema.dynamic``): the schema modules form a DAG
(tests/test_schema_modules_acyclic.py).
"""

from collections.abc import Sequence
from typing import Annotated, Any

import strawberry

from domain.permissions import has_permission
from domain.records import CustomerUserRecord
from resolvers import groups as group_resolvers
from resolvers.context import RequestContext
from schema.audit import Info
from schema.dynamic import CustomerRef
from schema.fast_fields import batch_reader
from schema.group import EffectivePermissionType, Group, GroupGrant


async def customer_ids_of(users: Sequence[Any], context: RequestContext) -> list[list[str]]:
    return await group_resolvers.users_customer_ids(context, [u.record for u in users])


async def effective_permissions_of(
    users: Sequence[Any], context: RequestContext
) -> list[list[EffectivePermissionType]]:
    """Users with the same inputs share their permissions (``resolvers.groups``), and so
    their wrapped objects (``EffectivePermissionType.wrapper``)."""
    found = await group_resolvers.users_effective_permissions(context, [u.record for u in users])
    wrap = EffectivePermissionType.wrapper()
    return [[wrap(p) for p in held] for held in found]


async def assigned_customers_of(users: Sequence[Any], context: RequestContext) -> list[list[Any]]:
    per_user = await group_resolvers.users_assigned_customers(context, [u.record for u in users])
    wrap = context.customer_object
    return [[wrap(r) for r in records] for records in per_user]


async def group_grants_of(users: Sequence[Any], context: RequestContext) -> list[list[GroupGrant]]:
    """The users' direct grants by group name, each one's permissions by code point (not in
    the rows' order, which the database's plan decides): every user's rows in one
    ``load_many``, then every group they name in one."""
    loaders = context.loaders.groups
    per_user = await loaders.user_grants.load_many([u.record.login for u in users])
    wanted = list(dict.fromkeys(row.group_id for rows in per_user for row in rows))
    found = dict(zip(wanted, await loaders.by_id.load_many(wanted), strict=True))
    grants = []
    for rows in per_user:
        by_group: dict[int, list[str]] = {}
        for row in rows:
            by_group.setdefault(row.group_id, []).append(row.permission)
        groups = (found[group_id] for group_id in by_group)
        grants.append(
            [
                GroupGrant(group=Group.wrap(g), permissions=sorted(by_group[g.id]))
                for g in sorted((g for g in groups if g), key=lambda g: g.name)
            ]
        )
    return grants


@strawberry.type
class CustomerUserRelationFields:
    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(
        description="The customer IDs the user acts for, in OTOBO's order (CustomerIDs): the "
        "primary one (unless the backend sets exclude_primary_customer_id), then the assigned "
        "ones, without duplicates.",
        metadata=batch_reader(customer_ids_of),
    )
    async def customer_ids(self, info: Info) -> list[str]:
        return (await customer_ids_of([self], info.context))[0]

    @strawberry.field(
        description="The customers assigned to the user (OTOBO's customer_user_customer), "
        "besides the primary one.",
        metadata=batch_reader(assigned_customers_of),
    )
    async def customers(self, info: Info) -> list[CustomerRef]:
        return (await assigned_customers_of([self], info.context))[0]

    @strawberry.field(
        description="The user's direct group grants (group_customer_user).",
        metadata=batch_reader(group_grants_of),
    )
    async def group_grants(self, info: Info) -> list[GroupGrant]:
        return (await group_grants_of([self], info.context))[0]

    @strawberry.field(
        description="Every permission the user effectively holds, per valid group, with why: "
        "a direct grant, a grant to one of its customers (Same context), an always-group, a "
        "company always-group, rw implying it (viaRw), or customer_group.support being off "
        "(then every valid group, every type). OTOBO's 'Effective permissions' table, "
        "machine-readable. Invalid users hold nothing.",
        metadata=batch_reader(effective_permissions_of),
    )
    async def effective_permissions(self, info: Info) -> list[EffectivePermissionType]:
        return (await effective_permissions_of([self], info.context))[0]

    @strawberry.field(
        description="OTOBO's PermissionCheck: whether the user effectively holds `permission` "
        "on the group named `group` (exact name)."
    )
    async def has_permission(
        self,
        info: Info,
        group: Annotated[
            str, strawberry.argument(description="The group's exact name (case-sensitive).")
        ],
        permission: Annotated[
            str,
            strawberry.argument(
                description="The permission type (ro, rw, or another of [customer_group] "
                "permission_types); rw implies every type."
            ),
        ],
    ) -> bool:
        held = await group_resolvers.user_effective_permissions(
            info.context, self.record, also=(permission,)
        )
        return has_permission(held, group, permission)
