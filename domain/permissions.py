"""Effective customer-group permissions, explained: OTOBO's ``GroupMemberList`` made explicit.

For one customer user, OTOBO computes (``CustomerGroup.pm``; §2.8 of the reference)::

    if not CustomerGroupSupport: every valid group, every type
    else: direct rows (key = type or 'rw')
          + for each of the user's customer IDs: that customer's rows in the Same context
                                                (key = type or 'rw') + CompanyAlwaysGroups
    + CustomerGroupAlwaysGroups (any type)
    limited to valid groups

Here every (group, permission) the user holds comes with the list of *reasons* it holds it,
which OTOBO's "Effective permissions" table only shows as On/Off.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.assignments import CustomerGroupRow, UserGroupRow
from domain.records import GroupRecord
from domain.validity import Validity

RW = "rw"
SAME_CONTEXT = "Ticket::CustomerID::Same"
OTHER_CONTEXT = "Ticket::CustomerID::Other"


class ReasonKind(enum.Enum):
    DIRECT_GRANT = "DIRECT_GRANT"
    """A ``group_customer_user`` row for the user with this permission."""
    CUSTOMER_GRANT = "CUSTOMER_GRANT"
    """A ``group_customer`` row (Same context) for one of the user's customer IDs."""
    ALWAYS_GROUP = "ALWAYS_GROUP"
    """The group is one of ``always_groups`` (OTOBO's CustomerGroupAlwaysGroups)."""
    COMPANY_ALWAYS_GROUP = "COMPANY_ALWAYS_GROUP"
    """The group is one of ``company_always_groups``, reached through a customer ID."""
    GROUP_SUPPORT_OFF = "GROUP_SUPPORT_OFF"
    """``customer_group.support`` is off: every customer user has every valid group."""


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    via_rw: bool = False
    """The grant was ``rw``, which implies every permission."""
    customer_id: str | None = None
    """For CUSTOMER_GRANT and COMPANY_ALWAYS_GROUP: the customer ID it came through."""


@dataclass(frozen=True, slots=True)
class GroupSettings:
    """OTOBO's CustomerGroupSupport, AlwaysGroups, CompanyAlwaysGroups and permission types."""

    support: bool = False
    always_groups: tuple[str, ...] = ("users",)
    company_always_groups: tuple[str, ...] = ("users",)
    permission_types: tuple[str, ...] = ("ro", "rw")


@dataclass(frozen=True, slots=True)
class EffectivePermission:
    group: GroupRecord
    permission: str
    reasons: tuple[Reason, ...]


@dataclass
class _Collector:
    by_key: dict[tuple[int, str], list[Reason]] = field(default_factory=dict)

    def add(self, group_id: int, permission: str, reason: Reason) -> None:
        reasons = self.by_key.setdefault((group_id, permission), [])
        if reason not in reasons:
            reasons.append(reason)


_SUPPORT_OFF = Reason(ReasonKind.GROUP_SUPPORT_OFF)
_ALWAYS = Reason(ReasonKind.ALWAYS_GROUP)
_DIRECT = {via_rw: Reason(ReasonKind.DIRECT_GRANT, via_rw) for via_rw in (False, True)}
"""The reasons that name no customer, one object each: equal to new ones, and the schema
wraps each object once per request (``EffectivePermissionType.wrapper``)."""


def _grants_for(stored: str, wanted: Sequence[str]) -> list[tuple[str, bool]]:
    """The permissions a stored key satisfies: itself, or every one when it is ``rw``."""
    if stored == RW:
        return [(p, p != RW) for p in wanted]
    return [(stored, False)] if stored in wanted else []


class GroupTable:
    """The valid groups of a request, indexed once: by ID, by name, and each group's place in
    the answer's order (by ``name.upper()``). A page of 1000 users asks for the effective
    permissions of each; rebuilding these maps and sorting by ``name.upper()`` per user was
    most of ``effective_permissions``' cost (bench (6), bench/README.md)."""

    __slots__ = ("by_id", "by_name", "rank")

    def __init__(self, groups: Iterable[GroupRecord]) -> None:
        self.by_id = {g.id: g for g in groups if g.validity is Validity.VALID}
        self.by_name = {g.name: g for g in self.by_id.values()}
        # Group names are unique case-insensitively, so no two groups tie on the key.
        ordered = sorted(self.by_id.values(), key=lambda g: g.name.upper())
        self.rank = {g.id: place for place, g in enumerate(ordered)}


