"""Groups, grants and effective permissions as GraphQL types.

``schema.customer`` imports this module (a customer lists its group grants), so nothing here
imports ``schema.customer``: ``CustomerGrant.customer`` names the Map-built ``Customer``
through a lazy reference (``schema.dynamic``) and wraps records with the request's
``customer_object``. The schema modules form a DAG (tests/test_schema_modules_acyclic.py).
"""

import enum
from typing import Any, TypeVar

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
from schema.common import Node, UserError, ValidityEnum, global_id, outcome_payload
from schema.dynamic import CustomerRef, CustomerUserRef
from schema.pagination import Connection, to_connection
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS

K = TypeVar("K", int, str)


@strawberry.enum(description="OTOBO's CustomerGroupPermissionContext.")
class PermissionContext(enum.Enum):
    SAME = "Same"
    OTHER = "Other"

    @classmethod
    def of(cls, stored: str | None) -> "PermissionContext":
        return cls.OTHER if stored == OTHER_CONTEXT else cls.SAME


PermissionReasonKind = strawberry.enum(
    ReasonKind,
    name="PermissionReasonKind",
    description="Why a customer user holds a permission.",
)

ChangeKindEnum = strawberry.enum(ChangeKind, name="ChangeKind")


@strawberry.type(description="One reason a permission is held.")
class PermissionReason:
    reason: strawberry.Private[Reason]

    @strawberry.field
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
class Group(AuditFields, Node):
    record: strawberry.Private[GroupRecord]

    @classmethod
    def wrap(cls, record: Any) -> "Group":
        return cls(record=record, audit=record.audit)

    @strawberry.field
    def id(self) -> strawberry.ID:
        return global_id("Group", str(self.record.id))

    @strawberry.field(description="The numeric group ID (OTOBO's GroupID).")
    def group_id(self) -> int:
        return self.record.id

    @strawberry.field
    def name(self) -> str:
        return self.record.name

    @strawberry.field
    def comment(self) -> str | None:
        return self.record.comment

    @strawberry.field
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
        permission: str = "ro",
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
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
    customer_user: CustomerUserRef
    permission: str
    reasons: list[PermissionReason]


@strawberry.type(description="A group and the permissions granted on it.")
class GroupGrant:
    group: Group
    permissions: list[str]


@strawberry.type(description="A customer user's direct grant on a group.")
class UserGrant:
    login: str
    permissions: list[str]

    @strawberry.field
    async def customer_user(self, info: Info) -> CustomerUserRef | None:
        record = await info.context.loaders.customer_user.load(self.login)
        return info.context.customer_user_object(record) if record else None


@strawberry.type(description="A customer's grant on a group, in a permission context.")
class CustomerGrant:
    customer_id: str
    context: PermissionContext
    permissions: list[str]

    @strawberry.field
    async def customer(self, info: Info) -> CustomerRef | None:
        record = await info.context.loaders.customer.load(self.customer_id)
        return info.context.customer_object(record) if record else None


@strawberry.type(description="A customer's grant on a group (seen from the customer).")
class CustomerGroupGrant:
    group: Group
    context: PermissionContext
    permissions: list[str]


@strawberry.type(
    name="EffectivePermission",
    description="A permission a customer user holds on a group, and why.",
)
class EffectivePermissionType:
    permission: str
    reasons: list[PermissionReason]
    group: Group

    @classmethod
    def of(cls, held: EffectivePermission) -> "EffectivePermissionType":
        return cls(
            permission=held.permission,
            reasons=[PermissionReason(reason=r) for r in held.reasons],
            group=Group.wrap(held.group),
        )


@strawberry.type(
    description="A relation row an assignment added or removed (or, on a dry run, would): "
    "the same shape for every assignment mutation; the fields the row has are set."
)
class AssignmentChange:
    """The API's one change shape over the typed rows: each field says which rows have it."""

    change: strawberry.Private[Change]

    @strawberry.field
    def kind(self) -> ChangeKindEnum:  # type: ignore[valid-type]
        return self.change.kind

    @strawberry.field
    def login(self) -> str | None:
        row = self.change.row
        return (
            row.login if isinstance(row, UserCustomerRow | UserGroupRow | UserServiceRow) else None
        )

    @strawberry.field
    def customer_id(self) -> str | None:
        row = self.change.row
        return row.customer_id if isinstance(row, UserCustomerRow | CustomerGroupRow) else None

    @strawberry.field
    def group_id(self) -> int | None:
        row = self.change.row
        return row.group_id if isinstance(row, UserGroupRow | CustomerGroupRow) else None

    @strawberry.field
    def permission(self) -> str | None:
        row = self.change.row
        return row.permission if isinstance(row, UserGroupRow | CustomerGroupRow) else None

    @strawberry.field
    def service_id(self) -> int | None:
        row = self.change.row
        return row.service_id if isinstance(row, UserServiceRow) else None

    @strawberry.field
    def context(self) -> PermissionContext | None:
        row = self.change.row
        return PermissionContext.of(row.context) if isinstance(row, CustomerGroupRow) else None


def changes_of(outcome: Outcome[Any]) -> list[AssignmentChange]:
    return [AssignmentChange(change=c) for c in outcome.changes]


@strawberry.type
class GroupPayload:
    group: Group | None
    user_errors: list[UserError]


def group_payload(outcome: Outcome[GroupRecord]) -> GroupPayload:
    return outcome_payload(
        GroupPayload, outcome, group=Group.wrap(outcome.record) if outcome.record else None
    )


@strawberry.input(description="A new group; names are unique (case-insensitively).")
class GroupCreateInput:
    name: str | None = None
    comment: str | None = None
    validity: ValidityEnum = ValidityEnum.VALID  # type: ignore[valid-type]

    def change(self) -> GroupChanges:
        """The input as the use case's typed change (every field given)."""
        return GroupChanges(name=self.name, comment=self.comment, validity=self.validity)


@strawberry.input(description="A patch: omitted fields keep their value.")
class GroupUpdateInput:
    group_id: int
    name: str | None = UNSET
    comment: str | None = UNSET
    validity: ValidityEnum | None = UNSET  # type: ignore[valid-type]

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
    group_id: int
    permissions: list[str]

    def grant(self) -> Grant[int]:
        return _grant(self.group_id, self.permissions, PermissionContext.SAME)


@strawberry.input
class UserGrantInput:
    login: str
    permissions: list[str]

    def grant(self) -> Grant[str]:
        return _grant(self.login, self.permissions, PermissionContext.SAME)


@strawberry.input
class CustomerGroupGrantInput:
    group_id: int
    permissions: list[str]
    context: PermissionContext = PermissionContext.SAME

    def grant(self) -> Grant[int]:
        return _grant(self.group_id, self.permissions, self.context)


@strawberry.input
class CustomerGrantInput:
    customer_id: str
    permissions: list[str]
    context: PermissionContext = PermissionContext.SAME

    def grant(self) -> Grant[str]:
        return _grant(self.customer_id, self.permissions, self.context)
