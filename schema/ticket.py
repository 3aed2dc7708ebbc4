"""Tickets as GraphQL types (OTOBO's ``ticket``, read only), customer ticket access with
reasons, and the ticket fields of CustomerUser (the tickets area's ``CUSTOMER_USER_FIELDS``).

The rules are ``domain.tickets``; a page of tickets is one statement plus one batched read of
the customer users it names, whatever the page size.
"""

from collections.abc import Sequence
from datetime import date as datetime_date
from datetime import datetime
from typing import Annotated, Any

import strawberry

from datasources.paging import DEFAULT_PAGE_SIZE
from datasources.unit_of_work import Outcome
from domain.dynamic_fields import DynamicFieldDefinition, ValueRow, decode
from domain.records import CustomerUserRecord
from domain.tickets import (
    AccessAnswer,
    AccessReason,
    AccessReasonKind,
    QueueRecord,
    StateFilter,
    TicketRecord,
)
from resolvers import tickets as ticket_resolvers
from resolvers.context import RequestContext
from resolvers.use_cases.tickets import CustomerSet, Refresh
from schema.audit import Info
from schema.common import Node, UserError, as_utc, describe_values, global_id, outcome_payload
from schema.dynamic import CustomerUserRef
from schema.fast_fields import context_reader
from schema.group import Group, PermissionReason
from schema.pagination import (
    AFTER_ARGUMENT,
    FIRST_ARGUMENT,
    USER_ERRORS_DESCRIPTION,
    Connection,
    to_connection,
)
from schema.permissions import NOT_FOR_CUSTOMER_SESSIONS

TicketStateFilter = strawberry.enum(
    StateFilter,
    name="TicketStateFilter",
    description="OPEN: state types new, open, pending reminder, pending auto (OTOBO's "
    "Ticket::ViewableStateType, the customer overview's Open filter); CLOSED: state type "
    "closed; ANY: every ticket, removed and merged ones included.",
)
describe_values(
    TicketStateFilter,
    {
        "OPEN": "State types new, open, pending reminder and pending auto (OTOBO's "
        "Ticket::ViewableStateType default: what the customer overview's Open filter shows).",
        "CLOSED": "State type closed (states such as closed successful and closed "
        "unsuccessful); removed and merged tickets are not included.",
        "ANY": "Every ticket whatever its state type, removed and merged ones included.",
    },
)
AccessReasonKindEnum = strawberry.enum(
    AccessReasonKind,
    name="TicketAccessReasonKind",
    description="OWN_TICKET, COMPANY_TICKET (customerId), OTHER_CONTEXT (customerId holds the "
    "group in the Other context) and GROUP (with groupReasons) explain an allow; "
    "GROUP_MISSING, GROUP_INVALID, QUEUE_INVALID, USER_INVALID, COMPANY_ACCESS_DISABLED and "
    "NOT_OWN_OR_COMPANY name the rule that denied.",
)
describe_values(
    AccessReasonKindEnum,
    {
        "OWN_TICKET": "Allowed by 2-CustomerUserIDCheck: the ticket's customer user "
        "(customer_user_id) is this user's login, compared case-insensitively.",
        "COMPANY_TICKET": "Allowed by 3-CustomerIDCheck: the ticket's customer ID is one of "
        "the user's customer IDs, primary or assigned, compared case-insensitively "
        "(customerId names it).",
        "OTHER_CONTEXT": "Allowed by 4-CustomerGroupCheck: one of the user's customers "
        "(customerId) holds the queue's group in the Other context "
        "(Ticket::CustomerID::Other) and the ticket has a customer ID; only with "
        "[customer_group] support on and the Other context configured.",
        "GROUP": "1-GroupCheck passed: the user holds the queue's group (group) with the "
        "permission asked (create: create, which rw gives); groupReasons say why. Comes with "
        "every allow, and with a deny by a later rule.",
        "GROUP_MISSING": "Denied by 1-GroupCheck: the user does not hold the queue's group "
        "(group) with the permission asked (create: create or rw).",
        "GROUP_INVALID": "Denied: the queue's group does not exist or is not valid, so no one "
        "holds it (group is its name; null when it does not exist).",
        "QUEUE_INVALID": "Create only, denied: the queue is not valid (OTOBO offers only valid "
        "queues for new tickets).",
        "USER_INVALID": "Denied: the customer user is not valid (OTOBO drops invalid users "
        "from every permission check).",
        "COMPANY_ACCESS_DISABLED": "Denied: the ticket's customer ID is one of the user's "
        "(customerId) and would have granted access, but [tickets] "
        "customer_disable_company_ticket_access is on (OTOBO's "
        "Ticket::Frontend::CustomerDisableCompanyTicketAccess).",
        "NOT_OWN_OR_COMPANY": "Denied: the group check passed, but no granting rule matched: "
        "the ticket is not the user's own, not one of the user's customers', and not "
        "reachable through the Other context.",
    },
)


