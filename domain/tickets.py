"""Customer ticket access: OTOBO's ``CustomerTicket::Permission`` chain, with reasons.

OTOBO decides whether customer user U may read (``ro``), write (``rw``) a ticket T in queue Q
owned by group G (``Ticket.pm`` sub ``TicketCustomerPermission``, reference §6.1/§6.2)::

    1-GroupCheck (required):       G ∈ Groups(U, type)             else deny
    2-CustomerUserIDCheck (grant): lc T.customer_user_id = lc U.login (both non-empty)
    3-CustomerIDCheck (grant):     company access on, T.customer_id non-empty and
                                   lc T.customer_id ∈ lc CustomerIDs(U)
    4-CustomerGroupCheck (grant):  company access on, T.customer_id non-empty, group support
                                   on, the Other context configured, G ∈ OtherGroups(C, type)
                                   for some C ∈ CustomerIDs(U)
    otherwise deny

and whether U may create tickets in Q (``QueueSelectionGeneric``): Q valid and Q's group ∈
Groups(U, 'create'), which ``rw`` satisfies. ``Groups`` is the effective-permission rule of
``domain.permissions``; here its reasons become part of the answer.

Where OTOBO's ticket *search* (the customer ticket list) differs from these modules
(reference §7): case (the search compares ``customer_user_id`` exactly), the company-access
flag (the search ignores it) and the Other context (the search also needs T's customer to hold
G in the Same context) — Roster's lists follow the permission modules, so a list shows exactly
the tickets a zoom would open.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.assignments import CustomerGroupRow
from domain.permissions import OTHER_CONTEXT, RW, EffectivePermission, Reason
from domain.records import GroupRecord
from domain.validity import Validity

OPEN_STATE_TYPES = ("new", "open", "pending reminder", "pending auto")
"""OTOBO's ``Ticket::ViewableStateType`` default: what the customer overview's Open filter
shows. CLOSED is the state type ``closed``; removed and merged tickets are only in ANY."""
CLOSED_STATE_TYPES = ("closed",)


class StateFilter(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    ANY = "ANY"

    def state_types(self) -> tuple[str, ...] | None:
        """The state type names this filter keeps (None: every one)."""
        if self is StateFilter.OPEN:
            return OPEN_STATE_TYPES
        if self is StateFilter.CLOSED:
            return CLOSED_STATE_TYPES
        return None


@dataclass(frozen=True, slots=True)
class QueueRecord:
    id: int
    name: str
    group_id: int
    validity: Validity


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One row of OTOBO's ``ticket`` with the names of its queue, state, priority and type."""

    id: int
    number: str
    title: str | None
    queue: QueueRecord
    state: str
    state_type: str
    priority: str
    type: str | None
    customer_id: str | None
    customer_user_id: str | None
    created: datetime
    changed: datetime


@dataclass(frozen=True, slots=True)
class TicketAccessSettings:
    """What besides groups decides access: OTOBO's
    ``Ticket::Frontend::CustomerDisableCompanyTicketAccess`` (``[tickets]
    customer_disable_company_ticket_access``), CustomerGroupSupport and whether the Other
    context (``CustomerGroupPermissionContext###100-CustomerID-other``) is configured."""

    company_access: bool = True
    group_support: bool = False
    other_context: bool = False


class AccessReasonKind(enum.Enum):
    OWN_TICKET = "OWN_TICKET"
    """Allowed: the ticket's customer user is the user (case-insensitively)."""
    COMPANY_TICKET = "COMPANY_TICKET"
    """Allowed: the ticket's customer ID is one of the user's customer IDs."""
    OTHER_CONTEXT = "OTHER_CONTEXT"
    """Allowed: one of the user's customers holds the queue's group in the Other context."""
    GROUP = "GROUP"
    """The queue's group is held with the permission (with the group reasons)."""
    GROUP_MISSING = "GROUP_MISSING"
    """Denied: the queue's group is not among the user's groups with the permission."""
    GROUP_INVALID = "GROUP_INVALID"
    """Denied: the queue's group is missing or not valid (no one holds it)."""
    QUEUE_INVALID = "QUEUE_INVALID"
    """Denied (create only): the queue is not valid."""
    USER_INVALID = "USER_INVALID"
    """Denied: the customer user is not valid (OTOBO drops invalid users from every check)."""
    COMPANY_ACCESS_DISABLED = "COMPANY_ACCESS_DISABLED"
    """Noted when the ticket's customer ID would have granted it, but company access is off."""
    NOT_OWN_OR_COMPANY = "NOT_OWN_OR_COMPANY"
    """Denied: no granting module matched (not the user's ticket, nor a company's of it)."""


