"""The customer ticket permission chain (``domain.tickets``) without a database."""

from __future__ import annotations

from datetime import datetime

from domain.assignments import CustomerGroupRow
from domain.permissions import OTHER_CONTEXT, SAME_CONTEXT, GroupSettings, effective_permissions
from domain.records import Audit, GroupRecord
from domain.tickets import (
    AccessReasonKind,
    QueueRecord,
    TicketAccessSettings,
    TicketRecord,
    create_access,
    other_groups,
    ticket_access,
)
from domain.validity import Validity

NOW = datetime(2026, 12, 6)
GROUP = GroupRecord(7, "support", None, Validity.VALID, Audit(NOW, 1, NOW, 1))
QUEUE = QueueRecord(3, "Support", 7, Validity.VALID)


def _ticket(customer_user: str | None, customer_id: str | None) -> TicketRecord:
    return TicketRecord(
        id=1,
        number="1",
        title=None,
        queue=QUEUE,
        state="open",
        state_type="open",
        priority="3 normal",
        type=None,
        customer_id=customer_id,
        customer_user_id=customer_user,
        created=NOW,
        changed=NOW,
    )


def _decide(ticket: TicketRecord, settings: TicketAccessSettings, **kw: object) -> list[str]:
    held = effective_permissions(GroupSettings(), [GROUP], ["ACME"], [], [], also=("ro",))
    answer = ticket_access(
        ticket,
        GROUP,
        permission="ro",
        login="Jane",
        user_valid=True,
        customer_ids=["ACME"],
        held=held,
        other=kw.get("other", {}),  # type: ignore[arg-type]
        settings=settings,
    )
    return [r.kind.value for r in answer.reasons] + [str(answer.allowed)]


def test_own_ticket_wins_before_company_access_is_asked() -> None:
    off = TicketAccessSettings(company_access=False)
    assert _decide(_ticket("JANE", "ACME"), off) == ["OWN_TICKET", "GROUP", "True"]
    assert _decide(_ticket("bob", "acme"), off) == ["COMPANY_ACCESS_DISABLED", "GROUP", "False"]
    assert _decide(_ticket("bob", "acme"), TicketAccessSettings())[0] == "COMPANY_TICKET"


def test_other_context_needs_support_the_context_and_a_customer_id() -> None:
    other = {7: "ACME"}
    full = TicketAccessSettings(group_support=True, other_context=True)
    assert _decide(_ticket("bob", "GLOBEX"), full, other=other)[0] == "OTHER_CONTEXT"
    assert _decide(_ticket("bob", ""), full, other=other)[0] == "NOT_OWN_OR_COMPANY"
    no_context = TicketAccessSettings(group_support=True)
    assert _decide(_ticket("bob", "GLOBEX"), no_context, other=other)[0] == "NOT_OWN_OR_COMPANY"


def test_other_groups_reads_only_the_other_context_of_own_customers() -> None:
    rows = [
        CustomerGroupRow("acme", 1, "ro", OTHER_CONTEXT),
        CustomerGroupRow("ACME", 2, "ro", SAME_CONTEXT),
        CustomerGroupRow("GLOBEX", 3, "rw", OTHER_CONTEXT),
        CustomerGroupRow("ACME", 4, "rw", OTHER_CONTEXT),
    ]
    assert other_groups(["ACME"], rows, "ro") == {1: "ACME", 4: "ACME"}
    assert other_groups(["ACME"], rows, "rw") == {4: "ACME"}


def test_create_needs_a_valid_queue_and_the_group() -> None:
    held = effective_permissions(GroupSettings(), [GROUP], [], [], [], also=("create",))
    assert create_access(QUEUE, GROUP, user_valid=True, held=held).allowed is True
    invalid = QueueRecord(3, "Support", 7, Validity.INVALID)
    answer = create_access(invalid, GROUP, user_valid=True, held=held)
    assert answer.reasons[0].kind is AccessReasonKind.QUEUE_INVALID
    assert create_access(QUEUE, None, user_valid=True, held=held).allowed is False
