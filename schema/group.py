"""Groups, grants and effective permissions as GraphQL types.

``schema.customer`` imports this module (a customer lists its group grants), so nothing here
imports ``schema.customer``: ``CustomerGrant.customer`` names the Map-built ``Customer``
through a lazy reference (``schema.dynamic``) and wraps records with the request's
``customer_object``. The schema modules form a DAG (tests/test_schema_modules_acyclic.py).
"""

import enum
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry import UNSET

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.assignment_rules import Grant
from domain.assignments import (
    Change,
    ChangeKind,
    CustomerGroupRow,
    UserCustomerRow,
    UserGroupRow,
    UserServiceRow,
)
from domain.group_rules import GroupChanges
from domain.permissions import OTHER_CONTEXT, EffectivePermission, Reason, ReasonKind
from domain.records import GroupRecord
from resolvers import groups as group_resolvers
from schema.audit import AuditFields, Info
from schema.audit_events import HistoryFields
from schema.common import (
    Node,
    UserError,
    ValidityEnum,
    describe_values,
    global_id,
    outcome_payload,
)
from schema.dynamic import CustomerRef, CustomerUserRef
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    USER_ERRORS_DESCRIPTION,
    Connection,
    to_connection,
)
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS

K = TypeVar("K", int, str)

PERMISSIONS_DESCRIPTION = (
    "The permission types granted (ro, rw, or others of [customer_group] permission_types), "
    "each once; rw implies all of them."
)
PERMISSIONS_INPUT_DESCRIPTION = (
    "The permission types to grant, each one of [customer_group] permission_types (ro, rw "
    "…); this list replaces what was granted."
)
PERMISSION_ARGUMENT = strawberry.argument(
    description="The permission type to hold (ro, rw, or another of [customer_group] "
    "permission_types); rw implies every type."
)


@strawberry.enum(
    description="OTOBO's CustomerGroupPermissionContext: what a customer's grant on a group is for."
)
class PermissionContext(enum.Enum):
    SAME = "Same"
    OTHER = "Other"

    @classmethod
    def of(cls, stored: str | None) -> "PermissionContext":
        return cls.OTHER if stored == OTHER_CONTEXT else cls.SAME


describe_values(
    PermissionContext,
    {
        "SAME": "Ticket::CustomerID::Same ('Same Customer'): the customer's users hold the "
        "permission on the group (it counts in their effective permissions).",
        "OTHER": "Ticket::CustomerID::Other ('Other Customers'): the customer's users may "
        "see the group's tickets of other customer IDs; no effective permission on the group.",
    },
)


PermissionReasonKind = strawberry.enum(
    ReasonKind,
    name="PermissionReasonKind",
    description="Why a customer user holds a permission.",
)
describe_values(
    PermissionReasonKind,
    {
        "DIRECT_GRANT": "A grant to the customer user (a group_customer_user row).",
        "CUSTOMER_GRANT": "A grant, in the Same context, to one of the user's customers "
        "(primary or assigned; a group_customer row).",
        "ALWAYS_GROUP": "The group is one of [customer_group] always_groups (OTOBO's "
        "CustomerGroupAlwaysGroups): every customer user holds it.",
        "COMPANY_ALWAYS_GROUP": "The group is one of [customer_group] company_always_groups "
        "(OTOBO's CustomerGroupCompanyAlwaysGroups), reached through one of the user's "
        "customers.",
        "GROUP_SUPPORT_OFF": "[customer_group] support is off (OTOBO's CustomerGroupSupport "
        "= 0): every customer user holds every permission on every valid group.",
    },
)

ChangeKindEnum = strawberry.enum(
    ChangeKind, name="ChangeKind", description="What an assignment did to a relation row."
)
describe_values(
    ChangeKindEnum,
    {
        "ADDED": "The row was added (on a dry run: would be).",
        "REMOVED": "The row was removed (on a dry run: would be).",
    },
)


@strawberry.type(description="One reason a permission is held.")
class PermissionReason:
    reason: strawberry.Private[Reason]

    @strawberry.field(description="Which kind of rule gives the permission.")
    def kind(self) -> PermissionReasonKind:  # type: ignore[valid-type]
        return self.reason.kind

    @strawberry.field(description="The grant was rw, which implies every permission type.")
    def via_rw(self) -> bool:
        return self.reason.via_rw

    @strawberry.field(
        description="For CUSTOMER_GRANT and COMPANY_ALWAYS_GROUP: the customer ID it came through."
    )
    def customer_id(self) -> str | None:
        return self.reason.customer_id