@dataclass(frozen=True, slots=True)
class AccessReason:
    kind: AccessReasonKind
    customer_id: str | None = None
    group: str | None = None
    group_reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessAnswer:
    allowed: bool
    reasons: tuple[AccessReason, ...]


def other_groups(
    customer_ids: Sequence[str], grants: Sequence[CustomerGroupRow], permission: str
) -> dict[int, str]:
    """OTOBO's ``OtherGroups(C, type)`` over the user's customer IDs: group id → the first
    customer ID holding it in the Other context with ``permission`` or ``rw``."""
    own = {c.lower(): c for c in customer_ids}
    found: dict[int, str] = {}
    for grant in grants:
        customer = own.get(grant.customer_id.lower())
        if customer is None or grant.context != OTHER_CONTEXT:
            continue
        if grant.permission in (permission, RW):
            found.setdefault(grant.group_id, customer)
    return found


def _group_reasons(
    held: Sequence[EffectivePermission], group_id: int, permission: str
) -> tuple[Reason, ...] | None:
    """Why the group is held with ``permission`` (``held`` was computed with
    ``also=(permission,)``, so an ``rw`` grant shows there as ``via_rw``)."""
    for p in held:
        if p.group.id == group_id and p.permission == permission:
            return p.reasons
    return None


def _group_check(
    group: GroupRecord | None, held: Sequence[EffectivePermission], permission: str
) -> tuple[AccessReason, bool]:
    if group is None or group.validity is not Validity.VALID:
        name = group.name if group else None
        return AccessReason(AccessReasonKind.GROUP_INVALID, group=name), False
    reasons = _group_reasons(held, group.id, permission)
    if reasons is None:
        return AccessReason(AccessReasonKind.GROUP_MISSING, group=group.name), False
    return AccessReason(AccessReasonKind.GROUP, group=group.name, group_reasons=reasons), True


def ticket_access(
    ticket: TicketRecord,
    group: GroupRecord | None,
    *,
    permission: str,
    login: str,
    user_valid: bool,
    customer_ids: Sequence[str],
    held: Sequence[EffectivePermission],
    other: dict[int, str],
    settings: TicketAccessSettings,
) -> AccessAnswer:
    """OTOBO's ``TicketCustomerPermission(Type => permission)``, each step's finding kept.

    ``held`` are the user's effective permissions (asked with ``also=(permission,)``),
    ``other`` is :func:`other_groups` for ``permission``."""
    if not user_valid:
        return AccessAnswer(False, (AccessReason(AccessReasonKind.USER_INVALID),))
    group_reason, group_ok = _group_check(group, held, permission)
    if not group_ok:
        return AccessAnswer(False, (group_reason,))
    if ticket.customer_user_id and login and ticket.customer_user_id.lower() == login.lower():
        return AccessAnswer(True, (AccessReason(AccessReasonKind.OWN_TICKET), group_reason))
    customer = ticket.customer_id
    if customer:
        match = next((c for c in customer_ids if c and c.lower() == customer.lower()), None)
        if not settings.company_access:
            if match is not None:
                disabled = AccessReason(AccessReasonKind.COMPANY_ACCESS_DISABLED, match)
                return AccessAnswer(False, (disabled, group_reason))
        else:
            if match is not None:
                via = AccessReason(AccessReasonKind.COMPANY_TICKET, customer_id=match)
                return AccessAnswer(True, (via, group_reason))
            if settings.group_support and settings.other_context and group is not None:
                holder = other.get(group.id)
                if holder is not None:
                    via = AccessReason(
                        AccessReasonKind.OTHER_CONTEXT, customer_id=holder, group=group.name
                    )
                    return AccessAnswer(True, (via, group_reason))
    return AccessAnswer(False, (AccessReason(AccessReasonKind.NOT_OWN_OR_COMPANY), group_reason))


def create_access(
    queue: QueueRecord,
    group: GroupRecord | None,
    *,
    user_valid: bool,
    held: Sequence[EffectivePermission],
) -> AccessAnswer:
    """May the user create a ticket in ``queue`` (``QueueSelectionGeneric``: Q valid and Q's
    group ∈ Groups(U, 'create'); ``rw`` gives ``create``). ACLs and
    ``CustomerPanelOwnSelection`` are not modelled."""
    if not user_valid:
        return AccessAnswer(False, (AccessReason(AccessReasonKind.USER_INVALID),))
    if queue.validity is not Validity.VALID:
        return AccessAnswer(False, (AccessReason(AccessReasonKind.QUEUE_INVALID),))
    group_reason, group_ok = _group_check(group, held, "create")
    return AccessAnswer(group_ok, (group_reason,))
