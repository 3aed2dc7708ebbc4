"""Customer-user passwords through the GraphQL API: generated when not given (shown once),
hashed and never returned, refused when too short or too long, replaced by
customerUserSetPassword.

Runs on SQLite, PostgreSQL and MariaDB. The hashes are read with SQL to check what was stored; the
suite hashes with bcrypt cost 4 (``tests/conftest.py``).
"""

from __future__ import annotations

import json

import pytest

from domain.passwords import verify_password
from tests.api.customer_users_helpers import (
    CREATE,
    GET,
    SET_PASSWORD,
    USER_FIELDS,
    create,
    create_ok,
    get,
    rows_with_email,
    set_password,
    stored_hash,
    ts,
)
from tests.checks import errors
from tests.conftest import Api, MakeApi, clock_tick, unique
from tests.factories import new_customer, user_input

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


TEN_MB = 10 * 1024 * 1024


async def test_a_password_of_ten_megabytes_is_refused_before_anything_is_hashed(
    api: Api, make_api: MakeApi
) -> None:
    """Under the default body limit (4 MB) the request is turned away as a whole, typed; with
    a limit that lets it through, the password is TOO_LONG. Either way nothing is written and
    the stored hash stays."""
    cid = await new_customer(api)
    user = await create_ok(api, cid, password="first-password")
    before = await stored_hash(api, user["login"])
    given = {"login": user["login"], "password": "p" * TEN_MB}
    r = await api.post({"query": SET_PASSWORD, "variables": {"i": given}})
    assert (r.status, r.error_codes) == (413, ["PAYLOAD_TOO_LARGE"])
    roomy = await make_api(server={"max_body_bytes": 2 * TEN_MB})
    roomy_cid = await new_customer(roomy)
    roomy_user = await create_ok(roomy, roomy_cid, password="first-password")
    given["login"] = roomy_user["login"]
    r = await roomy.post({"query": SET_PASSWORD, "variables": {"i": given}})
    assert errors(r.data["customerUserSetPassword"]) == [("TOO_LONG", ["input", "password"])]
    assert await stored_hash(api, user["login"]) == before
    assert verify_password(await stored_hash(roomy, roomy_user["login"]), "first-password")
