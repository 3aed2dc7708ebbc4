"""Creating a customer user through the GraphQL API: every field, required fields, the
customer it belongs to, and that a refused create writes nothing.

Every test runs on SQLite and on PostgreSQL (the ``api`` fixture). The OTOBO rules come from
``/work/shared/reference/otobo-customer-user.md`` §6; cases taken from OTOBO's own tests are
tagged with their catalogue number (T.., §10.1/10.3) and the derived ones with D.. (§10.15).
The ``test_customer_user_*`` modules share ``customer_users_helpers.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from datasources.db.api_keys import Scope
from tests.api.customer_users_helpers import (
    CREATE,
    NODE,
    UPDATE,
    create,
    create_ok,
    create_refused,
    get,
    key_name,
    rows_with_email,
    ts,
)
from tests.checks import errors
from tests.conftest import Api, MakeApi, unique
from tests.factories import new_customer, user_input

# ---- create -------------------------------------------------------------------------------


async def test_create_returns_every_field_and_reads_back(api: Api) -> None:
    cid = await new_customer(api)
    login = unique("Create")
    email = f"{login.lower()}@acme.test"
    data = {
        "login": login,
        "title": "Dr.",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": email,
        "customerId": cid,
        "phone": "+49 30 1234",
        "fax": "+49 30 1235",
        "mobile": "+49 171 1",
        "street": "Main Street 1",
        "zip": "10115",
        "city": "Berlin",
        "country": "Germany",
        "comment": "first line\nsecond line",
    }
    before = datetime.now(UTC)
    payload = await create(api, data)
    after = datetime.now(UTC)
    assert payload["userErrors"] == []
    user = payload["customerUser"]
    for name, value in data.items():
        assert user[name] == value, name
    assert user["source"] == "CustomerUser"
    assert user["validity"] == "VALID"
    assert user["fullName"] == "Dr. Ada Lovelace"
    assert user["displayName"] == f'"Ada Lovelace" <{email}>'
    assert user["customer"] == {"customerId": cid, "name": f"Company {cid}"}
    created = ts(user["createdAt"])
    assert before.replace(microsecond=0) <= created.replace(microsecond=0) <= after
    assert user["changedAt"] == user["createdAt"]
    admin_name = await key_name(api, api.admin_key)
    assert admin_name.startswith("admin-")
    assert user["createdBy"] == admin_name
    assert user["changedBy"] == admin_name

    assert await get(api, login) == user
    r = await api.gql(NODE, {"id": user["id"]})
    assert r.data["node"] == {"__typename": "CustomerUser", "id": user["id"], "login": login}


async def test_optional_fields_omitted_read_back_as_null(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, firstName="Grace", lastName="Hopper")
    for name in ("title", "phone", "fax", "mobile", "street", "zip", "city", "country", "comment"):
        assert user[name] is None, name
    assert user["fullName"] == "Grace Hopper"


async def test_unknown_source_is_refused(api: Api) -> None:
    cid = await new_customer(api)
    data = user_input(cid, source="NoSuchBackend")
    payload = await create(api, data)
    assert errors(payload) == [("NOT_FOUND", ["input", "source"])]
    assert await rows_with_email(api, data["email"]) == 0
    data = user_input(cid, source="CustomerUser")
    payload = await create(api, data)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["source"] == "CustomerUser"


async def test_read_key_cannot_create(api: Api) -> None:
    cid = await new_customer(api)
    data = user_input(cid)
    r = await api.gql(CREATE, {"i": data}, key="read")
    assert r.error_codes == ["FORBIDDEN"], r.body
    assert await get(api, data["login"]) is None
    assert await rows_with_email(api, data["email"]) == 0


async def test_changed_by_names_the_key_that_changed_it(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    other_name = unique("admin-other-")
    other_key, _ = await api.storage.api_keys.create(other_name, Scope.ADMIN)
    r = await api.gql(
        UPDATE, {"i": {"login": user["login"], "city": "Oslo"}}, key=f"Bearer {other_key}"
    )
    changed = r.data["customerUserUpdate"]["customerUser"]
    assert changed["changedBy"] == other_name
    assert changed["createdBy"] == user["createdBy"] != other_name


# ---- required fields ----------------------------------------------------------------------

REQUIRED_FIELDS = ["firstName", "lastName", "email", "customerId", "login"]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
@pytest.mark.parametrize("how", ["omitted", "null", "empty", "whitespace"])
async def test_each_missing_required_field_is_reported(api: Api, field: str, how: str) -> None:
    cid = await new_customer(api)
    data = user_input(cid)
    if how == "omitted":
        del data[field]
    else:
        data[field] = {"null": None, "empty": "", "whitespace": " \t  "}[how]
    payload = await create(api, data)
    assert errors(payload) == [("REQUIRED", ["input", field])]
    assert payload["customerUser"] is None
    assert payload["generatedPassword"] is None
    if field != "login":
        assert await get(api, data["login"]) is None
    if field != "email":
        assert await rows_with_email(api, data["email"]) == 0


async def test_all_missing_required_fields_are_reported_together(api: Api) -> None:
    payload = await create(api, {"phone": "123"})
    assert sorted(errors(payload)) == sorted(("REQUIRED", ["input", f]) for f in REQUIRED_FIELDS)
    assert payload["customerUser"] is None


async def test_zero_is_a_value_not_a_missing_name(api: Api) -> None:
    # OTOBO (D6) refuses "0" through Perl truthiness; Roster documents that it accepts it.
    cid = await new_customer(api)
    user = await create_ok(api, cid, firstName="0")
    assert user["firstName"] == "0"


# ---- customer -----------------------------------------------------------------------------


async def test_customer_must_exist(api: Api) -> None:
    data = user_input(unique("NoSuchCustomer"))
    payload = await create_refused(api, data)
    assert errors(payload) == [("UNKNOWN_CUSTOMER", ["input", "customerId"])]


async def test_customer_id_matches_case_insensitively(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, customerId=cid.lower())
    assert user["customerId"] == cid  # stored as the customer spells it
    assert user["customer"] == {"customerId": cid, "name": f"Company {cid}"}


async def test_unknown_customer_allowed_without_company_support(make_api: MakeApi) -> None:
    other = await make_api(
        customer_user={"backends": [{"name": "CustomerUser", "customer_company_support": False}]}
    )
    user = await create_ok(other, "no-such-company")
    assert user["customerId"] == "no-such-company"
    assert user["customer"] is None
    assert (await get(other, user["login"]))["customerId"] == "no-such-company"  # type: ignore[index]


# ---- atomicity ----------------------------------------------------------------------------


async def test_one_bad_field_among_good_ones_writes_nothing(api: Api) -> None:
    cid = await new_customer(api)
    data = user_input(cid, title="Dr.", phone="1", city="Berlin", comment="ok", zip="1" * 201)
    payload = await create(api, data)
    assert errors(payload) == [("TOO_LONG", ["input", "zip"])]
    assert await get(api, data["login"]) is None
    assert await rows_with_email(api, data["email"]) == 0
    # the same input without the bad field is accepted: the refusal was about that field only
    data["zip"] = "10115"
    payload = await create(api, data)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["zip"] == "10115"


async def test_failed_database_check_writes_nothing(api: Api) -> None:
    # An error found inside the transaction (unknown customer) rolls the write back.
    data = user_input(unique("Missing"))
    payload = await create(api, data)
    assert [c for c, _ in errors(payload)] == ["UNKNOWN_CUSTOMER"]
    assert await rows_with_email(api, data["email"]) == 0


async def test_taken_login_and_missing_field_are_reported_together(api: Api) -> None:
    cid = await new_customer(api)
    existing = await create_ok(api, cid)
    payload = await create(api, user_input(cid, login=existing["login"], lastName=""))
    assert sorted(errors(payload)) == [
        ("LOGIN_TAKEN", ["input", "login"]),
        ("REQUIRED", ["input", "lastName"]),
    ]