async def _customer_user_of(ticket: "Ticket", context: RequestContext) -> Any:
    login = ticket.record.customer_user_id
    if not login:
        return None
    record = await context.loaders.customer_user.load(login)
    return context.customer_user_object(record) if record else None


async def _group_of(queue: "Queue", context: RequestContext) -> Group | None:
    found = await context.loaders.groups.by_id.load(queue.record.group_id)
    return Group.wrap(found) if found else None


@strawberry.type(description="A ticket state (OTOBO's ticket_state) and its state type.")
class TicketState:
    name: str = strawberry.field(
        description="The state's name as stored (untranslated), e.g. new, open, closed "
        "successful, pending reminder."
    )
    type: str = strawberry.field(
        description="The state type: new, open, closed, pending reminder, pending auto, "
        "removed or merged."
    )


@strawberry.type(description="A queue (OTOBO's queue) and the group that owns it.")
class Queue:
    record: strawberry.Private[QueueRecord]

    @strawberry.field(
        description="The queue's unique name; a sub-queue's is its full path with :: "
        "(e.g. Misc::Sales), as OTOBO stores it."
    )
    def name(self) -> str:
        return self.record.name

    @strawberry.field(description="Whether the queue is valid.")
    def valid(self) -> bool:
        return self.record.validity.value == 1

    @strawberry.field(
        description="The group owning the queue; null when the queue names a group that "
        "does not exist.",
        metadata=context_reader(_group_of),
    )
    async def group(self, info: Info) -> Group | None:
        return await _group_of(self, info.context)


@strawberry.type(description="A ticket, OTOBO's ticket table (read only).")
class Ticket(Node):
    record: strawberry.Private[TicketRecord]

    @strawberry.field(
        description="The ticket's global ID (for node and nodes), built from the ticket number."
    )
    def id(self) -> strawberry.ID:
        return global_id("Ticket", self.record.number)

    @strawberry.field(description="The ticket number (OTOBO's TicketNumber, column tn).")
    def number(self) -> str:
        return self.record.number

    @strawberry.field(
        description="The ticket's subject line (OTOBO's title, at most 191 characters); null "
        "when it has none."
    )
    def title(self) -> str | None:
        return self.record.title

    @strawberry.field(
        description="The queue the ticket is in; the queue's group decides customer access "
        "(OTOBO's 1-GroupCheck)."
    )
    def queue(self) -> Queue:
        return Queue(record=self.record.queue)

    @strawberry.field(
        description="The ticket's state and its state type (what the OPEN and CLOSED "
        "filters go by)."
    )
    def state(self) -> TicketState:
        return TicketState(name=self.record.state, type=self.record.state_type)

    @strawberry.field(
        description="The priority's name (OTOBO's ticket_priority), e.g. 3 normal; by "
        "default 1 very low to 5 very high."
    )
    def priority(self) -> str:
        return self.record.priority

    @strawberry.field(description="The ticket type's name (null when the ticket has none).")
    def type(self) -> str | None:
        return self.record.type

    @strawberry.field(
        description="The ticket's customer ID (customer_id), as stored; null or empty when "
        "the ticket has no customer."
    )
    def customer_id(self) -> str | None:
        return self.record.customer_id

    @strawberry.field(description="The ticket's customer user login (customer_user_id), as stored.")
    def customer_user_id(self) -> str | None:
        return self.record.customer_user_id

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="The customer user named by customerUserId (case-insensitively); null "
        "when there is none or no backend knows the login. Not for customer sessions: a "
        "company ticket may name another user.",
    )
    async def customer_user(self, info: Info) -> CustomerUserRef | None:
        return await _customer_user_of(self, info.context)

    @strawberry.field(
        permission_classes=NOT_FOR_CUSTOMER_SESSIONS,
        description="The ticket's values of valid Ticket dynamic fields (OTOBO's "
        "DynamicField_<name> of TicketGet), in field order; fields without a value are left "
        "out. Read for a whole page at once. Not for customer sessions: OTOBO shows a "
        "customer only the fields its screens are configured to show.",
    )
    async def dynamic_field_values(self, info: Info) -> list["TicketDynamicFieldValue"]:
        found = await ticket_resolvers.dynamic_values(info.context, self.record.id)
        return [TicketDynamicFieldValue.of(d, rows) for d, rows in found]

    @strawberry.field(description="When the ticket was created (OTOBO's create_time), in UTC.")
    def created(self) -> datetime:
        return _aware(self.record.created)

    @strawberry.field(
        description="When the ticket row was last changed (OTOBO's change_time), in UTC."
    )
    def changed(self) -> datetime:
        return _aware(self.record.changed)


