"""customerUsers search through the GraphQL API: the search fields, the other modes (login,
e-mail, customer ID, exact customer ID), criteria combined, the validity filter and the shape
of a result (fullName, displayName).

Runs on SQLite and PostgreSQL against the read-only ``search_world``; the one test with other
list fields builds a fresh app. OTOBO cases carry their catalogue id (``# OTOBO T..``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.customer_user_search_helpers import (
    ALL_USERS,
    VALID_USERS,
    connection,
    found,
    new_user,
)
from tests.conftest import Api, MakeApi
from tests.factories import new_customer

# ---- free text: the search fields ---------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # §2.4 CustomerUserSearchFields = login, first_name, last_name, customer_id.
        ("jo.kuhn", {"jo.kuhn"}),  # login
        ("jonas", {"jo.kuhn"}),  # first name
        ("hahn", {"jhahn"}),  # last name
        ("globex", {"jo.kuhn", "jhahn", "mann", "betty", "mueller"}),  # customer ID
        # OTOBO T18: the customer ID is found in lower case.
        ("ACME-1", {"bjohnson", "bjorn"}),
        # ... but NOT the e-mail: quokka is only in Kim's address.
        ("quokka", set()),
        ("quokka@initech.test", set()),
        ("globex.test", set()),
        # ... nor the title (Dr.) or the customer's name.
        ("Dr.", set()),
        ("Company", set()),
    ],
)
async def test_search_fields(search_world: Api, term: str, expected: set[str]) -> None:
    assert await found(search_world, search=term) == expected


# ---- the other modes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # D1 (derived): the login mode is a substring match.
        ("john", {"john", "bjohnson"}),
        ("jo", {"john", "bjohnson", "bjorn", "jo.kuhn"}),
        # OTOBO T24: the login in lower and upper case.
        ("BJOHNSON", {"bjohnson"}),
        ("bJoHnSoN", {"bjohnson"}),
        # `*` is a wildcard.
        ("b*n", {"bjohnson", "bjorn"}),
        ("*", VALID_USERS),
        # The login mode looks at the login only (Bob is a first name, acme a customer ID).
        ("bob", set()),
        ("acme", set()),
        # % and _ are literal.
        ("%", set()),
        ("j_hn", set()),
        # OTOBO T79: an unknown login.
        ("P-Unknown123456789", set()),
    ],
)
async def test_login_mode(search_world: Api, value: str, expected: set[str]) -> None:
    assert await found(search_world, login=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T57: the exact address.
        ("john.doe@acme.test", {"john"}),
        # OTOBO T58 / T23: another casing finds it.
        ("John.Doe@acme.test", {"john"}),
        ("JOHN.DOE@ACME.TEST", {"john"}),
        # OTOBO T59 / T60: a partial address finds nothing.
        ("doe@acme.test", set()),
        ("Doe@acme.test", set()),
        ("john.doe@acme", set()),
        ("john.doe", set()),
        # No wildcards in the e-mail mode.
        ("john.doe@acme.*", set()),
        ("*@acme.test", set()),
        ("*", set()),
        # The address is compared, not the other fields.
        ("john", set()),
        ("quokka@initech.test", {"kim"}),
    ],
)
async def test_email_mode(search_world: Api, value: str, expected: set[str]) -> None:
    assert await found(search_world, email=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T06: the customer ID itself.
        ("acme-1", {"bjohnson", "bjorn"}),
        # §3.5: no implicit prefix/suffix: `acme` matches only acme (valid users only).
        ("acme", {"john"}),
        ("ACME", {"john"}),  # case-insensitively
        ("acm", set()),
        ("cme", set()),
        # OTOBO T10: explicit `*`.
        ("acme*", {"john", "bjohnson", "bjorn"}),
        ("*cme-1", {"bjohnson", "bjorn"}),
        ("a*e", {"john"}),
        # OTOBO T08: `*` finds every user.
        ("*", VALID_USERS),
        # OTOBO T12 / T14 find everything with `%` (a SQL wildcard there); in Roster `%` is
        # literal (documented deviation), so nothing has it.
        ("%", set()),
        ("acme%", set()),
        ("acme_1", set()),
        # `*` in the pattern is a wildcard even where a customer ID contains a `*`.
        ("wild*card", {"wanda", "walt"}),
        ("wild*", {"wanda", "walt"}),
    ],
)
async def test_customer_id_mode(search_world: Api, value: str, expected: set[str]) -> None:
    assert await found(search_world, customerId=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T07: exactly this customer ID.
        ("acme-1", {"bjohnson", "bjorn"}),
        ("ACME-1", {"bjohnson", "bjorn"}),  # case-insensitive by default
        ("acme", {"john"}),
        # OTOBO T09 / T11: `*` is literal.
        ("*", set()),
        ("acme*", set()),
        ("wild*", set()),
        ("wild*card", {"wanda"}),
        # OTOBO T13 / T15: `%` is literal.
        ("%", set()),
        ("acme%", set()),
        ("", set()),
    ],
)
async def test_customer_id_exact_mode(search_world: Api, value: str, expected: set[str]) -> None:
    assert await found(search_world, customerIdExact=value) == expected


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # Each criterion narrows the result (AND), where OTOBO takes only one.
        ({"search": "acme"}, {"john", "bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj"}, {"bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj", "customerIdExact": "acme-1"}, {"bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj", "customerId": "acme"}, set()),
        ({"search": "john", "customerId": "acme"}, {"john"}),
        ({"login": "john", "email": "bob.johnson@acme.test"}, {"bjohnson"}),
        ({"search": "john", "email": "bjorn@acme.test"}, set()),
        ({"search": "globex", "customerIdExact": "globex", "login": "j"}, {"jo.kuhn", "jhahn"}),
        ({"search": "*", "customerId": "wild*"}, {"wanda", "walt"}),
    ],
)
async def test_criteria_combine_with_and(
    search_world: Api, arguments: dict[str, Any], expected: set[str]
) -> None:
    assert await found(search_world, **arguments) == expected


# ---- valid filter -------------------------------------------------------------------------


async def test_valid_filter(search_world: Api) -> None:
    # §3.6: valid by default; INVALID and INVALID_TEMPORARILY are both "not valid".
    assert await found(search_world, search="acme") == {"john", "bjohnson", "bjorn"}
    assert await found(search_world, search="acme", valid=True) == {"john", "bjohnson", "bjorn"}
    everyone = {"john", "bjohnson", "bjorn", "ivan", "tina"}
    assert await found(search_world, search="acme", valid=False) == everyone
    assert await found(search_world, search="acme", valid=None) == everyone
    assert await found(search_world, search="invalid") == set()
    assert await found(search_world, search="invalid", valid=False) == {"ivan"}
    assert await found(search_world, search="temporary", valid=False) == {"tina"}
    assert await found(search_world, email="ivan@acme.test") == set()
    assert await found(search_world, email="ivan@acme.test", valid=False) == {"ivan"}
    assert await found(search_world, login="tina") == set()
    assert await found(search_world, customerIdExact="acme", valid=False) == {
        "john",
        "ivan",
        "tina",
    }
    # A plain listing follows the same rule.
    assert await found(search_world) == VALID_USERS
    assert await found(search_world, valid=False) == ALL_USERS
    validities = {
        n["login"]: n["validity"]
        for n in (await connection(search_world, search="acme", valid=False))["nodes"]
    }
    assert validities == {
        "bjohnson": "VALID",
        "bjorn": "VALID",
        "ivan": "INVALID",
        "john": "VALID",
        "tina": "INVALID_TEMPORARILY",
    }


# ---- result shape -------------------------------------------------------------------------


async def test_display_name_is_the_mailbox_form(search_world: Api) -> None:
    # §3.8 / OTOBO T43: the list fields (first, last, e-mail) as `"First Last" <email>`.
    nodes = {n["login"]: n for n in (await connection(search_world, search="*"))["nodes"]}
    john = nodes["john"]
    assert john["displayName"] == '"John Doe" <john.doe@acme.test>'
    assert john["fullName"] == "John Doe"
    assert nodes["mann"]["displayName"] == '"Mary Ann Rock and Roll" <mary@globex.test>'
    assert nodes["mueller"]["displayName"] == '"Jürgen Müller" <juergen@globex.test>'
    # The title is a name field (fullName) but not a list field (displayName).
    titled = nodes["tdoc"]
    assert titled["title"] == "Dr."
    assert titled["fullName"] == "Dr. Theo Doc"
    assert titled["displayName"] == '"Theo Doc" <theo@initech.test>'
    # A search result carries the same record as the plain listing.
    assert (await connection(search_world, search="tdoc"))["nodes"] == [titled]


async def test_otobo_t44_display_name_with_more_list_fields(make_api: MakeApi) -> None:
    # OTOBO T44: CustomerUserListFields = login, first, last, customer_id, email.
    fresh = await make_api(
        customer_user={
            "backends": [
                {
                    "name": "CustomerUser",
                    "list_fields": ["login", "first_name", "last_name", "customer_id", "email"],
                }
            ]
        }
    )
    await new_customer(fresh, "cust-1")
    await new_user(fresh, "jlogin", "John", "Doe", "cust-1", "j@e.test")
    nodes = (await connection(fresh, login="jlogin"))["nodes"]
    assert [n["displayName"] for n in nodes] == ['"jlogin John Doe cust-1" <j@e.test>']
