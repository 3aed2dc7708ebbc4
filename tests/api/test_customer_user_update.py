"""customerUserUpdate through the GraphQL API: a patch, required fields, validity (and the
listing it changes), the e-mail and customer rules on update.

Runs on SQLite and PostgreSQL. OTOBO cases carry their catalogue number (T.., D..).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.customer_users_helpers import all_logins, create_ok, get, ts, update
from tests.checks import errors
from tests.conftest import Api, clock_tick, unique
from tests.factories import new_customer

# ---- update -------------------------------------------------------------------------------


async def test_update_is_a_patch(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, title="Ms.", phone="111", city="Paris", comment="keep me")
    await clock_tick(api.kind)
    payload = await update(api, user["login"], phone="222")
    assert payload["userErrors"] == []
    changed = payload["customerUser"]
    assert changed["phone"] == "222"
    for name in (
        "title",
        "firstName",
        "lastName",
        "email",
        "customerId",
        "city",
        "comment",
        "validity",
        "id",
        "login",
        "createdAt",
        "createdBy",
        "customer",
    ):
        assert changed[name] == user[name], name
    assert ts(changed["changedAt"]) > ts(user["changedAt"])
    assert await get(api, user["login"]) == changed


async def test_update_null_clears_an_optional_field(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, phone="111", title="Dr.", fax="222")
    payload = await update(api, user["login"], phone=None, title=None)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["phone"] is None
    assert payload["customerUser"]["title"] is None
    assert payload["customerUser"]["fax"] == "222"
    assert payload["customerUser"]["fullName"] == "Ada Lovelace"
    again = await get(api, user["login"])
    assert again is not None
    assert again["phone"] is None
    assert again["fax"] == "222"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *(
            (f, v)
            for f in ("firstName", "lastName", "email", "customerId")
            for v in (None, "", "   ")
        ),
        ("validity", None),
    ],
)
async def test_update_cannot_clear_a_required_field(api: Api, field: str, value: Any) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    payload = await update(api, user["login"], **{field: value})
    assert errors(payload) == [("REQUIRED", ["input", field])]
    assert payload["customerUser"] is None
    assert await get(api, user["login"]) == user


async def test_update_reports_several_problems_and_writes_nothing(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    payload = await update(api, user["login"], firstName="", lastName="x" * 101, phone="1")
    assert sorted(errors(payload)) == [
        ("REQUIRED", ["input", "firstName"]),
        ("TOO_LONG", ["input", "lastName"]),
    ]
    assert await get(api, user["login"]) == user


@pytest.mark.parametrize("validity", ["INVALID", "INVALID_TEMPORARILY"])
async def test_deactivated_user_leaves_the_valid_listing(api: Api, validity: str) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    login = user["login"]
    assert login in await all_logins(api)
    await clock_tick(api.kind)
    payload = await update(api, login, validity=validity)
    assert payload["userErrors"] == []
    changed = payload["customerUser"]
    assert changed["validity"] == validity
    assert changed["createdAt"] == user["createdAt"]
    assert ts(changed["changedAt"]) > ts(user["changedAt"])
    assert login not in await all_logins(api)
    assert login not in await all_logins(api, valid=True)
    assert login in await all_logins(api, valid=False)
    assert login in await all_logins(api, valid=None)
    # nothing is deleted: the user is still readable
    assert (await get(api, login))["validity"] == validity  # type: ignore[index]
    # and can be reactivated
    payload = await update(api, login, validity="VALID")
    assert payload["customerUser"]["validity"] == "VALID"
    assert login in await all_logins(api)


async def test_update_checks_email_syntax_when_the_user_becomes_valid(api: Api) -> None:
    cid = await new_customer(api)
    bad = f"legacy-{unique('')}"
    user = await create_ok(api, cid, email=bad, validity="INVALID")
    # a change that touches neither e-mail nor validity does not re-check the old address
    payload = await update(api, user["login"], city="Rome")
    assert payload["userErrors"] == []
    payload = await update(api, user["login"], validity="VALID")
    assert errors(payload) == [("INVALID_EMAIL", ["input", "email"])]
    assert (await get(api, user["login"]))["validity"] == "INVALID"  # type: ignore[index]
    good = f"{unique('fixed')}@acme.test"
    payload = await update(api, user["login"], validity="VALID", email=good)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["email"] == good


async def test_invalid_user_may_change_to_a_bad_address(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    bad = f"broken-{unique('')}"
    payload = await update(api, user["login"], validity="INVALID", email=bad)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["email"] == bad
    assert payload["customerUser"]["validity"] == "INVALID"


async def test_update_email_rules(api: Api) -> None:
    # OTOBO T56: another user's address is taken; the own one in another case is not.
    cid = await new_customer(api)
    one = await create_ok(api, cid)
    two = await create_ok(api, cid)
    payload = await update(api, two["login"], email=one["email"].upper())
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]
    payload = await update(api, two["login"], email="x@example.com")
    assert errors(payload) == [("INVALID_EMAIL", ["input", "email"])]
    assert await get(api, two["login"]) == two
    payload = await update(api, two["login"], email=two["email"].upper())
    assert payload["userErrors"] == []
    assert payload["customerUser"]["email"] == two["email"].upper()


async def test_update_customer_must_exist(api: Api) -> None:
    cid = await new_customer(api)
    other_cid = await new_customer(api)
    user = await create_ok(api, cid)
    payload = await update(api, user["login"], customerId=unique("Nope"))
    assert errors(payload) == [("UNKNOWN_CUSTOMER", ["input", "customerId"])]
    assert await get(api, user["login"]) == user
    payload = await update(api, user["login"], customerId=other_cid)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["customer"]["customerId"] == other_cid


async def test_update_of_unknown_login_is_not_found(api: Api) -> None:
    payload = await update(api, unique("ghost"), firstName="Nobody")
    assert errors(payload) == [("NOT_FOUND", ["input", "login"])]
    assert payload["customerUser"] is None


async def test_update_uses_the_login_case_insensitively(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, login=unique("Upd"))
    payload = await update(api, user["login"].upper(), city="Lyon")
    assert payload["userErrors"] == []
    assert payload["customerUser"]["login"] == user["login"]
    assert payload["customerUser"]["city"] == "Lyon"
