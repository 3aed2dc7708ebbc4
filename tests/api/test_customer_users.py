"""Customer users through the GraphQL API: create, read, update, rename, passwords, listing.

Every test runs on SQLite and on PostgreSQL (the ``api`` fixture). The OTOBO rules come from
``/work/shared/reference/otobo-customer-user.md`` §6; cases taken from OTOBO's own tests are
tagged with their catalogue number (T.., §10.1/10.3) and the derived ones with D.. (§10.15).
SQL is used only to plant relation rows and to look at what was stored (password hashes,
"nothing was written"), never to decide what the API returns.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.api_keys import Scope
from domain.passwords import verify_password
from tests.conftest import Api, GraphQLResponse, MakeApi, clock_tick, exact_sql, unique
from tests.factories import new_customer, user_input

# ---- queries ------------------------------------------------------------------------------

USER_FIELDS = """
    id login source fullName displayName validity
    title firstName lastName email customerId
    phone fax mobile street zip city country comment
    customer { customerId name }
    createdAt createdBy changedAt changedBy
"""

CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) {"
    " customerUser {" + USER_FIELDS + "} generatedPassword userErrors { field code message } } }"
)
UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser {" + USER_FIELDS + "} userErrors { field code message } } }"
)
SET_PASSWORD = (
    "mutation($i: CustomerUserSetPasswordInput!) { customerUserSetPassword(input: $i) {"
    " customerUser { login changedAt } generatedPassword userErrors { field code message } } }"
)
GET = "query($l: String!) { customerUser(login: $l) {" + USER_FIELDS + "} }"
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on CustomerUser { login } } }"
LIST = """
query($first: Int!, $after: String, $valid: Boolean) {
  customerUsers(first: $first, after: $after, valid: $valid) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor }
    nodes { login validity }
  }
}
"""

# ---- helpers ------------------------------------------------------------------------------


async def create(api: Api, data: dict[str, Any], *, key: str | None = "admin") -> dict[str, Any]:
    """The customerUserCreate payload (asserts the request itself had no top-level error)."""
    r = await api.gql(CREATE, {"i": data}, key=key)
    return r.data["customerUserCreate"]  # type: ignore[no-any-return]


async def create_ok(api: Api, customer_id: str, **fields: Any) -> dict[str, Any]:
    """Create a user that must be accepted; returns the CustomerUser as the API shows it."""
    payload = await create(api, user_input(customer_id, **fields))
    assert payload["userErrors"] == [], payload["userErrors"]
    assert payload["customerUser"] is not None
    return payload["customerUser"]  # type: ignore[no-any-return]


async def update(api: Api, login: str, **changes: Any) -> dict[str, Any]:
    r = await api.gql(UPDATE, {"i": {"login": login, **changes}})
    return r.data["customerUserUpdate"]  # type: ignore[no-any-return]


async def set_password(api: Api, login: str, password: str | None = None, **kw: Any) -> Any:
    data: dict[str, Any] = {"login": login}
    if password is not None or kw.get("send_null"):
        data["password"] = password
    r = await api.gql(SET_PASSWORD, {"i": data})
    return r.data["customerUserSetPassword"]


async def get(api: Api, login: str) -> dict[str, Any] | None:
    r = await api.gql(GET, {"l": login})
    return r.data["customerUser"]  # type: ignore[no-any-return]


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    """userErrors as (code, field) pairs, in the order the server gave them."""
    for e in payload["userErrors"]:
        assert e["message"], e  # every error explains itself
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def sql(api: Api, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
    async with api.storage.engine.begin() as conn:
        result = await conn.execute(sa.text(statement), params or {})
        return list(result.all()) if result.returns_rows else []


async def rows_with_email(api: Api, email: str) -> int:
    """How many stored users have this address: the witness for "nothing was written"."""
    email_column = exact_sql(api.kind, "email")
    rows = await sql(
        api, f"SELECT count(*) FROM customer_user WHERE {email_column} = :e", {"e": email}
    )
    return int(rows[0][0])


async def stored_hash(api: Api, login: str) -> str | None:
    rows = await sql(api, "SELECT pw FROM customer_user WHERE login = :l", {"l": login})
    assert len(rows) == 1, rows
    return rows[0][0]  # type: ignore[no-any-return]


async def key_name(api: Api, key: str) -> str:
    rows = await sql(api, "SELECT name FROM roster_api_key WHERE key_prefix = :p", {"p": key[:12]})
    return str(rows[0][0])


def ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # the API says UTC explicitly
    return parsed


async def all_logins(api: Api, valid: bool | str | None = "default") -> list[str]:
    """Every login of customerUsers, following the cursors page by page."""
    logins: list[str] = []
    after: str | None = None
    while True:
        variables: dict[str, Any] = {"first": 1000, "after": after}
        if valid != "default":
            variables["valid"] = valid
        conn = (await api.gql(LIST, variables)).data["customerUsers"]
        logins += [n["login"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return logins
        after = conn["pageInfo"]["endCursor"]


def b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def assert_clean_failure(r: GraphQLResponse) -> None:
    """A refused request: a GraphQL error with a message, never a 500 or a stack trace."""
    assert r.status in (200, 400), (r.status, r.body)
    assert r.errors, r.body
    text = json.dumps(r.body)
    assert "Traceback" not in text
    assert "INTERNAL_SERVER_ERROR" not in r.error_codes
    assert "Unexpected error." not in [e.get("message") for e in r.errors]


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
    payload = await create(api, data)
    assert errors(payload) == [("INVALID_EMAIL", ["input", "email"])]
    assert payload["customerUser"] is None
    assert await get(api, data["login"]) is None


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
    payload = await create(api, data)
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]
    assert payload["customerUser"] is None
    assert await get(api, data["login"]) is None


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


# ---- customer -----------------------------------------------------------------------------


async def test_customer_must_exist(api: Api) -> None:
    data = user_input(unique("NoSuchCustomer"))
    payload = await create(api, data)
    assert errors(payload) == [("UNKNOWN_CUSTOMER", ["input", "customerId"])]
    assert payload["customerUser"] is None
    assert await get(api, data["login"]) is None


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


# ---- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["omitted", "null", "empty"])
async def test_password_is_generated_when_not_given(api: Api, sent: str) -> None:
    cid = await new_customer(api)
    data = user_input(cid)
    if sent != "omitted":
        data["password"] = None if sent == "null" else ""
    payload = await create(api, data)
    assert payload["userErrors"] == []
    generated = payload["generatedPassword"]
    assert isinstance(generated, str)
    assert len(generated) >= 16
    assert generated.isalnum()
    stored = await stored_hash(api, data["login"])
    assert stored is not None
    assert stored.startswith("BCRYPT:4:")  # tests/conftest.py: cost 4
    assert generated not in stored
    assert verify_password(stored, generated)
    # shown once: reading the user again never shows it
    again = await api.gql(GET, {"l": data["login"]})
    assert generated not in json.dumps(again.body)


async def test_generated_passwords_differ(api: Api) -> None:
    cid = await new_customer(api)
    a = await create(api, user_input(cid))
    b = await create(api, user_input(cid))
    assert a["generatedPassword"] != b["generatedPassword"]


@pytest.mark.parametrize("stem", ["Correct-Horse-", "pässwörd-カス-😀-"])
async def test_given_password_is_hashed_and_never_returned(api: Api, stem: str) -> None:
    # OTOBO T32 uses non-ASCII passwords too.
    cid = await new_customer(api)
    password = stem + unique("")
    data = user_input(cid, password=password)
    r = await api.gql(CREATE, {"i": data})
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert payload["generatedPassword"] is None
    assert password not in json.dumps(r.body)
    stored = await stored_hash(api, data["login"])
    assert stored is not None
    assert stored.startswith("BCRYPT:4:")  # tests/conftest.py: cost 4
    assert password not in stored
    assert verify_password(stored, password)
    assert not verify_password(stored, password + "x")
    listed = await api.gql(
        "{ customerUsers(first: 1000, valid: null) { nodes {" + USER_FIELDS + "} } }"
    )
    assert stored not in json.dumps(listed.body)
    assert password not in json.dumps(listed.body)


async def test_customer_user_type_has_no_password_field(api: Api) -> None:
    r = await api.gql('{ __type(name: "CustomerUser") { fields { name } } }')
    names = [f["name"].lower() for f in r.data["__type"]["fields"]]
    assert "login" in names  # the introspection itself works
    assert not [n for n in names if "password" in n or n == "pw"]
    r = await api.gql('{ customerUser(login: "x") { password } }')
    assert r.errors
    assert r.body.get("data") is None


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short12", "PASSWORD_TOO_SHORT"),
        ("x", "PASSWORD_TOO_SHORT"),
        ("p" * 1025, "TOO_LONG"),
        ("p" * 1_000_000, "TOO_LONG"),
        ("long enough\x00nul", "INVALID_CHARACTERS"),
    ],
    ids=lambda v: repr(v)[:20],
)
async def test_bad_password_is_refused_on_create(api: Api, password: str, code: str) -> None:
    cid = await new_customer(api)
    data = user_input(cid, password=password)
    payload = await create(api, data)
    assert errors(payload) == [(code, ["input", "password"])]
    assert payload["generatedPassword"] is None
    assert await get(api, data["login"]) is None
    assert await rows_with_email(api, data["email"]) == 0


async def test_password_of_minimum_length_is_accepted(api: Api) -> None:
    cid = await new_customer(api)
    data = user_input(cid, password="8chars!!")
    payload = await create(api, data)
    assert payload["userErrors"] == []
    assert verify_password(await stored_hash(api, data["login"]), "8chars!!")


async def test_set_password_replaces_the_hash(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, password="first-password")
    old_hash = await stored_hash(api, user["login"])
    await clock_tick(api.kind)
    payload = await set_password(api, user["login"].upper(), "second-password")
    assert payload["userErrors"] == []
    assert payload["generatedPassword"] is None
    assert payload["customerUser"]["login"] == user["login"]
    assert ts(payload["customerUser"]["changedAt"]) > ts(user["changedAt"])
    new_hash = await stored_hash(api, user["login"])
    assert new_hash != old_hash
    assert new_hash is not None
    assert new_hash.startswith("BCRYPT:4:")  # tests/conftest.py: cost 4
    assert verify_password(new_hash, "second-password")
    assert not verify_password(new_hash, "first-password")


@pytest.mark.parametrize("sent", ["omitted", "null", "empty"])
async def test_set_password_generates_when_omitted(api: Api, sent: str) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, password="first-password")
    old_hash = await stored_hash(api, user["login"])
    if sent == "omitted":
        payload = await set_password(api, user["login"])
    else:
        payload = await set_password(
            api, user["login"], None if sent == "null" else "", send_null=True
        )
    assert payload["userErrors"] == []
    generated = payload["generatedPassword"]
    assert isinstance(generated, str)
    assert len(generated) >= 16
    new_hash = await stored_hash(api, user["login"])
    assert new_hash != old_hash
    assert verify_password(new_hash, generated)


async def test_set_password_too_short_keeps_the_old_one(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, password="first-password")
    old_hash = await stored_hash(api, user["login"])
    payload = await set_password(api, user["login"], "short")
    assert errors(payload) == [("PASSWORD_TOO_SHORT", ["input", "password"])]
    assert payload["generatedPassword"] is None
    assert payload["customerUser"] is None
    assert await stored_hash(api, user["login"]) == old_hash


async def test_set_password_of_unknown_login_is_not_found(api: Api) -> None:
    payload = await set_password(api, unique("ghost"), "whatever-password")
    assert errors(payload) == [("NOT_FOUND", ["input", "login"])]
    assert payload["generatedPassword"] is None


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


# ---- rename -------------------------------------------------------------------------------

RELATION_COUNTS = {
    "customer_user_customer": "user_id",
    "group_customer_user": "user_id",
    "service_customer_user": "customer_user_login",
    "customer_preferences": "user_id",
}
"""Each relation table and its login column."""


async def plant_relations(api: Api, login: str, customer_id: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    p = {"u": login, "c": customer_id, "t": now}
    await sql(
        api,
        "INSERT INTO customer_user_customer"
        " (user_id, customer_id, create_time, create_by, change_time, change_by)"
        " VALUES (:u, :c, :t, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO group_customer_user (user_id, group_id, permission_key, permission_value,"
        " create_time, create_by, change_time, change_by) VALUES (:u, 1, 'rw', 1, :t, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO service_customer_user"
        " (customer_user_login, service_id, create_time, create_by) VALUES (:u, 1, :t, 1)",
        p,
    )
    await sql(
        api,
        "INSERT INTO customer_preferences (user_id, preferences_key, preferences_value)"
        " VALUES (:u, 'UserLanguage', 'da')",
        p,
    )


async def relation_counts(api: Api, login: str) -> dict[str, int]:
    counts = {}
    for table, column in RELATION_COUNTS.items():
        query = f"SELECT count(*) FROM {table} WHERE {exact_sql(api.kind, column)} = :l"
        counts[table] = int((await sql(api, query, {"l": login}))[0][0])
    return counts


ONE_EACH = dict.fromkeys(RELATION_COUNTS, 1)
NONE = dict.fromkeys(RELATION_COUNTS, 0)


async def test_rename_moves_the_user_and_every_relation_row(api: Api) -> None:
    cid = await new_customer(api)
    stem = unique("")
    old = f"ren_{stem}"
    bystander = f"renX{stem}"  # what old would match as a LIKE pattern
    new = f"renamed-{stem}"
    user = await create_ok(api, cid, login=old, phone="555")
    await create_ok(api, cid, login=bystander)
    await plant_relations(api, old, cid)
    await plant_relations(api, bystander, cid)

    payload = await update(api, old, newLogin=new, firstName="Renamed")
    assert payload["userErrors"] == []
    renamed = payload["customerUser"]
    assert renamed["login"] == new
    assert renamed["firstName"] == "Renamed"
    assert renamed["phone"] == "555"
    assert renamed["createdAt"] == user["createdAt"]
    assert renamed["id"] != user["id"]

    assert await get(api, old) is None
    assert (await get(api, new))["firstName"] == "Renamed"  # type: ignore[index]
    assert (await api.gql(NODE, {"id": user["id"]})).data["node"] is None
    assert (await api.gql(NODE, {"id": renamed["id"]})).data["node"]["login"] == new
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, old) == NONE
    assert await relation_counts(api, bystander) == ONE_EACH
    prefs = await sql(
        api,
        "SELECT preferences_key, preferences_value FROM customer_preferences WHERE user_id = :l",
        {"l": new},
    )
    assert [tuple(r) for r in prefs] == [("UserLanguage", "da")]  # OTOBO T41


async def test_rename_onto_an_existing_login_changes_nothing(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, login=unique("mover"))
    taken = await create_ok(api, cid, login=unique("Taken"))
    await plant_relations(api, user["login"], cid)
    payload = await update(api, user["login"], newLogin=taken["login"].lower(), firstName="Changed")
    assert [code for code, _ in errors(payload)] == ["LOGIN_TAKEN"]
    assert payload["customerUser"] is None
    assert await get(api, user["login"]) == user
    assert await get(api, taken["login"]) == taken
    assert await relation_counts(api, user["login"]) == ONE_EACH


async def test_rename_errors_point_at_new_login(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    taken = await create_ok(api, cid)
    payload = await update(api, user["login"], newLogin=taken["login"])
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "newLogin"])]
    payload = await update(api, user["login"], newLogin="")
    assert errors(payload) == [("REQUIRED", ["input", "newLogin"])]


async def test_case_only_rename(api: Api) -> None:
    cid = await new_customer(api)
    old = unique("abc")
    new = old.upper()
    await create_ok(api, cid, login=old)
    await plant_relations(api, old, cid)
    payload = await update(api, old, newLogin=new)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["login"] == new
    assert (await get(api, old))["login"] == new  # type: ignore[index]
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, old) == NONE
    assert new in await all_logins(api)
    assert old not in await all_logins(api)


@pytest.mark.parametrize(
    ("new_login", "code"),
    [
        ("<DEFAULT>", "RESERVED"),
        ("bad\x00login", "INVALID_CHARACTERS"),
        ("two\nlines", "INVALID_CHARACTERS"),
        ("x" * 101, "TOO_LONG"),  # logins fit in 100 characters, see below
        ("   ", "REQUIRED"),
    ],
)
async def test_rename_to_a_bad_login_is_refused(api: Api, new_login: str, code: str) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    payload = await update(api, user["login"], newLogin=new_login)
    assert errors(payload) == [(code, ["input", "newLogin"])]
    assert await get(api, user["login"]) == user


async def test_rename_to_a_long_login_with_relation_rows_fails_cleanly(api: Api) -> None:
    # A login is also stored in OTOBO's relation tables (customer_user_customer.user_id and
    # group_customer_user.user_id are VARCHAR(100)), so a login longer than 100 characters is
    # refused up front with TOO_LONG on newLogin, and nothing is changed.
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    await plant_relations(api, user["login"], cid)
    new = unique("long") + "L" * 136
    assert len(new) == 150
    r = await api.gql(UPDATE, {"i": {"login": user["login"], "newLogin": new}})
    assert "errors" not in r.body, r.body
    payload = r.data["customerUserUpdate"]
    assert errors(payload) == [("TOO_LONG", ["input", "newLogin"])]
    assert "at most 100 fit" in payload["userErrors"][0]["message"]
    assert payload["customerUser"] is None
    assert await get(api, user["login"]) == user
    assert await get(api, new) is None
    assert await relation_counts(api, user["login"]) == ONE_EACH
    assert await relation_counts(api, new) == NONE


async def test_rename_to_a_login_of_100_characters_carries_the_relation_rows(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    await plant_relations(api, user["login"], cid)
    new = unique("long") + "L" * 86
    assert len(new) == 100
    payload = await update(api, user["login"], newLogin=new)
    assert payload["userErrors"] == []
    assert payload["customerUser"]["login"] == new
    assert await relation_counts(api, new) == ONE_EACH
    assert await relation_counts(api, user["login"]) == NONE


# ---- read-only backend --------------------------------------------------------------------

SEED_TIME = "2020-01-02 03:04:05"
SEED_SQL = [
    "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
    f" change_time, change_by) VALUES ('ro-co', 'RO Company', 1, '{SEED_TIME}', 1,"
    f" '{SEED_TIME}', 1)",
    "INSERT INTO customer_user (login, email, customer_id, pw, first_name, last_name, valid_id,"
    " create_time, create_by, change_time, change_by) VALUES ('ro-user', 'ro@acme.test', 'ro-co',"
    f" 'old-hash', 'Read', 'Only', 1, '{SEED_TIME}', 1, '{SEED_TIME}', 1)",
]


async def test_read_only_backend_refuses_every_write(make_api: MakeApi) -> None:
    ro = await make_api(
        before_open=SEED_SQL,
        customer_user={"backends": [{"name": "CustomerUser", "read_only": True}]},
    )
    user = await get(ro, "ro-user")
    assert user is not None
    assert user["source"] == "CustomerUser"
    assert user["customer"] == {"customerId": "ro-co", "name": "RO Company"}

    data = user_input("ro-co")
    payload = await create(ro, data)
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["customerUser"] is None
    assert payload["generatedPassword"] is None
    assert await get(ro, data["login"]) is None
    assert await rows_with_email(ro, data["email"]) == 0

    payload = await update(ro, "ro-user", firstName="Changed", newLogin="ro-renamed")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert await get(ro, "ro-user") == user
    assert await get(ro, "ro-renamed") is None

    payload = await set_password(ro, "ro-user", "new-password-1")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["generatedPassword"] is None
    payload = await set_password(ro, "ro-user")
    assert [c for c, _ in errors(payload)] == ["READ_ONLY"]
    assert payload["generatedPassword"] is None
    assert await stored_hash(ro, "ro-user") == "old-hash"


# ---- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("firstName", "x" * 1_000_000, "TOO_LONG"),
        ("firstName", "x" * 101, "TOO_LONG"),
        ("lastName", "y" * 101, "TOO_LONG"),
        ("title", "T" * 51, "TOO_LONG"),
        ("phone", "1" * 151, "TOO_LONG"),
        ("comment", "c" * 251, "TOO_LONG"),
        ("login", "l" * 101, "TOO_LONG"),  # at most 100, see the test below
        ("customerId", "C" * 151, "TOO_LONG"),
        ("lastName", "Love\x00lace", "INVALID_CHARACTERS"),
        ("login", "bad\x00login", "INVALID_CHARACTERS"),
        ("firstName", "Ada\x07", "INVALID_CHARACTERS"),
        ("city", "\x1b[31mred", "INVALID_CHARACTERS"),
        ("comment", "bell\x07", "INVALID_CHARACTERS"),
        ("comment", "nul\x00", "INVALID_CHARACTERS"),
        ("login", "two\nlines", "INVALID_CHARACTERS"),
        ("login", "tab\there", "INVALID_CHARACTERS"),
        ("firstName", "Ada\nLovelace", "INVALID_CHARACTERS"),
        ("phone", "\x7f", "INVALID_CHARACTERS"),
    ],
    ids=lambda v: repr(v)[:30] if isinstance(v, str) else v,
)
async def test_hostile_value_is_refused_cleanly(
    api: Api, field: str, value: str, code: str
) -> None:
    cid = await new_customer(api)
    data = user_input(cid, **{field: value})
    r = await api.gql(CREATE, {"i": data})
    assert r.status == 200
    assert "errors" not in r.body, r.body
    payload = r.data["customerUserCreate"]
    assert errors(payload) == [(code, ["input", field])]
    assert payload["customerUser"] is None
    assert await rows_with_email(api, data["email"]) == 0
    if field != "login":
        assert await get(api, data["login"]) is None


async def test_hostile_email_is_refused_cleanly(api: Api) -> None:
    cid = await new_customer(api)
    for address in ("a\x00b@acme.test", "e" * 141 + "@acme.test"):
        data = user_input(cid, email=address)
        payload = await create(api, data)
        codes = [c for c, _ in errors(payload)]
        assert codes
        assert set(codes) <= {"INVALID_CHARACTERS", "INVALID_EMAIL", "TOO_LONG"}
        assert all(f == ["input", "email"] for _, f in errors(payload))
        assert await get(api, data["login"]) is None


async def test_body_over_the_limit_is_refused_before_parsing(api: Api) -> None:
    cid = await new_customer(api)
    data = user_input(cid, firstName="x" * 5_000_000)  # over the 4 MiB max_body_bytes
    r = await api.gql(CREATE, {"i": data})
    assert r.status == 413
    assert r.error_codes == ["PAYLOAD_TOO_LARGE"]
    assert "Traceback" not in json.dumps(r.body)
    assert await rows_with_email(api, data["email"]) == 0


async def test_longest_values_that_fit_are_accepted(api: Api) -> None:
    # A login is at most 100 characters, not the 191 of customer_user.login: it is also
    # stored in OTOBO's relation tables (customer_user_customer.user_id and
    # group_customer_user.user_id are VARCHAR(100)), so a longer one is TOO_LONG.
    cid = await new_customer(api)
    login = "L" + unique("") + "x" * 89
    assert len(login) == 100
    user = await create_ok(
        api,
        cid,
        login=login,
        firstName="f" * 100,
        lastName="ü" * 100,
        title="T" * 50,
        comment="c" * 250,
    )
    assert user["login"] == login
    assert user["firstName"] == "f" * 100
    assert user["lastName"] == "ü" * 100
    data = user_input(cid, login="M" + unique("") + "x" * 90)
    assert len(data["login"]) == 101
    payload = await create(api, data)
    assert errors(payload) == [("TOO_LONG", ["input", "login"])]
    assert "at most 100 fit" in payload["userErrors"][0]["message"]
    assert payload["customerUser"] is None
    assert await get(api, data["login"]) is None


async def test_hostile_value_on_update_is_refused_cleanly(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid)
    for changes, code, field in (
        ({"firstName": "x" * 1_000_000}, "TOO_LONG", "firstName"),
        ({"lastName": "a\x00b"}, "INVALID_CHARACTERS", "lastName"),
        ({"comment": "\x07"}, "INVALID_CHARACTERS", "comment"),
    ):
        payload = await update(api, user["login"], **changes)
        assert errors(payload) == [(code, ["input", field])]
    assert await get(api, user["login"]) == user


async def test_newline_is_allowed_in_comment(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, comment="line one\r\nline two\n\ttabbed", street="A 1\nB 2")
    assert user["comment"] == "line one\r\nline two\n\ttabbed"
    assert user["street"] == "A 1\nB 2"


async def test_sql_metacharacters_are_stored_literally(api: Api) -> None:
    cid = await new_customer(api)
    login = f"o'brien_%{unique('')}"
    values = {
        "firstName": "'; DROP TABLE customer_user; --",
        "lastName": "%",
        "comment": "_",
        "city": "\\'\"; SELECT 1",
        "street": "100% _real_ [street]",
        "email": f"o'brien%{unique('')}@acme.test",
    }
    user = await create_ok(api, cid, login=login, **values)
    for name, value in values.items():
        assert user[name] == value, name
    assert user["login"] == login
    again = await get(api, login)
    assert again == user
    # patterns are not patterns: nothing else is found through them
    assert await get(api, login.replace("_", "X")) is None
    assert await get(api, login[:-1] + "%") is None
    # and the table is still there
    assert login in await all_logins(api)


async def test_unicode_round_trips(api: Api) -> None:
    cid = await new_customer(api)
    login = f"müller-カス-😀-{unique('')}"
    values = {
        "title": "Frau Dr.",
        "firstName": "Jürgen-Ærøskøbing",
        "lastName": "山田 太郎 🎉",
        "street": "Straße 1 — \U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c",
        "city": "東京",
        "country": "Ελλάδα",
        "comment": "emoji 👩‍👩‍👧‍👦 and RTL שלום",
    }
    user = await create_ok(api, cid, login=login, **values)
    for name, value in values.items():
        assert user[name] == value, name
    assert user["login"] == login
    assert user["fullName"] == "Frau Dr. Jürgen-Ærøskøbing 山田 太郎 🎉"
    assert await get(api, login) == user
    assert await get(api, login.upper()) == user
    listed = await all_logins(api)
    assert login in listed


async def test_hundred_emoji_fit_a_hundred_character_column(api: Api) -> None:
    cid = await new_customer(api)
    user = await create_ok(api, cid, firstName="😀" * 100)
    assert user["firstName"] == "😀" * 100
    payload = await create(api, user_input(cid, firstName="😀" * 101))
    assert errors(payload) == [("TOO_LONG", ["input", "firstName"])]


@pytest.mark.parametrize(
    "variables",
    [
        {"firstName": 123},
        {"firstName": ["a"]},
        {"firstName": {"nested": "object"}},
        {"validity": "BOGUS"},
        {"validity": 1},
        {"unknownField": "y"},
        {"i": "not an object"},
        {"i": None},
        {},
    ],
)
async def test_wrong_variable_types_give_a_graphql_error(api: Api, variables: Any) -> None:
    cid = await new_customer(api)
    data = user_input(cid)
    if isinstance(variables, dict) and "i" not in variables and variables:
        variables = {"i": {**data, **variables}}
    response = await api.client.post(
        "/graphql",
        json={"query": CREATE, "variables": variables},
        headers={"Authorization": f"Bearer {api.admin_key}"},
    )
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.text
    body = response.json()
    assert body["errors"]
    assert all(e["message"] for e in body["errors"])
    assert (body.get("data") or None) is None
    assert await get(api, data["login"]) is None
    assert await rows_with_email(api, data["email"]) == 0


@pytest.mark.parametrize(
    "login",
    ["", " ", "%", "*", "no-such-" + "z" * 40, "x" * 1_000_000, "a\x00b", "\x00"],
    ids=lambda v: repr(v)[:20],
)
async def test_unknown_login_reads_as_null(api: Api, login: str) -> None:
    r = await api.gql(GET, {"l": login})
    assert r.status == 200
    assert "errors" not in r.body, r.body
    assert r.data["customerUser"] is None


@pytest.mark.parametrize("bad_login", ["a\x00b", "x" * 1_000_000], ids=["nul", "huge"])
async def test_hostile_login_in_update_is_not_found(api: Api, bad_login: str) -> None:
    r = await api.gql(UPDATE, {"i": {"login": bad_login, "city": "x"}})
    assert "errors" not in r.body, r.body
    assert errors(r.data["customerUserUpdate"]) == [("NOT_FOUND", ["input", "login"])]


@pytest.mark.parametrize("bad_login", ["a\x00b", "x" * 1_000_000], ids=["nul", "huge"])
async def test_hostile_login_in_set_password_is_not_found(api: Api, bad_login: str) -> None:
    r = await api.gql(SET_PASSWORD, {"i": {"login": bad_login, "password": "long-enough-1"}})
    assert "errors" not in r.body, r.body
    payload = r.data["customerUserSetPassword"]
    assert errors(payload) == [("NOT_FOUND", ["input", "login"])]
    assert payload["generatedPassword"] is None


@pytest.mark.parametrize(
    "node_id",
    [
        "",
        "!!!",
        "not base64 at all",
        "Q3VzdG9tZXJVc2Vy",  # "CustomerUser" without a key
        b64("CustomerUser:"),
        b64("Nope:abc"),
        b64("CustomerUser:" + "no-such-user-zz"),
        b64("CustomerUser:a\x00b"),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd:").decode(),
        "x" * 100_000,
    ],
    ids=lambda v: repr(v)[:30],
)
async def test_malformed_global_id_reads_as_null(api: Api, node_id: str) -> None:
    r = await api.gql(NODE, {"id": node_id})
    assert r.status == 200
    assert "errors" not in r.body, r.body
    assert r.data["node"] is None


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


# ---- listing ------------------------------------------------------------------------------


async def test_listing_pages_in_code_point_order_without_gaps(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    logins = [
        "alpha",
        "Alpha2",
        "ALPHA3",
        "beta",
        "Zulu",
        "zulu2",
        "_under",
        "0zero",
        "9nine",
        "ärger",
        "Ärger2",
        "zebra",
        "Émile",
        "émile2",
        "~tilde",
        "a-b",
        "a_b",
        "a.b",
        "aa",
        "AA2",
        "b",
        "B2",
        "カス",
        "😀smile",
        "mid",
    ]
    assert len(logins) == 25
    for login in logins:
        await create_ok(fresh, cid, login=login)

    seen: list[str] = []
    after: str | None = None
    pages = 0
    while True:
        conn = (await fresh.gql(LIST, {"first": 10, "after": after})).data["customerUsers"]
        pages += 1
        assert conn["totalCount"] == 25
        assert conn["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert [e["cursor"] for e in conn["edges"]][-1:] == [conn["pageInfo"]["endCursor"]]
        seen += [n["login"] for n in conn["nodes"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        assert len(conn["nodes"]) == 10
        after = conn["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    assert seen == sorted(logins)  # Python's str order is code point order


async def test_listing_is_stable_when_users_are_added_between_pages(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    for i in range(6):
        await create_ok(fresh, cid, login=f"user{i * 2}")  # user0 user2 ... user10
    first = (await fresh.gql(LIST, {"first": 3})).data["customerUsers"]
    assert [n["login"] for n in first["nodes"]] == ["user0", "user10", "user2"]
    await create_ok(fresh, cid, login="user1")  # sorts before the cursor
    await create_ok(fresh, cid, login="user9")  # sorts after it
    rest = (await fresh.gql(LIST, {"first": 100, "after": first["pageInfo"]["endCursor"]})).data[
        "customerUsers"
    ]
    assert [n["login"] for n in rest["nodes"]] == ["user4", "user6", "user8", "user9"]


async def test_total_count_counts_valid_users_by_default(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    for validity in ("VALID", "VALID", "VALID", "INVALID", "INVALID_TEMPORARILY"):
        await create_ok(fresh, cid, validity=validity)
    default = (await fresh.gql(LIST, {"first": 100})).data["customerUsers"]
    assert default["totalCount"] == 3
    assert {n["validity"] for n in default["nodes"]} == {"VALID"}
    assert len(default["nodes"]) == 3
    for valid in (False, None):
        everything = (await fresh.gql(LIST, {"first": 100, "valid": valid})).data["customerUsers"]
        assert everything["totalCount"] == 5
        assert len(everything["nodes"]) == 5
    only_valid = (await fresh.gql(LIST, {"first": 100, "valid": True})).data["customerUsers"]
    assert only_valid["totalCount"] == 3


async def test_listing_first_zero_and_max(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    await create_ok(fresh, cid)
    zero = (await fresh.gql(LIST, {"first": 0})).data["customerUsers"]
    assert zero["nodes"] == []
    assert zero["totalCount"] == 1
    assert zero["pageInfo"]["endCursor"] is None
    full = (await fresh.gql(LIST, {"first": 1000})).data["customerUsers"]
    assert len(full["nodes"]) == 1
    assert full["pageInfo"]["hasNextPage"] is False


async def test_listing_first_zero_still_says_more_follow(make_api: MakeApi) -> None:
    fresh = await make_api()
    cid = await new_customer(fresh)
    await create_ok(fresh, cid)
    zero = (await fresh.gql(LIST, {"first": 0})).data["customerUsers"]
    assert zero["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [1001, 10_000, 2**31 - 1, -1])
async def test_listing_first_out_of_range_is_bad_user_input(api: Api, first: int) -> None:
    r = await api.gql(LIST, {"first": first})
    assert_clean_failure(r)
    assert r.error_codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    "after",
    [
        "garbage",
        "!!!",
        "",
        b64("not json"),
        b64('{"k": [], "p": 1}'),
        b64('{"k": ["a"], "p": -1}'),
        b64('{"k": ["a", "b"], "p": 1}'),
        b64('{"k": [{"x": 1}], "p": 1}'),
        b64("[1, 2]"),
        "x" * 100_000,
    ],
    ids=lambda v: repr(v)[:30],
)
async def test_garbage_cursor_is_bad_user_input(api: Api, after: str) -> None:
    r = await api.gql(LIST, {"first": 5, "after": after})
    assert_clean_failure(r)
    assert r.error_codes == ["BAD_USER_INPUT"]


async def test_listing_cost_does_not_grow_with_the_page(make_api: MakeApi) -> None:
    fresh = await make_api()
    customers = [await new_customer(fresh) for _ in range(5)]
    expected: dict[str, str] = {}
    for i in range(50):
        cid = customers[i % 5]
        user = await create_ok(fresh, cid, login=f"n{i:02d}")
        expected[user["login"]] = f"Company {cid}"
    query = "query($n: Int!) { customerUsers(first: $n) { nodes { login customer { name } } } }"
    small = await fresh.gql(query, {"n": 5})
    large = await fresh.gql(query, {"n": 50})
    for r, n in ((small, 5), (large, 50)):
        nodes = r.data["customerUsers"]["nodes"]
        assert len(nodes) == n
        assert all(node["customer"]["name"] == expected[node["login"]] for node in nodes)
    assert small.statements > 0
    assert small.statements == large.statements, (small.statements, large.statements)

    audited = (
        "query($n: Int!) { customerUsers(first: $n) { totalCount nodes { login createdBy"
        " changedBy customer { name createdBy } } } }"
    )
    small = await fresh.gql(audited, {"n": 5})
    large = await fresh.gql(audited, {"n": 50})
    assert small.statements == large.statements, (small.statements, large.statements)


# ---- several backends ---------------------------------------------------------------------

SECOND_TABLE = """
CREATE TABLE customer_user_two (
    {id},
    login VARCHAR(191) NOT NULL, email VARCHAR(150) NOT NULL, customer_id VARCHAR(150) NOT NULL,
    pw VARCHAR(128), title VARCHAR(50), first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL, phone VARCHAR(150), fax VARCHAR(150), mobile VARCHAR(150),
    street VARCHAR(150), zip VARCHAR(200), city VARCHAR(200), country VARCHAR(200),
    comments VARCHAR(250), valid_id SMALLINT NOT NULL, create_time {time} NOT NULL,
    create_by INTEGER NOT NULL, change_time {time} NOT NULL, change_by INTEGER NOT NULL
)
"""


def seed_user(
    table: str, login: str, email: str, first_name: str, customer_id: str = "two-co"
) -> str:
    return (
        f"INSERT INTO {table} (login, email, customer_id, first_name, last_name, valid_id,"
        " create_time, create_by, change_time, change_by) VALUES"
        f" ('{login}', '{email}', '{customer_id}', '{first_name}', 'Seed', 1, '{SEED_TIME}', 1,"
        f" '{SEED_TIME}', 1)"
    )


async def two_backends(
    api: Api, make_api: MakeApi, seed: list[str] | None = None, **options: Any
) -> Api:
    """Two database backends (the second on ``customer_user_two``), each with ``options``."""
    id_column = {
        "postgresql": "id SERIAL PRIMARY KEY",
        "mariadb": "id INTEGER PRIMARY KEY AUTO_INCREMENT",
    }.get(api.kind, "id INTEGER PRIMARY KEY AUTOINCREMENT")
    company = (
        "INSERT INTO customer_company (customer_id, name, valid_id, create_time, create_by,"
        f" change_time, change_by) VALUES ('two-co', 'Two Co', 1, '{SEED_TIME}', 1,"
        f" '{SEED_TIME}', 1)"
    )
    # TIMESTAMP is OTOBO's DATE on PostgreSQL; MariaDB's TIMESTAMP sets itself on update.
    time_type = "DATETIME" if api.kind == "mariadb" else "TIMESTAMP"
    return await make_api(
        before_open=[SECOND_TABLE.format(id=id_column, time=time_type), company, *(seed or [])],
        customer_user={
            "backends": [
                {"name": "CustomerUser", **options},
                {"name": "CustomerUser1", "table": "customer_user_two", **options},
            ]
        },
    )


async def test_login_is_unique_across_backends(api: Api, make_api: MakeApi) -> None:
    # OTOBO §6.1 step 2 and D14.
    two = await two_backends(api, make_api)
    first = await create_ok(two, "two-co", login="Abc", source="CustomerUser1")
    assert first["source"] == "CustomerUser1"
    payload = await create(two, user_input("two-co", login="abc"))
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])]
    await create_ok(two, "two-co", login="XyZ")
    payload = await create(two, user_input("two-co", login="xyz", source="CustomerUser1"))
    assert errors(payload) == [("LOGIN_TAKEN", ["input", "login"])]
    assert (await get(two, "ABC"))["source"] == "CustomerUser1"  # type: ignore[index]
    assert (await get(two, "xyz"))["source"] == "CustomerUser"  # type: ignore[index]
    rows = await sql(two, "SELECT login FROM customer_user_two")
    assert [r[0] for r in rows] == ["Abc"]
    assert await all_logins(two) == ["Abc", "XyZ"]


async def test_update_and_rename_stay_in_the_users_backend(api: Api, make_api: MakeApi) -> None:
    two = await two_backends(api, make_api)
    await create_ok(two, "two-co", login="one", source="CustomerUser1")
    await create_ok(two, "two-co", login="other")
    payload = await update(two, "ONE", city="Graz")
    assert payload["customerUser"]["source"] == "CustomerUser1"
    assert payload["customerUser"]["city"] == "Graz"
    payload = await update(two, "one", newLogin="OTHER")
    assert [c for c, _ in errors(payload)] == ["LOGIN_TAKEN"]
    payload = await update(two, "one", newLogin="uno")
    assert payload["userErrors"] == []
    assert payload["customerUser"]["source"] == "CustomerUser1"
    rows = await sql(two, "SELECT login, city FROM customer_user_two")
    assert [tuple(r) for r in rows] == [("uno", "Graz")]
    rows = await sql(two, "SELECT login FROM customer_user")
    assert [r[0] for r in rows] == ["other"]


async def test_email_uniqueness_is_per_backend(api: Api, make_api: MakeApi) -> None:
    # OTOBO §6.3: the check looks only at the target backend.
    two = await two_backends(api, make_api)
    await create_ok(two, "two-co", email="same@acme.test")
    user = await create_ok(two, "two-co", email="same@acme.test", source="CustomerUser1")
    assert user["source"] == "CustomerUser1"
    payload = await create(
        two, user_input("two-co", email="SAME@acme.test", source="CustomerUser1")
    )
    assert errors(payload) == [("EMAIL_TAKEN", ["input", "email"])]


async def test_first_backend_wins_a_login_present_in_both(api: Api, make_api: MakeApi) -> None:
    # OTOBO D13: the same login in CustomerUser and CustomerUser1 (only possible by hand).
    two = await two_backends(
        api,
        make_api,
        [
            seed_user("customer_user", "dup", "dup1@acme.test", "First"),
            seed_user("customer_user_two", "dup", "dup2@acme.test", "Second"),
            seed_user("customer_user_two", "solo", "solo@acme.test", "Solo"),
        ],
    )
    user = await get(two, "dup")
    assert user is not None
    assert (user["source"], user["firstName"]) == ("CustomerUser", "First")
    conn = (await two.gql(LIST, {"first": 100})).data["customerUsers"]
    assert [n["login"] for n in conn["nodes"]] == ["dup", "solo"]


async def test_total_count_matches_the_listing_when_backends_share_a_login(
    api: Api, make_api: MakeApi
) -> None:
    two = await two_backends(
        api,
        make_api,
        [
            seed_user("customer_user", "dup", "dup1@acme.test", "First"),
            seed_user("customer_user_two", "dup", "dup2@acme.test", "Second"),
            seed_user("customer_user_two", "solo", "solo@acme.test", "Solo"),
        ],
    )
    conn = (await two.gql(LIST, {"first": 100})).data["customerUsers"]
    assert conn["totalCount"] == len(conn["nodes"]) == 2


async def test_a_customer_lists_a_shared_login_only_when_the_shown_user_is_its_own(
    api: Api, make_api: MakeApi
) -> None:
    """ "dup" is in both backends; the first backend's (customer one-co) is the user everyone
    sees, so two-co, the customer of the hidden second "dup", does not list it."""
    two = await two_backends(
        api,
        make_api,
        [
            seed_user("customer_user", "dup", "dup1@acme.test", "First", customer_id="one-co"),
            seed_user("customer_user_two", "dup", "dup2@acme.test", "Second"),
            seed_user("customer_user_two", "solo", "solo@acme.test", "Solo"),
        ],
    )
    members = """{ customer(customerId: "two-co") {
        customerUsers { totalCount nodes { login customerId } } } }"""
    listed = (await two.gql(members)).data["customer"]["customerUsers"]
    assert listed == {"totalCount": 1, "nodes": [{"login": "solo", "customerId": "two-co"}]}


TWO_SEARCH = """query($s: String!) { customerUsers(search: $s, first: 10) {
    totalCount limitReached nodes { login source } } }"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [([], (["dup", "solo"], 2, False)), (["zed"], (["dup", "solo"], 2, True))],
    ids=["at-the-limit", "past-it"],
)
async def test_a_login_in_two_backends_counts_once_toward_the_search_limit(
    api: Api, make_api: MakeApi, extra: list[str], expected: tuple[list[str], int, bool]
) -> None:
    seed = [
        seed_user("customer_user", "dup", "dup1@acme.test", "First"),
        seed_user("customer_user_two", "dup", "dup2@acme.test", "Second"),
        seed_user("customer_user_two", "solo", "solo@acme.test", "Solo"),
        *(seed_user("customer_user_two", login, f"{login}@acme.test", "X") for login in extra),
    ]
    two = await two_backends(api, make_api, seed, search_list_limit=2)
    conn = (await two.gql(TWO_SEARCH, {"s": "*"})).data["customerUsers"]
    assert [n["login"] for n in conn["nodes"]] == expected[0]
    assert conn["nodes"][0]["source"] == "CustomerUser"  # the earlier backend's "dup"
    assert (conn["totalCount"], conn["limitReached"]) == expected[1:]