@strawberry.type(description="A group, OTOBO's groups_table.")
class Group(HistoryFields, AuditFields, Node):
    record: strawberry.Private[GroupRecord]

    @classmethod
    def wrap(cls, record: Any) -> "Group":
        return cls(record=record, audit=record.audit)

    @strawberry.field(description="The group's global ID (for node and nodes).")
    def id(self) -> strawberry.ID:
        return global_id("Group", str(self.record.id))

    @strawberry.field(description="The numeric group ID (OTOBO's GroupID).")
    def group_id(self) -> int:
        return self.record.id

    @strawberry.field(
        description="The group's name (unique, compared case-insensitively; at most 191 "
        "characters), as OTOBO's agent interface shows it."
    )
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="Free text about the group; null when none was given.")
    def comment(self) -> str | None:
        return self.record.comment

    @strawberry.field(
        description="Whether the group is in use; grants on an invalid group give no "
        "effective permission."
    )
    def validity(self) -> ValidityEnum:  # type: ignore[valid-type]
        return self.record.validity

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="The customer users who effectively hold `permission` on this group, with "
        "the same reasons as CustomerUser.effectivePermissions: direct grants, grants to "
        "their customers (primary or assigned; OTOBO's GroupID direction counts only the "
        "primary one, we count both), always-groups, or group support being off. Invalid "
        "users drop out.",
    )
    async def customer_users(
        self,
        info: Info,
        permission: Annotated[str, PERMISSION_ARGUMENT] = "ro",
        first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER_ARGUMENT] = None,
    ) -> Connection["GroupMember"]:
        page = await group_resolvers.group_members(
            info.context, self.record, permission, first=first, after=after
        )
        wrap_user = info.context.customer_user_object
        return to_connection(
            page,
            lambda item: GroupMember(
                customer_user=wrap_user(item[0]),
                permission=item[1].permission,
                reasons=[PermissionReason(reason=r) for r in item[1].reasons],
            ),
            count=lambda: group_resolvers.group_member_count(info.context, self.record, permission),
        )

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="Direct grants to customer users (group_customer_user rows).",
    )
    async def user_grants(self, info: Info) -> list["UserGrant"]:
        rows = await info.context.loaders.groups.group_user_grants.load(self.record.id)
        by_login: dict[str, list[str]] = {}
        for row in rows:
            by_login.setdefault(row.login, []).append(row.permission)
        return [UserGrant(login=login, permissions=p) for login, p in sorted(by_login.items())]

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="Grants to customers (group_customer rows), per context.",
    )
    async def customer_grants(self, info: Info) -> list["CustomerGrant"]:
        rows = await info.context.loaders.groups.group_customer_grants.load(self.record.id)
        by_key: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            by_key.setdefault((row.customer_id, row.context), []).append(row.permission)
        return [
            CustomerGrant(customer_id=cid, context=PermissionContext.of(ctx), permissions=p)
            for (cid, ctx), p in sorted(by_key.items())
        ]


@strawberry.type(description="A customer user who effectively holds a permission on a group.")
class GroupMember:
    customer_user: CustomerUserRef = strawberry.field(description="The customer user.")
    permission: str = strawberry.field(
        description="The permission type asked for (ro, rw, or another of [customer_group] "
        "permission_types)."
    )
    reasons: list[PermissionReason] = strawberry.field(
        description="Every rule that gives the permission (at least one)."
    )


