"""Group reads cost a constant number of SQL statements, however many rows (issue 4).

A page of customer users with their customers, grants and effective permissions, and lists
of customers or groups with their members, are read with the same number of statements for
a few rows as for many (the ``x-roster-sql-statements`` header counts them); a group that
reaches every user reads the users once per page. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tests.api.groups_helpers import (
    bulk_users,
    set_customer_groups,
    set_user_customers,
    set_user_groups,
)
from tests.checks import at_one_cost
from tests.conftest import MakeApi
from tests.factories import new_customer, new_group

# --- statement count -----------------------------------------------------------------------------

PAGE = (
    "query($f: Int!) { customerUsers(first: $f) { nodes { login customerIds "
    "customers { customerId } groupGrants { group { name } permissions } "
    "effectivePermissions { group { name } permission reasons { kind customerId } } } } }"
)


async def test_nested_page_costs_a_constant_number_of_statements(make_api: MakeApi) -> None:
    api = await make_api(
        customer_group={
            "support": True,
            "always_groups": ["users"],
            "company_always_groups": ["users"],
            "contexts": ["Same", "Other"],
        }
    )
    customers = [await new_customer(api, f"cust-{i}") for i in range(5)]
    group_ids = [await new_group(api, name) for name in ("users", "g-a", "g-b", "g-c", "g-d")]
    logins = await bulk_users(api, customers, 60, "page")
    for i, login in enumerate(logins[:45]):
        grants = {group_ids[1 + i % 4]: ["ro"], group_ids[1 + (i + 1) % 4]: ["rw"]}
        await set_user_groups(api, login, grants)
        await set_user_customers(api, login, [customers[(i + 1) % 5], customers[(i + 2) % 5]])
    for i, customer in enumerate(customers):
        await set_customer_groups(
            api,
            customer,
            [(group_ids[1 + i % 4], ["rw"], "SAME"), (group_ids[1 + (i + 1) % 4], ["ro"], "OTHER")],
        )

    small, large = await at_one_cost(api, PAGE, {"f": 5}, {"f": 40})
    assert len(small.data["customerUsers"]["nodes"]) == 5
    nodes = large.data["customerUsers"]["nodes"]
    assert len(nodes) == 40
    assert all(len(n["customerIds"]) == 3 and n["effectivePermissions"] for n in nodes)
    assert small.statements > 0


CUSTOMERS_WITH_USERS = """query($f: Int!) { customers(first: $f) { nodes { customerId
    customerUsers { totalCount nodes { login } } } } }"""
GROUPS_WITH_MEMBERS = """query($f: Int!) { groups(first: $f) { nodes { name
    customerUsers { totalCount nodes { permission customerUser { login } } } } } }"""


async def test_lists_with_their_members_cost_a_constant_number_of_statements(
    make_api: MakeApi,
) -> None:
    """A page of customers, or of groups, each with its customer users: one query per kind of
    relation for the whole page, not one per customer or group."""
    api = await make_api(customer_group={"support": True})
    customers = [await new_customer(api, f"mem-{i}") for i in range(8)]
    logins = await bulk_users(api, customers, 24, "mem")
    for i, login in enumerate(logins[:8]):
        await set_user_customers(api, login, [customers[(i + 3) % 8]])
    groups = [await new_group(api, f"mg-{i}") for i in range(8)]
    for i, customer in enumerate(customers):
        await set_customer_groups(api, customer, [(groups[i], ["ro"], "SAME")])
    for i, login in enumerate(logins[:8]):
        await set_user_groups(api, login, {groups[(i + 5) % 8]: ["rw"]})

    # A customer: its three primary users and one assigned. A group: one customer's four
    # users (granted in the Same context) and one user granted directly.
    for query, connection, members in (
        (CUSTOMERS_WITH_USERS, "customers", 4),
        (GROUPS_WITH_MEMBERS, "groups", 5),
    ):
        small, large = await at_one_cost(api, query, {"f": 2}, {"f": 8})
        nodes = large.data[connection]["nodes"]
        assert len(small.data[connection]["nodes"]) == 2
        assert [len(n["customerUsers"]["nodes"]) for n in nodes] == [members] * 8, nodes
        assert [n["customerUsers"]["totalCount"] for n in nodes] == [members] * 8
        assert small.statements > 0


async def test_groups_that_reach_everyone_read_the_users_once_per_page(
    make_api: MakeApi,
) -> None:
    """With group support off every valid user holds every group: a page of groups with their
    members reads the users' pages once, not once per group."""
    api = await make_api(customer_group={"support": False})
    customer = await new_customer(api, "all-co")
    logins = await bulk_users(api, [customer], 12, "all")
    for i in range(8):
        await new_group(api, f"ag-{i}")
    small, large = await at_one_cost(api, GROUPS_WITH_MEMBERS, {"f": 2}, {"f": 8})
    nodes = large.data["groups"]["nodes"]
    assert len(nodes) == 8
    for node in nodes:
        members = node["customerUsers"]
        assert members["totalCount"] == 12
        assert [m["customerUser"]["login"] for m in members["nodes"]] == logins
    assert small.statements > 0