@strawberry.type(
    description="A ticket's value of one dynamic field, typed by the field's type: one of "
    "text, values, date, dateTime, checked is set."
)
class TicketDynamicFieldValue:
    name: str = strawberry.field(description="The dynamic field's name.")
    field_type: str = strawberry.field(
        description="The field's type (Text, TextArea, Dropdown, Multiselect, Checkbox, Date, "
        "DateTime, …)."
    )
    text: str | None = strawberry.field(
        description="Text, TextArea, Dropdown and other one-text types: the value."
    )
    values: list[str] | None = strawberry.field(
        description="Multiselect: the selected values, in stored order."
    )
    date: datetime_date | None = strawberry.field(description="Date: the day.")
    date_time: datetime | None = strawberry.field(description="DateTime: the time, as stored.")
    checked: bool | None = strawberry.field(description="Checkbox: whether it is checked.")

    @classmethod
    def of(
        cls, definition: DynamicFieldDefinition, rows: list[ValueRow]
    ) -> "TicketDynamicFieldValue":
        value = decode(definition.field_type, rows)
        kind = definition.field_type
        return cls(
            name=definition.name,
            field_type=kind,
            text=value if isinstance(value, str) else None,
            values=value if kind == "Multiselect" else None,
            date=value if kind == "Date" else None,
            date_time=value if kind == "DateTime" else None,
            checked=value if kind == "Checkbox" else None,
        )


@strawberry.type(description="One finding of the access check.")
class TicketAccessReason:
    reason: strawberry.Private[AccessReason]

    @strawberry.field(
        description="Which rule this finding is about; customerId, group and groupReasons "
        "give its details where the kind has them."
    )
    def kind(self) -> AccessReasonKindEnum:  # type: ignore[valid-type]
        return self.reason.kind

    @strawberry.field(description="COMPANY_TICKET, OTHER_CONTEXT: the customer ID it came through.")
    def customer_id(self) -> str | None:
        return self.reason.customer_id

    @strawberry.field(description="GROUP, GROUP_MISSING, GROUP_INVALID: the queue's group.")
    def group(self) -> str | None:
        return self.reason.group

    @strawberry.field(
        description="GROUP: why the user holds the group (direct grant, a customer's grant, "
        "always-group, company always-group, group support off)."
    )
    def group_reasons(self) -> list[PermissionReason]:
        return [PermissionReason(reason=r) for r in self.reason.group_reasons]


@strawberry.type(description="Whether one kind of access is allowed, and why.")
class AccessDecision:
    answer: strawberry.Private[AccessAnswer]

    @strawberry.field(
        description="True when OTOBO's permission check grants this access, false when it "
        "denies it."
    )
    def allowed(self) -> bool:
        return self.answer.allowed

    @strawberry.field(
        description="The findings behind the answer, in the order checked: an allow names "
        "the granting rule (OWN_TICKET, COMPANY_TICKET or OTHER_CONTEXT; create has none) "
        "then GROUP; a deny names the rule that denied, then GROUP when the group check had "
        "passed."
    )
    def reasons(self) -> list[TicketAccessReason]:
        return [TicketAccessReason(reason=r) for r in self.answer.reasons]


@strawberry.type(
    description="A customer user's access to one ticket, decided like OTOBO's "
    "CustomerTicket::Permission modules: read (ro), write (rw), and create (a new ticket in "
    "the ticket's queue)."
)
class TicketAccess:
    ticket: Ticket = strawberry.field(description="The ticket the answer is about.")
    read: AccessDecision = strawberry.field(
        description="Permission ro: may view the ticket (zoom, print, attachments). OTOBO "
        "also lets a customer post a follow-up with only this."
    )
    write: AccessDecision = strawberry.field(
        description="Permission rw: what OTOBO checks for customer process dialogs whose "
        "Permission is rw."
    )
    create: AccessDecision = strawberry.field(
        description="Whether the user may create a new ticket in this ticket's queue: the "
        "queue valid and its group held with create (rw gives it). Ticket ACLs are not "
        "applied."
    )