@strawberry.type(description="A group and the permissions granted on it.")
class GroupGrant:
    group: Group = strawberry.field(description="The group the permissions are on.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_DESCRIPTION)


@strawberry.type(description="A customer user's direct grant on a group.")
class UserGrant:
    login: str = strawberry.field(
        description="The customer user's login, as stored in group_customer_user."
    )
    permissions: list[str] = strawberry.field(description=PERMISSIONS_DESCRIPTION)

    @strawberry.field(
        description="The customer user of `login`; null when no backend knows it (a grant "
        "left behind by a removed user, or its backend did not answer)."
    )
    async def customer_user(self, info: Info) -> CustomerUserRef | None:
        record = await info.context.loaders.customer_user.load(self.login)
        return info.context.customer_user_object(record) if record else None


@strawberry.type(description="A customer's grant on a group, in a permission context.")
class CustomerGrant:
    customer_id: str = strawberry.field(
        description="The customer's ID (OTOBO's CustomerID), as stored in group_customer."
    )
    context: PermissionContext = strawberry.field(description="What the grant is for.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_DESCRIPTION)

    @strawberry.field(
        description="The customer (company) of `customerId`; null when there is no such "
        "customer record (OTOBO allows customer IDs without one)."
    )
    async def customer(self, info: Info) -> CustomerRef | None:
        record = await info.context.loaders.customer.load(self.customer_id)
        return info.context.customer_object(record) if record else None


@strawberry.type(description="A customer's grant on a group (seen from the customer).")
class CustomerGroupGrant:
    group: Group = strawberry.field(description="The group the permissions are on.")
    context: PermissionContext = strawberry.field(description="What the grant is for.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_DESCRIPTION)


@strawberry.type(
    name="EffectivePermission",
    description="A permission a customer user holds on a group, and why.",
)
class EffectivePermissionType:
    permission: str = strawberry.field(
        description="The permission type held (ro, rw, or another of [customer_group] "
        "permission_types); rw implies every other type."
    )
    reasons: list[PermissionReason] = strawberry.field(
        description="Every rule that gives the permission (at least one)."
    )
    group: Group = strawberry.field(description="The (valid) group the permission is on.")

    @classmethod
    def of(cls, held: EffectivePermission) -> "EffectivePermissionType":
        return cls.wrapper()(held)

    @classmethod
    def wrapper(cls) -> Callable[[EffectivePermission], "EffectivePermissionType"]:
        """``of`` for many permissions at once, sharing the (read-only) objects of equal
        inputs: one per permission object and one ``Group`` per group record, instead of one
        each per user, and one ``PermissionReason`` per reason object (by identity: hashing
        one costs more than wrapping it; ``domain.permissions`` reuses the reasons that name
        no customer). A page of 1000 users holds ~36,000 permissions over ~50 groups
        (bench (6))."""
        done: dict[int, EffectivePermissionType] = {}
        groups: dict[int, Group] = {}
        reasons: dict[int, PermissionReason] = {}

        def reason_of(reason: Reason) -> PermissionReason:
            if (wrapped := reasons.get(id(reason))) is None:
                wrapped = reasons[id(reason)] = PermissionReason(reason=reason)
            return wrapped

        def wrap(held: EffectivePermission) -> EffectivePermissionType:
            if (wrapped := done.get(id(held))) is not None:
                return wrapped
            group = groups.get(id(held.group))
            if group is None:
                group = groups[id(held.group)] = Group.wrap(held.group)
            wrapped = done[id(held)] = cls(
                permission=held.permission,
                reasons=[reason_of(r) for r in held.reasons],
                group=group,
            )
            return wrapped

        return wrap


@strawberry.type(
    description="A relation row an assignment added or removed (or, on a dry run, would): "
    "the same shape for every assignment mutation; the fields the row has are set."
)
class AssignmentChange:
    """The API's one change shape over the typed rows: each field says which rows have it."""

    change: strawberry.Private[Change]

    @strawberry.field(description="Whether the row was added or removed.")
    def kind(self) -> ChangeKindEnum:  # type: ignore[valid-type]
        return self.change.kind

    @strawberry.field(
        description="The customer user's login; null for rows without one (customer-group rows)."
    )
    def login(self) -> str | None:
        row = self.change.row
        return (
            row.login if isinstance(row, UserCustomerRow | UserGroupRow | UserServiceRow) else None
        )

    @strawberry.field(
        description="The customer ID (user-customer and customer-group rows); null otherwise."
    )
    def customer_id(self) -> str | None:
        row = self.change.row
        return row.customer_id if isinstance(row, UserCustomerRow | CustomerGroupRow) else None

    @strawberry.field(
        description="The numeric group ID (user-group and customer-group rows); null otherwise."
    )
    def group_id(self) -> int | None:
        row = self.change.row
        return row.group_id if isinstance(row, UserGroupRow | CustomerGroupRow) else None

    @strawberry.field(
        description="The permission type of a group row (ro, rw …); null for other rows."
    )
    def permission(self) -> str | None:
        row = self.change.row
        return row.permission if isinstance(row, UserGroupRow | CustomerGroupRow) else None

    @strawberry.field(description="The numeric service ID (user-service rows); null otherwise.")
    def service_id(self) -> int | None:
        row = self.change.row
        return row.service_id if isinstance(row, UserServiceRow) else None

    @strawberry.field(
        description="The permission context of a customer-group row; null for other rows."
    )
    def context(self) -> PermissionContext | None:
        row = self.change.row
        return PermissionContext.of(row.context) if isinstance(row, CustomerGroupRow) else None


def changes_of(outcome: Outcome[Any]) -> list[AssignmentChange]:
    return [AssignmentChange(change=c) for c in outcome.changes]


@strawberry.type(description="The result of groupCreate and groupUpdate.")
class GroupPayload:
    group: Group | None = strawberry.field(
        description="The group as written; null when the input was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def group_payload(outcome: Outcome[GroupRecord]) -> GroupPayload:
    return outcome_payload(
        GroupPayload, outcome, group=Group.wrap(outcome.record) if outcome.record else None
    )


@strawberry.input(description="A new group; names are unique (case-insensitively).")
class GroupCreateInput:
    name: str | None = strawberry.field(
        default=None, description="Required; at most 191 characters, unique."
    )
    comment: str | None = strawberry.field(
        default=None, description="Free text, at most 250 characters."
    )
    validity: ValidityEnum = strawberry.field(  # type: ignore[valid-type]
        default=ValidityEnum.VALID, description="VALID unless given."
    )

    def change(self) -> GroupChanges:
        """The input as the use case's typed change (every field given)."""
        return GroupChanges(name=self.name, comment=self.comment, validity=self.validity)


@strawberry.input(description="A patch: omitted fields keep their value.")
class GroupUpdateInput:
    group_id: int = strawberry.field(description="The numeric ID of the group to change.")
    name: str | None = strawberry.field(
        default=UNSET, description="A new name (unique, at most 191 characters)."
    )
    comment: str | None = strawberry.field(
        default=UNSET, description="A new comment; null clears it."
    )
    validity: ValidityEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="A new validity."
    )

    def change(self) -> GroupChanges:
        """The fields the client sent (an omitted one stays ``UNSET``: kept as it is)."""
        given: dict[str, Any] = {
            "name": self.name,
            "comment": self.comment,
            "validity": self.validity,
        }
        return GroupChanges(**{name: v for name, v in given.items() if v is not UNSET})


def _grant(target: K, permissions: list[str], context: PermissionContext) -> Grant[K]:
    """An entry of a grant input as the use case's grant (each permission once)."""
    return Grant(target, tuple(dict.fromkeys(permissions)), context.value)


@strawberry.input(description="Permissions on one group; an empty list removes the grant.")
class GroupGrantInput:
    group_id: int = strawberry.field(description="The numeric group ID.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_INPUT_DESCRIPTION)

    def grant(self) -> Grant[int]:
        return _grant(self.group_id, self.permissions, PermissionContext.SAME)


@strawberry.input(description="Permissions for one customer user; an empty list removes them.")
class UserGrantInput:
    login: str = strawberry.field(description="The customer user's login.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_INPUT_DESCRIPTION)

    def grant(self) -> Grant[str]:
        return _grant(self.login, self.permissions, PermissionContext.SAME)


@strawberry.input(
    description="A customer's permissions on one group in one context; an empty list removes them."
)
class CustomerGroupGrantInput:
    group_id: int = strawberry.field(description="The numeric group ID.")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_INPUT_DESCRIPTION)
    context: PermissionContext = strawberry.field(
        default=PermissionContext.SAME, description="SAME unless given."
    )

    def grant(self) -> Grant[int]:
        return _grant(self.group_id, self.permissions, self.context)


@strawberry.input(
    description="One customer's permissions on the group in one context; an empty list "
    "removes them."
)
class CustomerGrantInput:
    customer_id: str = strawberry.field(description="The customer ID (OTOBO's CustomerID).")
    permissions: list[str] = strawberry.field(description=PERMISSIONS_INPUT_DESCRIPTION)
    context: PermissionContext = strawberry.field(
        default=PermissionContext.SAME, description="SAME unless given."
    )

    def grant(self) -> Grant[str]:
        return _grant(self.customer_id, self.permissions, self.context)
