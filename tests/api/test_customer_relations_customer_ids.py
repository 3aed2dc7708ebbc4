"""CustomerUser.customerIds in OTOBO's order (CustomerIDs: the primary customer first, then the
assigned ones sorted, each once), exclude_primary_customer_id, and renames of either side that
carry the assignments along.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from tests.api.customer_relations_helpers import (
    USER_UPDATE,
    assigned,
    customer_ids,
    set_customers_ok,
    user,
    users_of,
)
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, new_user

# --- CustomerUser.customerIds order ---------------------------------------------------------------


async def test_customer_ids_order_primary_first_then_assigned_sorted(api: Api) -> None:
    prefix = unique("ord")
    primary = await new_customer(api, f"{prefix}-M")
    z, a, k = [await new_customer(api, f"{prefix}-{n}") for n in ("Z", "A", "K")]
    login = await new_user(api, primary)
    await set_customers_ok(api, login, [z, a, k])
    assert await customer_ids(api, login) == [primary, a, k, z]
    assert await assigned(api, login) == [a, k, z]
    # The primary assigned again is not listed twice.
    await set_customers_ok(api, login, [z, primary, a])
    assert await customer_ids(api, login) == [primary, a, z]
    found = await user(api, login)
    assert found["customerId"] == primary
    assert [c["customerId"] for c in found["customers"]] == sorted([z, primary, a])
    assert all(c["name"] == f"Company {c['customerId']}" for c in found["customers"])


async def test_customer_ids_deduplicate_case_insensitively(api: Api) -> None:
    """A primary customer ID stored in other casing than the company's (as an OTOBO database
    may hold it; Roster itself stores the company's spelling) is still the same customer:
    assigning the company does not add a second entry."""
    prefix = unique("case")
    company = await new_customer(api, f"{prefix}-Acme")
    login = await new_user(api, company)
    async with api.storage.engine.begin() as conn:
        await conn.execute(
            sa.text("UPDATE customer_user SET customer_id = :c WHERE login = :l"),
            {"c": company.upper(), "l": login},
        )
    assert await customer_ids(api, login) == [company.upper()]
    changes = await set_customers_ok(api, login, [company.lower()])
    assert changes == {("ADDED", login, company)}  # stored as the company spells it
    assert await customer_ids(api, login) == [company.upper()]
    assert await assigned(api, login) == [company]
    assert await users_of(api, company) == [login]


async def test_customer_ids_with_exclude_primary_customer_id(make_api: MakeApi) -> None:
    api = await make_api(
        customer_user={"backends": [{"name": "CustomerUser", "exclude_primary_customer_id": True}]}
    )
    primary = await new_customer(api, "P")
    b, a = await new_customer(api, "B"), await new_customer(api, "A")
    login = await new_user(api, primary, "jane")
    assert await customer_ids(api, login) == []
    await set_customers_ok(api, login, [b, a])
    assert await customer_ids(api, login) == [a, b]
    await set_customers_ok(api, login, [b, primary])
    assert await customer_ids(api, login) == [b, primary]
    # Customer.customerUsers still lists users by their primary customer.
    assert await users_of(api, primary) == [login]


# --- renames -------------------------------------------------------------------------------------


async def test_renames_carry_the_assignments(api: Api) -> None:
    home = await new_customer(api)
    target = await new_customer(api)
    login = await new_user(api, home)
    await set_customers_ok(api, login, [target])

    new_login = unique("renamed")
    r = await api.gql(USER_UPDATE, {"i": {"login": login, "newLogin": new_login}})
    assert r.data["customerUserUpdate"]["userErrors"] == []
    assert await customer_ids(api, new_login) == [home, target]
    assert await users_of(api, target) == [new_login]

    new_id = unique("NEWID")
    r = await api.gql(
        "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { userErrors { code } } }",
        {"i": {"customerId": target, "newCustomerId": new_id}},
    )
    assert r.data["customerUpdate"]["userErrors"] == []
    assert await customer_ids(api, new_login) == [home, new_id]
    assert await assigned(api, new_login) == [new_id]
    assert await users_of(api, new_id) == [new_login]
