"""The fields that connect customers and customer users to each other and to groups.

They sit on ``CustomerUser`` (through the groups area's ``CUSTOMER_USER_FIELDS``) and on
``Customer`` (as a base class), and resolve through the per-request loaders, so a page of
1000 users with their customers and effective permissions costs a fixed number of queries.
"""

from typing import TYPE_CHECKING, Annotated

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from domain.permissions import has_permission
from domain.records import CustomerRecord, CustomerUserRecord
from resolvers import groups as group_resolvers
from schema.audit import Info
from schema.dynamic import CustomerUserRef
from schema.group import (
    CustomerGroupGrant,
    EffectivePermissionType,
    Group,
    GroupGrant,
    PermissionContext,
)
from schema.pagination import Connection, to_connection

if TYPE_CHECKING:
    from schema.customer import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("schema.customer")]


@strawberry.type
class CustomerUserRelationFields:
    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(
        description="The customer IDs the user acts for, in OTOBO's order (CustomerIDs): the "
        "primary one (unless the backend sets exclude_primary_customer_id), then the assigned "
        "ones, without duplicates."
    )
    async def customer_ids(self, info: Info) -> list[str]:
        return await group_resolvers.user_customer_ids(info.context, self.record)

    @strawberry.field(
        description="The customers assigned to the user (OTOBO's customer_user_customer), "
        "besides the primary one."
    )
    async def customers(self, info: Info) -> list[CustomerRef]:
        from schema.customer import Customer

        records = await group_resolvers.assigned_customers(info.context, self.record)
        return [Customer.wrap(r) for r in records]

    @strawberry.field(description="The user's direct group grants (group_customer_user).")
    async def group_grants(self, info: Info) -> list[GroupGrant]:
        loaders = info.context.loaders.groups
        links = await loaders.user_grants.load(self.record.login)
        by_group: dict[int, list[str]] = {}
        for link in links:
            by_group.setdefault(int(link.group_id or 0), []).append(str(link.permission))
        groups = await loaders.by_id.load_many(list(by_group))
        return [
            GroupGrant(group=Group.wrap(g), permissions=by_group[g.id])
            for g in sorted((g for g in groups if g), key=lambda g: g.name)
        ]

    @strawberry.field(
        description="Every permission the user effectively holds, per valid group, with why: "
        "a direct grant, a grant to one of its customers (Same context), an always-group, a "
        "company always-group, rw implying it (viaRw), or customer_group.support being off "
        "(then every valid group, every type). OTOBO's 'Effective permissions' table, "
        "machine-readable. Invalid users hold nothing."
    )
    async def effective_permissions(self, info: Info) -> list[EffectivePermissionType]:
        held = await group_resolvers.user_effective_permissions(info.context, self.record)
        return [EffectivePermissionType.of(p) for p in held]

    @strawberry.field(
        description="OTOBO's PermissionCheck: whether the user effectively holds `permission` "
        "on the group named `group` (exact name)."
    )
    async def has_permission(self, info: Info, group: str, permission: str) -> bool:
        held = await group_resolvers.user_effective_permissions(
            info.context, self.record, also=(permission,)
        )
        return has_permission(held, group, permission)


@strawberry.type
class CustomerRelationFields:
    record: strawberry.Private[CustomerRecord]

    @strawberry.field(
        description="The customer users whose primary customer this is, or to whom it is "
        "assigned, by login. valid: true (default) lists only VALID users."
    )
    async def customer_users(
        self,
        info: Info,
        valid: bool = True,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[CustomerUserRef]:
        ctx = info.context
        page = await group_resolvers.customer_users_of(
            ctx, self.record, valid=valid, first=first, after=after
        )
        return to_connection(
            page,
            ctx.customer_user_object,
            count=lambda: group_resolvers.customer_user_count(ctx, self.record, valid=valid),
        )

    @strawberry.field(description="The customer's group grants (group_customer), per context.")
    async def group_grants(self, info: Info) -> list[CustomerGroupGrant]:
        loaders = info.context.loaders.groups
        links = await loaders.customer_grants.load(self.record.customer_id)
        by_key: dict[tuple[int, str], list[str]] = {}
        for link in links:
            key = (int(link.group_id or 0), str(link.context))
            by_key.setdefault(key, []).append(str(link.permission))
        groups = {
            g.id: g for g in await loaders.by_id.load_many(sorted({k[0] for k in by_key})) if g
        }
        return [
            CustomerGroupGrant(
                group=Group.wrap(groups[gid]),
                context=PermissionContext.of(context),
                permissions=permissions,
            )
            for (gid, context), permissions in sorted(by_key.items())
            if gid in groups
        ]