@strawberry.type(description="A queue the user may create tickets in, and why.")
class QueueForNewTickets:
    queue: Queue = strawberry.field(description="A valid queue the user may create tickets in.")
    reasons: list[TicketAccessReason] = strawberry.field(
        description="Why: GROUP, with the reasons the user holds the queue's group with create."
    )


TICKETS_DESCRIPTION = (
    "The tickets this user may access with `permission` (ro: read, rw: write), newest first, "
    "as OTOBO's customer permission modules decide for each: the queue's group held with that "
    "permission (every valid group when customer_group.support is off), and the ticket's "
    "customer user is this user (case-insensitively), or its customer ID is one of the user's "
    "customer IDs (assigned ones included; not when [tickets] "
    "customer_disable_company_ticket_access is on), or, with the Other context configured, one "
    "of the user's customers holds the queue's group in the Other context. Where OTOBO's "
    "ticket search differs (exact login case, ignoring the company-access flag, a narrower "
    "Other context), this follows the permission modules: the list holds what a zoom would "
    "open. An invalid user has none."
)


@strawberry.type
class CustomerUserTicketFields:
    """Added to CustomerUser (the tickets area's ``CUSTOMER_USER_FIELDS``)."""

    record: strawberry.Private[CustomerUserRecord]

    @strawberry.field(description=TICKETS_DESCRIPTION)
    async def tickets(
        self,
        info: Info,
        permission: Annotated[
            str,
            strawberry.argument(
                description="The permission type the queue's group must be held with: ro "
                "(the default; read, as a ticket zoom checks) or rw (write), or another of "
                "[customer_group] permission_types; rw implies every type."
            ),
        ] = "ro",
        state: Annotated[
            StateFilter,
            strawberry.argument(
                graphql_type=TicketStateFilter,
                description="Keep only tickets of these state types; ANY (every ticket) "
                "unless given.",
            ),
        ] = StateFilter.ANY,
        first: Annotated[int, FIRST_ARGUMENT] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, AFTER_ARGUMENT] = None,
    ) -> Connection[Ticket]:
        ctx = info.context
        page, scope = await ticket_resolvers.customer_tickets(
            ctx, self.record, permission=permission, state=state, first=first, after=after
        )
        return to_connection(
            page,
            _wrap_ticket,
            count=lambda: ticket_resolvers.ticket_count(ctx, scope, state),
        )

    @strawberry.field(
        description="Read, write and create for the ticket `number`, each with the reasons "
        "(own ticket, company ticket via a customer ID, the group and why it is held) or the "
        "rule that denied it. Null when no ticket has that number."
    )
    async def ticket_access(
        self,
        info: Info,
        number: Annotated[
            str,
            strawberry.argument(
                description="The ticket number (OTOBO's TicketNumber, column tn), matched exactly."
            ),
        ],
    ) -> TicketAccess | None:
        found = await ticket_resolvers.access(info.context, self.record, number)
        if found is None:
            return None
        return TicketAccess(
            ticket=_wrap_ticket(found.ticket),
            read=AccessDecision(answer=found.read),
            write=AccessDecision(answer=found.write),
            create=AccessDecision(answer=found.create),
        )

    @strawberry.field(
        description="The queues this user may create tickets in, by name (OTOBO's customer "
        "queue selection): valid queues whose group the user holds with create (rw gives "
        "it; every valid group when customer_group.support is off). Ticket ACLs and "
        "CustomerPanelOwnSelection are not applied."
    )
    async def queues_for_new_tickets(self, info: Info) -> list[QueueForNewTickets]:
        found = await ticket_resolvers.queues_for_new_tickets(info.context, self.record)
        return [
            QueueForNewTickets(
                queue=Queue(record=q), reasons=[TicketAccessReason(reason=r) for r in a.reasons]
            )
            for q, a in found
        ]


def _wrap_ticket(record: TicketRecord) -> Ticket:
    return Ticket(record=record)


def wrap_tickets(records: Sequence[TicketRecord]) -> list[Ticket]:
    return [Ticket(record=r) for r in records]


def _aware(value: datetime) -> datetime:
    aware = as_utc(value)
    assert aware is not None
    return aware


# ---- ticketSetCustomer --------------------------------------------------------------------


