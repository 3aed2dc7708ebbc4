"""A customer user's login and e-mail through the GraphQL API: uniqueness (case-insensitive,
also under concurrent creates), trimming, the reserved ``<DEFAULT>`` login, the address rules.

Runs on SQLite and PostgreSQL. OTOBO cases carry their catalogue number (T.., D..) from
``/work/shared/reference/otobo-customer-user.md``.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.api.customer_users_helpers import (
    CREATE,
    create,
    create_ok,
    create_refused,
    get,
    rows_with_email,
    sql,
)
from tests.checks import errors
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, user_input

# ---- login --------------------------------------------------------------------------------


async def test_login_is_unique_case_insensitively(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("abc")
    await create_ok(api, cid, login="A" + stem)
    for variant in ("a" + stem, "A" + stem.upper(), "A" + stem):
        data = user_input(cid, login=variant)
        payload = await create(api, data)
        assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])], variant
        assert payload["customerUser"] is None
        assert await rows_with_email(api, data["email"]) == 0


async def test_login_lookup_is_case_insensitive(api: Api) -> None:
    # OTOBO T04 / T24.
    cid = await new_customer(api)
    login = "Mixed" + unique("Case")
    user = await create_ok(api, cid, login=login)
    for variant in (login.lower(), login.upper(), login):
        found = await get(api, variant)
        assert found is not None, variant
        assert found["login"] == login
        assert found["id"] == user["id"]


async def test_unicode_login_is_unique_and_found_case_insensitively(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("")
    await create_ok(api, cid, login=f"Ärger-{stem}")
    found = await get(api, f"ÄRGER-{stem}".lower())
    assert found is not None
    assert found["login"] == f"Ärger-{stem}"
    payload = await create(api, user_input(cid, login=f"ärger-{stem}"))
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])]


async def test_login_with_dotted_capital_i_can_be_created_and_found(api: Api) -> None:
    cid = await new_customer(api)
    login = "\u0130stanbul-" + unique("")
    payload = await create(api, user_input(cid, login=login))
    assert payload["userErrors"] == []
    assert payload["customerUser"] is not None
    assert payload["customerUser"]["login"] == login
    found = await get(api, login)
    assert found is not None
    assert found["login"] == login


async def test_login_is_trimmed(api: Api) -> None:
    cid = await new_customer(api)
    login = unique("trim")
    user = await create_ok(api, cid, login=f"  {login} ")
    assert user["login"] == login
    assert (await get(api, login))["login"] == login  # type: ignore[index]


@pytest.mark.parametrize("reserved", ["<DEFAULT>", "<default>", " <Default> "])
async def test_default_pseudo_login_is_reserved(api: Api, reserved: str) -> None:
    cid = await new_customer(api)
    data = user_input(cid, login=reserved)
    payload = await create(api, data)
    assert errors(payload) == [("RESERVED", ["input", "login"])]
    assert await get(api, "<DEFAULT>") is None
    assert await rows_with_email(api, data["email"]) == 0


async def test_concurrent_creates_of_one_login_let_exactly_one_win(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("race")
    variants = [stem, stem.upper(), stem.capitalize(), stem.swapcase(), stem]
    responses = await asyncio.gather(
        *(api.gql(CREATE, {"i": user_input(cid, login=v)}) for v in variants)
    )
    payloads = [r.data["customerUserCreate"] for r in responses]
    winners = [p for p in payloads if p["customerUser"] is not None]
    assert len(winners) == 1, payloads
    for p in payloads:
        if p["customerUser"] is None:
            assert errors(p) == [("LOGIN_TAKEN", ["input", "login"])]
    rows = await sql(api, "SELECT count(*) FROM customer_user WHERE lower(login) = :l", {"l": stem})
    assert rows[0][0] == 1


# ---- e-mail -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "two@@acme.test",
        "dots..in@acme.test",
        "trailing.@acme.test",
        "x@example.com",
        "Y@EXAMPLE.ORG",
        "no-domain@",
        "@acme.test",
        "spaces in@acme.test",
    ],
)
async def test_invalid_email_is_refused_for_valid_users(api: Api, address: str) -> None:
    cid = await new_customer(api)
    data = user_input(cid, email=address)
    payload = await create_refused(api, data)
    assert errors(payload) == [("INVALID_EMAIL", ["input", "email"])]


@pytest.mark.parametrize("validity", ["INVALID", "INVALID_TEMPORARILY"])
async def test_invalid_user_may_have_a_bad_address(api: Api, validity: str) -> None:
    # OTOBO D7: the syntax check runs only for valid users.
    cid = await new_customer(api)
    address = f"not-an-email-{unique('')}"
    user = await create_ok(api, cid, email=address, validity=validity)
    assert user["email"] == address
    assert user["validity"] == validity


async def test_configured_valid_addresses_are_accepted(make_api: MakeApi) -> None:
    fresh = await make_api()  # its own database: these addresses may be taken elsewhere
    cid = await new_customer(fresh)
    for address in ("root@localhost", "admin@localhost"):
        user = await create_ok(fresh, cid, email=address)
        assert user["email"] == address
    payload = await create(fresh, user_input(cid, email="other@localhost"))
    assert errors(payload) == [("INVALID_EMAIL", ["input", "email"])]


async def test_email_is_trimmed_and_kept_in_its_case(api: Api) -> None:
    cid = await new_customer(api)
    address = f"Jane.{unique('Doe')}@Acme.Test"
    user = await create_ok(api, cid, email=f"  {address}  ")
    assert user["email"] == address


async def test_email_must_be_unique_case_insensitively(api: Api) -> None:
    # OTOBO T55.
    cid = await new_customer(api)
    first = await create_ok(api, cid)
    data = user_input(cid, email=first["email"].upper())
    payload = await create_refused(api, data)
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]


async def test_email_uniqueness_includes_invalid_users(api: Api) -> None:
    cid = await new_customer(api)
    first = await create_ok(api, cid, validity="INVALID")
    payload = await create(api, user_input(cid, email=first["email"]))
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]


async def test_email_uniqueness_is_exact_not_a_pattern(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("m")
    await create_ok(api, cid, email=f"a_{stem}%@acme.test")
    user = await create_ok(api, cid, email=f"ab{stem}x@acme.test")
    assert user["email"] == f"ab{stem}x@acme.test"


async def test_duplicate_email_allowed_when_uniq_check_is_off(make_api: MakeApi) -> None:
    other = await make_api(
        customer_user={"backends": [{"name": "CustomerUser", "email_uniq_check": False}]}
    )
    cid = await new_customer(other)
    one = await create_ok(other, cid, email="shared@acme.test")
    two = await create_ok(other, cid, email="SHARED@acme.test")
    assert one["login"] != two["login"]
    assert await rows_with_email(other, "shared@acme.test") == 1
    assert await rows_with_email(other, "SHARED@acme.test") == 1
