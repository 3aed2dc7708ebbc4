"""Ports of OTOBO's tests (reference §9) that apply to reading tickets, and the customer
session's view of its own tickets (``me { tickets }``).

``TicketCustomerGroup.t`` (§9 item 2) searches with ``TicketSearch``; Roster's lists follow the
permission modules (§7), which agree with the search in every step ported here (the steps
that combine an agent's groups, 9-14, have no counterpart: Roster has no agents' view).
"""

from __future__ import annotations

from tests.api.customer_session_helpers import PASSWORD, session
from tests.api.groups_helpers import set_customer_groups, set_user_customers
from tests.api.tickets_helpers import new_queue, new_ticket, tickets_of
from tests.conftest import Api, MakeApi
from tests.factories import new_customer, new_group, new_user

SUPPORT_ON = {
    "support": True,
    "always_groups": [],
    "company_always_groups": [],
    "contexts": ["Same", "Other"],
}


async def test_ticket_customer_group_t(make_api: MakeApi) -> None:
    """TicketCustomerGroup.t: 3 customers, each with a company, a group (Same context ro), a
    queue in that group and a ticket."""
    api = await make_api(customer_group=SUPPORT_ON)
    companies = [await new_customer(api) for _ in range(3)]
    users = [await new_user(api, c) for c in companies]
    groups = [await new_group(api) for _ in range(3)]
    tickets = []
    for company, user, group in zip(companies, users, groups, strict=True):
        await set_customer_groups(api, company, [(group, ["ro"], "SAME")])
        queue_id, _ = await new_queue(api, group)
        tickets.append(await new_ticket(api, queue_id, customer_user=user, customer_id=company))

    # Assertions 1-3: the user's own ticket, by login and by customer ID.
    assert await tickets_of(api, users[0]) == {tickets[0]}
    # 4-5: user 2 finds neither user 1's ticket nor company 1's.
    assert tickets[0] not in await tickets_of(api, users[1])
    # 6: company 2 gets group 1 in Same and Other: user 2 finds ticket 1 (now also through
    # the group in Same, since ticket 1's customer holds group 1 in Same).
    await set_customer_groups(
        api,
        companies[1],
        [(groups[0], ["ro"], "SAME"), (groups[0], ["ro"], "OTHER"), (groups[1], ["ro"], "SAME")],
    )
    # 7: with no filter user 2 finds tickets 1 and 2.
    assert await tickets_of(api, users[1]) == {tickets[0], tickets[1]}
    # 8: user 2 moved to company 1 (an assigned customer ID): ticket 1 by company.
    await set_user_customers(api, users[1], [companies[0]])
    assert tickets[0] in await tickets_of(api, users[1])


async def test_customer_session_reads_its_own_tickets_through_me(api: Api) -> None:
    """A customer session lists its tickets through ``me``; the root ``ticket`` field and a
    ticket's customerUser (which may be a colleague) are closed to it."""
    customer = await new_customer(api)
    login = await new_user(api, customer, password=PASSWORD)
    colleague = await new_user(api, customer)
    queue_id, _ = await new_queue(api, await new_group(api))
    own = await new_ticket(api, queue_id, customer_user=login, customer_id=customer)
    company = await new_ticket(api, queue_id, customer_user=colleague, customer_id=customer)
    bearer = await session(api, login)

    r = await api.gql(
        "{ me { tickets { nodes { number customerUserId } } "
        f'ticketAccess(number: "{company}") {{ read {{ allowed }} }} }} }}',
        key=bearer,
    )
    assert r.errors == [], r.body
    assert {n["number"] for n in r.data["me"]["tickets"]["nodes"]} == {own, company}
    assert r.data["me"]["ticketAccess"] == {"read": {"allowed": True}}

    r = await api.gql(f'{{ ticket(number: "{own}") {{ number }} }}', key=bearer)
    assert r.error_codes == ["FORBIDDEN"]
    r = await api.gql("{ me { tickets { nodes { customerUser { login } } } } }", key=bearer)
    assert "FORBIDDEN" in r.error_codes