@strawberry.input(description="Input of ticketSetCustomer.")
class TicketSetCustomerInput:
    number: str = strawberry.field(description="The ticket's number (exact).")
    customer_user: str | None = strawberry.field(
        default=None,
        description="The new customer user's login (case-insensitive; stored as the user "
        "spells it); must exist. Empty string: no customer user. Null: unchanged.",
    )
    customer_id: str | None = strawberry.field(
        default=None,
        description="The new customer ID. Null: the customer user's primary customer ID "
        "when customerUser is given, else unchanged. Empty string: none.",
    )
    dry_run: bool = strawberry.field(
        default=False, description="Only report what would change; write nothing."
    )


@strawberry.type(description="A mapped ticket dynamic field the customer data changed.")
class TicketFieldChange:
    field: str = strawberry.field(description="The dynamic field's name.")
    value: str | None = strawberry.field(
        description="The new value as OTOBO's history shows it; null when it was erased."
    )
    old_value: str | None = strawberry.field(
        description="The value before; null when the field had none."
    )


@strawberry.type(description="A mapping entry that was not applied, and why.")
class TicketFieldSkip:
    field: str = strawberry.field(description="The target dynamic field's name.")
    reason: str = strawberry.field(
        description="Why: not a valid Ticket field, or a value the field refuses."
    )


@strawberry.type(description="The result of ticketSetCustomer.")
class TicketSetCustomerPayload:
    ticket: Ticket | None = strawberry.field(
        description="The ticket as now stored (on a dry run: unchanged); null when the input "
        "was refused."
    )
    applied: list[TicketFieldChange] = strawberry.field(
        description="The mapped dynamic fields (DynamicFieldFromCustomerUser) whose value "
        "changed, in the mapping's order; on a dry run, those that would. Empty when the "
        "mapping is off."
    )
    skipped: list[TicketFieldSkip] = strawberry.field(
        description="The mapping entries not applied (OTOBO logs them and goes on)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def set_customer_payload(outcome: Outcome[CustomerSet]) -> TicketSetCustomerPayload:
    done = outcome.record
    return outcome_payload(
        TicketSetCustomerPayload,
        outcome,
        ticket=Ticket(record=done.ticket) if done and done.ticket else None,
        applied=[
            TicketFieldChange(field=c.field, value=c.value, old_value=c.old_value)
            for c in (done.applied if done else [])
        ],
        skipped=[
            TicketFieldSkip(field=s.field, reason=s.reason) for s in (done.skipped if done else [])
        ],
    )


# ---- ticketsRefreshCustomerData -----------------------------------------------------------


@strawberry.input(
    description="Input of ticketsRefreshCustomerData: customerUser or numbers, not both."
)
class TicketsRefreshCustomerDataInput:
    customer_user: str | None = strawberry.field(
        default=None,
        description="Refresh the tickets whose customer user is this login "
        "(case-insensitively, as stored on the ticket; the user need not exist any more: "
        "then the mapped fields are erased, as OTOBO does).",
    )
    numbers: list[str] | None = strawberry.field(
        default=None,
        description="Refresh these tickets (each with its own customer user's data); "
        "unknown numbers are ignored. At most 10,000.",
    )
    only_open: bool = strawberry.field(
        default=False,
        description="Only tickets of the state types new, open, pending reminder and "
        "pending auto (OTOBO's viewable state types).",
    )
    dry_run: bool = strawberry.field(
        default=False, description="Only report what would change; write nothing."
    )


@strawberry.type(description="The result of ticketsRefreshCustomerData.")
class TicketsRefreshCustomerDataPayload:
    matched: int | None = strawberry.field(
        description="The tickets found; null when the input was refused."
    )
    changed_tickets: int | None = strawberry.field(
        description="The tickets with at least one changed value (on a dry run: would have)."
    )
    changed_values: int | None = strawberry.field(
        description="The changed field values, one TicketDynamicFieldUpdate history row each."
    )
    skipped: list[TicketFieldSkip] = strawberry.field(
        description="The mapping entries not applied (once per field)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def refresh_payload(outcome: Outcome[Refresh]) -> TicketsRefreshCustomerDataPayload:
    done = outcome.record
    return outcome_payload(
        TicketsRefreshCustomerDataPayload,
        outcome,
        matched=done.matched if done else None,
        changed_tickets=done.changed_tickets if done else None,
        changed_values=done.changed_values if done else None,
        skipped=[TicketFieldSkip(field=s.field, reason=s.reason) for s in done.skipped]
        if done
        else [],
    )