def effective_permissions(
    settings: GroupSettings,
    groups: Iterable[GroupRecord] | GroupTable,
    customer_ids: Sequence[str],
    user_grants: Iterable[UserGroupRow],
    customer_grants: Iterable[CustomerGroupRow],
    *,
    also: Sequence[str] = (),
) -> list[EffectivePermission]:
    """Every (valid group, permission) the user holds, each with its reasons.

    ``user_grants`` are the user's ``group_customer_user`` rows and ``customer_grants``
    ``group_customer`` rows, which may include other customers and contexts: only the Same
    context of the user's own ``customer_ids`` (see :func:`customer_ids`) counts. Permissions
    are the configured types, any other key stored for the user directly, and ``also``: a
    caller asking about ``create`` learns that an ``rw`` grant gives it (OTOBO: rw satisfies
    every type string). ``groups`` may be a :class:`GroupTable` built once for many users.
    """
    table = groups if isinstance(groups, GroupTable) else GroupTable(groups)
    valid = table.by_id
    by_name = table.by_name
    user_grants = list(user_grants)
    extra_types = [
        g.permission for g in user_grants if g.permission not in settings.permission_types
    ]
    types = list(dict.fromkeys([*settings.permission_types, *extra_types, *also]))
    found = _Collector()
    if not settings.support:
        for group in valid.values():
            for permission in types:
                found.add(group.id, permission, _SUPPORT_OFF)
    else:
        for direct in user_grants:
            if direct.group_id in valid:
                for permission, via_rw in _grants_for(direct.permission, types):
                    found.add(direct.group_id, permission, _DIRECT[via_rw])
        own = {c.lower(): c for c in customer_ids}
        for grant in customer_grants:
            customer = own.get(grant.customer_id.lower())
            if customer is None or grant.context != SAME_CONTEXT or grant.group_id not in valid:
                continue
            for permission, via_rw in _grants_for(grant.permission, types):
                reason = Reason(ReasonKind.CUSTOMER_GRANT, via_rw, customer)
                found.add(grant.group_id, permission, reason)
        for customer in customer_ids:
            reason = Reason(ReasonKind.COMPANY_ALWAYS_GROUP, customer_id=customer)
            for name in settings.company_always_groups:
                if name in by_name:
                    for permission in types:
                        found.add(by_name[name].id, permission, reason)
    for name in settings.always_groups:
        if name in by_name:
            for permission in types:
                found.add(by_name[name].id, permission, _ALWAYS)
    rank = table.rank
    place = {permission: index for index, permission in enumerate(types)}
    ordered = sorted(found.by_key.items(), key=lambda item: (rank[item[0][0]], place[item[0][1]]))
    return [
        EffectivePermission(valid[group_id], permission, tuple(reasons))
        for (group_id, permission), reasons in ordered
    ]


def customer_ids(
    primary: str | None,
    assigned: Sequence[str],
    *,
    exclude_primary: bool,
    multi: Sequence[str] = (),
) -> list[str]:
    """OTOBO's ``CustomerIDs(User)``: multi-ID field, the primary (unless excluded), then the
    ``customer_user_customer`` IDs, de-duplicated case-insensitively, in that order."""
    ordered: list[str] = [*multi]
    if primary and not exclude_primary:
        ordered.append(primary)
    ordered.extend(sorted(assigned))
    seen: set[str] = set()
    out = []
    for value in ordered:
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def has_permission(
    permissions: Sequence[EffectivePermission], group_name: str, permission: str
) -> bool:
    """OTOBO's ``PermissionCheck``: the group is among the user's effective groups for it;
    ``rw`` satisfies any permission type, configured or not (``create``, ``update`` …)."""
    return any(p.group.name == group_name and p.permission in (permission, RW) for p in permissions)


def split_customer_ids(raw: str | None) -> list[str]:
    """OTOBO's ``UserCustomerIDs``: split on the first of ``;``, ``,``, ``|`` found, trimmed."""
    if not raw:
        return []
    for separator in (";", ",", "|"):
        if separator in raw:
            return [part.strip() for part in raw.split(separator) if part.strip()]
    return [raw.strip()]