# ---- lists of plain fields (completed in one loop by schema.flat_lists) ---------------------


async def test_a_list_of_plain_fields_reads_as_each_item_would(api: Api) -> None:
    """``nodes`` with only plain fields takes the one-loop path; ``edges { node }`` takes
    graphql-core's: aliases, ``__typename``, repeated fields and ``@include`` must agree."""
    cid = await new_customer(api)
    for _ in range(3):
        await create_ok(api, cid, title=None)
    fields = """__typename login first: firstName email title validity customerId
        again: login skipped: email @include(if: false) login"""
    query = f"""{{ a: customerUsers(customerIdExact: "{cid}") {{ nodes {{ {fields} }} }}
        b: customerUsers(customerIdExact: "{cid}") {{ edges {{ node {{ {fields} }} }} }} }}"""
    data = await api.data(query)
    nodes = data["a"]["nodes"]
    assert len(nodes) == 3
    assert nodes == [edge["node"] for edge in data["b"]["edges"]]
    first = nodes[0]
    assert list(first) == [
        "__typename", "login", "first", "email", "title", "validity", "customerId", "again"
    ]  # fmt: skip
    assert first["__typename"] == "CustomerUser"
    assert first["again"] == first["login"]
    assert first["title"] is None
    assert first["validity"] == "VALID"
    assert first["customerId"] == cid
