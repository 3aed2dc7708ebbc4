"""Customer ticket access with OTOBO's rules (issue 16, reference §6.2): which tickets a customer
user may read, write and create, through the API on every database kind.

Each test names the rule of §6.2 it checks. ``api`` has OTOBO's defaults (group support off,
always-groups ``users``); ``on`` has group support on, no always-groups and the Other context.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from datasources.db.tables import group_customer
from tests.api.groups_helpers import set_customer_groups, set_user_customers, set_user_groups
from tests.api.tickets_helpers import (
    ACCESS,
    CLOSED_SUCCESSFUL,
    MERGED,
    NEW,
    QUEUES,
    access,
    kinds,
    new_queue,
    new_ticket,
    summary,
    tickets_of,
)
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_group, new_user

TICKET = """
query($n: String!) {
  ticket(number: $n) {
    id number title priority type customerId customerUserId created changed
    queue { name valid group { name } }
    state { name type }
    customerUser { login }
  }
}"""


async def test_ticket_by_number_shows_its_queue_group_state_and_customer(api: Api) -> None:
    customer = await new_customer(api)
    user = await new_user(api, customer)
    group = unique("g")
    queue_id, queue = await new_queue(api, await new_group(api, group))
    number = await new_ticket(api, queue_id, customer_user=user, customer_id=customer)

    r = await api.gql(TICKET, {"n": number}, key="read")
    assert r.errors == [], r.body
    found = r.data["ticket"]
    assert found["number"] == number
    assert found["queue"] == {"name": queue, "valid": True, "group": {"name": group}}
    assert found["state"] == {"name": "open", "type": "open"}
    assert found["priority"] == "3 normal"
    assert found["type"] == "Unclassified"
    assert (found["customerId"], found["customerUserId"]) == (customer, user)
    assert found["customerUser"] == {"login": user}
    assert found["created"].startswith("2026-12-06T09:00:00")

    node = await api.gql(
        "query($id: ID!) { node(id: $id) { ... on Ticket { number } } }", {"id": found["id"]}
    )
    assert node.data["node"] == {"number": number}


async def test_unknown_ticket_number_is_null(api: Api) -> None:
    """Bad input: an unknown number is null for ticket and for ticketAccess, no error."""
    user = await new_user(api, await new_customer(api))
    r = await api.gql(TICKET, {"n": "no-such-ticket"})
    assert r.errors == []
    assert r.data["ticket"] is None
    assert await access(api, user, "no-such-ticket") is None
    assert (await api.gql(TICKET, {"n": "x\x00y"})).data["ticket"] is None


# --- §6.2 Read: own tickets, company tickets ------------------------------------------------------


async def test_own_ticket_by_customer_user_id_case_insensitively(api: Api) -> None:
    """§6.2 read step 2: lc(customer_user_id) = lc(login) allows (the permission modules; the
    search would compare exactly, §7.1). Support off: every valid group (step 1)."""
    user = await new_user(api, await new_customer(api), unique("Mixed"))
    queue_id, _ = await new_queue(api, await new_group(api))
    mine = await new_ticket(api, queue_id, customer_user=user.upper(), customer_id=unique("X"))
    other = await new_ticket(api, queue_id, customer_user=unique("someone"), customer_id="")
    assert await tickets_of(api, user) == {mine}
    answer = await access(api, user, mine)
    assert summary(answer) == (True, True, True)
    assert kinds(answer["read"]) == ["OWN_TICKET", "GROUP"]
    assert answer["read"]["reasons"][1]["groupReasons"] == [
        {"kind": "GROUP_SUPPORT_OFF", "customerId": None, "viaRw": False}
    ]
    denied = await access(api, user, other)
    assert summary(denied) == (False, False, True)
    assert kinds(denied["read"]) == ["NOT_OWN_OR_COMPANY", "GROUP"]


async def test_company_tickets_by_primary_and_assigned_customer_ids(api: Api) -> None:
    """§6.2 read step 3 with CustomerIDs(U) = primary + assigned (§4), case-insensitively."""
    primary, assigned, foreign = [await new_customer(api) for _ in range(3)]
    user = await new_user(api, primary)
    await set_user_customers(api, user, [assigned])
    queue_id, _ = await new_queue(api, await new_group(api))
    via_primary = await new_ticket(api, queue_id, customer_user=unique("x"), customer_id=primary)
    via_assigned = await new_ticket(api, queue_id, customer_user=None, customer_id=assigned.lower())
    await new_ticket(api, queue_id, customer_user=unique("x"), customer_id=foreign)
    assert await tickets_of(api, user) == {via_primary, via_assigned}
    answer = await access(api, user, via_assigned)
    assert answer["read"]["reasons"][0] == {
        "kind": "COMPANY_TICKET",
        "customerId": assigned,
        "group": None,
        "groupReasons": [],
    }


async def test_exclude_primary_customer_id_leaves_the_primary_companys_tickets_out(
    make_api: MakeApi,
) -> None:
    """§4 step 1.2: exclude_primary_customer_id drops the primary ID; own tickets stay."""
    api = await make_api(
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]}
    )
    primary, assigned = [await new_customer(api) for _ in range(2)]
    user = await new_user(api, primary)
    await set_user_customers(api, user, [assigned])
    queue_id, _ = await new_queue(api, await new_group(api))
    of_primary = await new_ticket(api, queue_id, customer_user="", customer_id=primary)
    of_assigned = await new_ticket(api, queue_id, customer_user="", customer_id=assigned)
    own = await new_ticket(api, queue_id, customer_user=user, customer_id=primary)
    assert await tickets_of(api, user) == {of_assigned, own}
    assert kinds((await access(api, user, of_primary))["read"])[0] == "NOT_OWN_OR_COMPANY"


async def test_company_ticket_access_disabled_keeps_only_own_tickets(make_api: MakeApi) -> None:
    """§6.2 step 3 needs company access: [tickets] customer_disable_company_ticket_access
    (OTOBO's Ticket::Frontend::CustomerDisableCompanyTicketAccess) leaves own tickets only
    (§9 item 12: the own ticket is still found)."""
    api = await make_api(tickets={"customer_disable_company_ticket_access": True})
    customer = await new_customer(api)
    user = await new_user(api, customer)
    queue_id, _ = await new_queue(api, await new_group(api))
    company = await new_ticket(api, queue_id, customer_user=unique("x"), customer_id=customer)
    own = await new_ticket(api, queue_id, customer_user=user, customer_id=customer)
    assert await tickets_of(api, user) == {own}
    answer = await access(api, user, company)
    assert answer["read"]["allowed"] is False
    assert answer["read"]["reasons"][0]["kind"] == "COMPANY_ACCESS_DISABLED"
    assert answer["read"]["reasons"][0]["customerId"] == customer


async def test_ticket_without_customer_is_nobodys(api: Api) -> None:
    """Bad input: a ticket with neither customer user nor customer ID is in no list; empty
    strings (OTOBO writes '' for a missing CustomerID) never match an empty ID."""
    user = await new_user(api, await new_customer(api))
    queue_id, _ = await new_queue(api, await new_group(api))
    bare = await new_ticket(api, queue_id, customer_user=None, customer_id=None)
    empty = await new_ticket(api, queue_id, customer_user="", customer_id="")
    assert await tickets_of(api, user) == set()
    for number in (bare, empty):
        answer = await access(api, user, number)
        assert kinds(answer["read"]) == ["NOT_OWN_OR_COMPANY", "GROUP"]
    r = await api.gql(TICKET, {"n": bare})
    assert r.data["ticket"]["customerUser"] is None


# --- §6.2 step 1: the queue's group --------------------------------------------------------------


async def test_invalid_group_denies_even_own_tickets_with_support_off(api: Api) -> None:
    """§6.2 read step 1 with support off: only an invalid group fails (bad input: a queue
    whose group is invalid; also a queue naming no group at all)."""
    user = await new_user(api, await new_customer(api))
    group = unique("g")
    queue_id, _ = await new_queue(api, await new_group(api, group, validity="INVALID"))
    orphan_queue, _ = await new_queue(api, 2_000_000_000)
    own = await new_ticket(api, queue_id, customer_user=user)
    orphan = await new_ticket(api, orphan_queue, customer_user=user)
    assert await tickets_of(api, user) == set()
    answer = await access(api, user, own)
    assert summary(answer) == (False, False, False)
    assert answer["read"]["reasons"] == [
        {"kind": "GROUP_INVALID", "customerId": None, "group": group, "groupReasons": []}
    ]
    assert kinds((await access(api, user, orphan))["read"]) == ["GROUP_INVALID"]
    r = await api.gql(TICKET, {"n": orphan})
    assert r.data["ticket"]["queue"]["group"] is None


async def test_group_ro_reads_but_does_not_write_rw_does_both(on: Api) -> None:
    """§6.2 read/write step 1 with support on: ro lists and reads, rw also writes and
    creates (rw implies every type, §5.2); no grant: nothing, even an own ticket."""
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group = unique("g")
    group_id = await new_group(on, group)
    queue_id, queue = await new_queue(on, group_id)
    own = await new_ticket(on, queue_id, customer_user=user, customer_id=customer)

    assert await tickets_of(on, user) == set()
    answer = await access(on, user, own)
    assert summary(answer) == (False, False, False)
    assert kinds(answer["read"]) == ["GROUP_MISSING"]

    await set_user_groups(on, user, {group_id: ["ro"]})
    assert await tickets_of(on, user, "ro") == {own}
    assert await tickets_of(on, user, "rw") == set()
    answer = await access(on, user, own)
    assert summary(answer) == (True, False, False)
    assert answer["read"]["reasons"][1]["groupReasons"] == [
        {"kind": "DIRECT_GRANT", "customerId": None, "viaRw": False}
    ]
    assert answer["write"]["reasons"][0]["kind"] == "GROUP_MISSING"
    r = await on.gql(QUEUES, {"l": user})
    assert r.data["customerUser"]["queuesForNewTickets"] == []

    await set_user_groups(on, user, {group_id: ["rw"]})
    assert await tickets_of(on, user, "rw") == {own}
    answer = await access(on, user, own)
    assert summary(answer) == (True, True, True)
    assert answer["write"]["reasons"][1]["groupReasons"] == [
        {"kind": "DIRECT_GRANT", "customerId": None, "viaRw": False}
    ]
    assert answer["read"]["reasons"][1]["groupReasons"] == [
        {"kind": "DIRECT_GRANT", "customerId": None, "viaRw": True}
    ]
    r = await on.gql(QUEUES, {"l": user})
    assert r.data["customerUser"]["queuesForNewTickets"] == [
        {"queue": {"name": queue}, "reasons": [{"kind": "GROUP", "group": group}]}
    ]


async def test_group_through_the_customers_grant(on: Api) -> None:
    """§5.2: a Same-context grant to one of the user's customers gives the group."""
    customer = await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    queue_id, _ = await new_queue(on, group_id)
    company = await new_ticket(on, queue_id, customer_user=unique("x"), customer_id=customer)
    await set_customer_groups(on, customer, [(group_id, ["ro"], "SAME")])
    assert await tickets_of(on, user) == {company}
    answer = await access(on, user, company)
    assert kinds(answer["read"]) == ["COMPANY_TICKET", "GROUP"]
    assert answer["read"]["reasons"][1]["groupReasons"] == [
        {"kind": "CUSTOMER_GRANT", "customerId": customer, "viaRw": False}
    ]


async def test_always_group_reason(make_api: MakeApi) -> None:
    """§5.2: with support on, an always-group gives every type."""
    group = unique("always")
    api = await make_api(
        customer_group={"support": True, "always_groups": [group], "company_always_groups": []}
    )
    user = await new_user(api, await new_customer(api))
    queue_id, _ = await new_queue(api, await new_group(api, group))
    own = await new_ticket(api, queue_id, customer_user=user)
    answer = await access(api, user, own)
    assert summary(answer) == (True, True, True)
    assert answer["read"]["reasons"][1]["groupReasons"][0]["kind"] == "ALWAYS_GROUP"


# --- §6.2 step 4: the Other context --------------------------------------------------------------


async def test_other_context_grants_any_customers_ticket_in_the_group(on: Api) -> None:
    """§6.2 read step 4 / §7.3: with the Other context configured, a group the user's customer
    holds in Other grants every ticket in it with a non-empty customer ID (the permission
    modules; the search would also need that customer to hold it in Same). Step 1 still needs
    the group itself (here: a direct ro grant)."""
    customer, stranger = [await new_customer(on) for _ in range(2)]
    user = await new_user(on, customer)
    group_id = await new_group(on)
    queue_id, _ = await new_queue(on, group_id)
    foreign = await new_ticket(on, queue_id, customer_user=unique("x"), customer_id=stranger)
    no_customer = await new_ticket(on, queue_id, customer_user=unique("x"), customer_id="")
    await set_user_groups(on, user, {group_id: ["ro"]})
    assert await tickets_of(on, user) == set()

    await set_customer_groups(on, customer, [(group_id, ["ro"], "OTHER")])
    assert await tickets_of(on, user) == {foreign}
    answer = await access(on, user, foreign)
    assert summary(answer)[0] is True
    assert answer["read"]["reasons"][0]["kind"] == "OTHER_CONTEXT"
    assert answer["read"]["reasons"][0]["customerId"] == customer
    assert kinds((await access(on, user, no_customer))["read"])[0] == "NOT_OWN_OR_COMPANY"
    # Other ro does not give rw.
    assert await tickets_of(on, user, "rw") == set()


async def test_other_context_not_configured_grants_nothing(make_api: MakeApi) -> None:
    """§6.2 step 4 needs CustomerGroupPermissionContext###100-CustomerID-other."""
    api = await make_api(
        customer_group={"support": True, "always_groups": [], "company_always_groups": []}
    )
    customer, stranger = [await new_customer(api) for _ in range(2)]
    user = await new_user(api, customer)
    group_id = await new_group(api)
    queue_id, _ = await new_queue(api, group_id)
    await new_ticket(api, queue_id, customer_user=unique("x"), customer_id=stranger)
    await set_user_groups(api, user, {group_id: ["ro"]})
    # The grant can be stored in Other only where the context is configured: write it raw.
    async with api.storage.engine.begin() as conn:
        now = datetime(2026, 12, 1)
        await conn.execute(
            sa.insert(group_customer).values(
                customer_id=customer,
                group_id=group_id,
                permission_key="ro",
                permission_value=1,
                permission_context="Ticket::CustomerID::Other",
                create_time=now,
                create_by=1,
                change_time=now,
                change_by=1,
            )
        )
    assert await tickets_of(api, user) == set()


# --- state filter, paging, statements ------------------------------------------------------------


async def test_state_filter_open_closed_any(api: Api) -> None:
    user = await new_user(api, await new_customer(api))
    queue_id, _ = await new_queue(api, await new_group(api))
    opened = await new_ticket(api, queue_id, customer_user=user)
    fresh = await new_ticket(api, queue_id, customer_user=user, state_id=NEW)
    closed = await new_ticket(api, queue_id, customer_user=user, state_id=CLOSED_SUCCESSFUL)
    merged = await new_ticket(api, queue_id, customer_user=user, state_id=MERGED)
    assert await tickets_of(api, user, state="OPEN") == {opened, fresh}
    assert await tickets_of(api, user, state="CLOSED") == {closed}
    assert await tickets_of(api, user, state="ANY") == {opened, fresh, closed, merged}


async def test_pages_are_newest_first_and_cost_constant_statements(api: Api) -> None:
    """Keyset pages by ticket id, newest first; a page of 2 and a page of 20 (with each
    ticket's customer user and queue group) cost the same number of statements."""
    customer = await new_customer(api)
    user = await new_user(api, customer)
    others = [await new_user(api, customer) for _ in range(3)]
    queue_ids = [(await new_queue(api, await new_group(api)))[0] for _ in range(3)]
    numbers = [
        await new_ticket(api, queue_ids[i % 3], customer_user=others[i % 3], customer_id=customer)
        for i in range(24)
    ]
    assert await tickets_of(api, user, page=5) == set(numbers)
    query = """
    query($l: String!, $first: Int!) { customerUser(login: $l) { tickets(first: $first) {
      nodes { number customerUser { login } queue { group { name } } } } } }"""
    small = await api.gql(query, {"l": user, "first": 2})
    large = await api.gql(query, {"l": user, "first": 20})
    assert small.errors == []
    assert large.errors == []
    listed = [n["number"] for n in large.data["customerUser"]["tickets"]["nodes"]]
    assert listed == list(reversed(numbers))[:20]
    assert small.statements > 0
    assert large.statements == small.statements


async def test_bad_cursor_and_page_size_are_bad_user_input(api: Api) -> None:
    user = await new_user(api, await new_customer(api))
    query = """query($l: String!, $a: String, $f: Int!) { customerUser(login: $l) {
      tickets(first: $f, after: $a) { totalCount } } }"""
    r = await api.gql(query, {"l": user, "a": "bogus", "f": 5})
    assert r.error_codes == ["BAD_USER_INPUT"]
    r = await api.gql(query, {"l": user, "a": None, "f": 100_000})
    assert r.error_codes == ["BAD_USER_INPUT"]


async def test_invalid_user_has_no_tickets(api: Api) -> None:
    """OTOBO drops invalid users from every permission check (§5.2)."""
    user = await new_user(api, await new_customer(api), validity="INVALID")
    queue_id, _ = await new_queue(api, await new_group(api))
    own = await new_ticket(api, queue_id, customer_user=user)
    assert await tickets_of(api, user) == set()
    assert kinds((await access(api, user, own))["read"]) == ["USER_INVALID"]


async def test_queues_for_new_tickets_with_support_off_lists_valid_queues(api: Api) -> None:
    """§6.2 create: Q valid and Q's group among Groups(U, 'create') (every valid group with
    support off); invalid queues and queues of invalid groups are left out."""
    user = await new_user(api, await new_customer(api))
    _, good = await new_queue(api, await new_group(api))
    _, invalid_queue = await new_queue(api, await new_group(api), valid=False)
    _, invalid_group = await new_queue(api, await new_group(api, validity="INVALID"))
    r = await api.gql(QUEUES, {"l": user})
    names = {q["queue"]["name"] for q in r.data["customerUser"]["queuesForNewTickets"]}
    assert good in names
    assert invalid_queue not in names
    assert invalid_group not in names


async def test_ticket_access_is_one_statement_beside_the_user(on: Api) -> None:
    """``ticketAccess`` reads the ticket and every fact of the user about its queue's group
    in one statement, however many customers and grants the user has (and answers them all:
    a grant through an assigned customer, a direct one)."""
    customer, assigned = await new_customer(on), await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    queue_id, _ = await new_queue(on, group_id)
    number = await new_ticket(on, queue_id, customer_id=assigned)
    lookup = "query($l: String!) { customerUser(login: $l) { login } }"
    await on.gql(lookup, {"l": user})  # the API key is looked up once, then cached

    async def cost() -> tuple[int, tuple[bool, bool, bool]]:
        alone = await on.gql(lookup, {"l": user})
        r = await on.gql(ACCESS, {"l": user, "n": number})
        assert r.errors == [], r.body
        return r.statements - alone.statements, summary(r.data["customerUser"]["ticketAccess"])

    assert await cost() == (1, (False, False, False))
    await set_user_customers(on, user, [assigned, *[await new_customer(on) for _ in range(3)]])
    await set_customer_groups(on, assigned, [(group_id, ["ro"], "SAME")])
    await set_user_groups(on, user, {group_id: ["rw"], await new_group(on): ["ro"]})
    assert await cost() == (1, (True, True, True))


async def test_ticket_access_names_granting_customers_in_customer_id_order(on: Api) -> None:
    """The grants of the user's customers count once each, whether the caller knows the
    customer (the primary) or the statement finds it assigned (or both), in the order of the
    user's customer IDs (primary, then assigned) as the effective groups list them, not in the
    order the grants were stored; a stranger's grant does not count. Still one statement
    beside the user."""
    primary, assigned, stranger = [await new_customer(on) for _ in range(3)]
    user = await new_user(on, primary)
    group_id = await new_group(on)
    queue_id, _ = await new_queue(on, group_id)
    number = await new_ticket(on, queue_id, customer_user=unique("x"), customer_id=assigned)
    await set_user_customers(on, user, [assigned, primary])
    for customer in (stranger, assigned, primary):  # stored in this order
        await set_customer_groups(on, customer, [(group_id, ["ro"], "SAME")])
    lookup = "query($l: String!) { customerUser(login: $l) { login } }"
    await on.gql(lookup, {"l": user})  # the API key is looked up once, then cached
    alone = await on.gql(lookup, {"l": user})
    r = await on.gql(ACCESS, {"l": user, "n": number})
    assert r.errors == [], r.body
    assert r.statements - alone.statements == 1
    answer = r.data["customerUser"]["ticketAccess"]
    assert kinds(answer["read"]) == ["COMPANY_TICKET", "GROUP"]
    assert answer["read"]["reasons"][1]["groupReasons"] == [
        {"kind": "CUSTOMER_GRANT", "customerId": primary, "viaRw": False},
        {"kind": "CUSTOMER_GRANT", "customerId": assigned, "viaRw": False},
    ]
    assert summary(answer) == (True, False, False)


async def test_a_ticket_page_is_two_statements_beside_the_user(on: Api) -> None:
    """The user's facts (customers, grants, groups) in one statement, the page in another,
    whatever the user's customers and grants and the page's size."""
    customer, assigned = await new_customer(on), await new_customer(on)
    user = await new_user(on, customer)
    group_id = await new_group(on)
    queue_id, _ = await new_queue(on, group_id)
    numbers = [await new_ticket(on, queue_id, customer_id=assigned) for _ in range(3)]
    lookup = "query($l: String!) { customerUser(login: $l) { login } }"
    page = """query($l: String!, $f: Int!) { customerUser(login: $l) {
      tickets(first: $f) { nodes { number queue { name } state { name } } } } }"""
    await on.gql(lookup, {"l": user})  # the API key is looked up once, then cached

    async def cost(first: int) -> tuple[int, list[str]]:
        alone = await on.gql(lookup, {"l": user})
        r = await on.gql(page, {"l": user, "f": first})
        assert r.errors == [], r.body
        listed = [n["number"] for n in r.data["customerUser"]["tickets"]["nodes"]]
        return r.statements - alone.statements, listed

    assert await cost(2) == (1, [])  # no group held: no page read
    await set_user_customers(on, user, [assigned, *[await new_customer(on) for _ in range(3)]])
    await set_customer_groups(on, assigned, [(group_id, ["ro"], "SAME")])
    await set_user_groups(on, user, {await new_group(on): ["ro"]})
    assert await cost(2) == (2, list(reversed(numbers))[:2])
    assert await cost(20) == (2, list(reversed(numbers)))
