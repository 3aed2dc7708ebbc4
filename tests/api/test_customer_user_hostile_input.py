"""Hostile input to the customer-user API: over-long and control-character values, SQL
metacharacters, Unicode, wrong variable types, malformed logins and global IDs. Every one is
refused cleanly (a typed user error or a GraphQL error, never a 500) or stored literally.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.customer_users_helpers import (
    CREATE,
    GET,
    NODE,
    SET_PASSWORD,
    UPDATE,
    all_logins,
    create,
    create_ok,
    create_refused,
    get,
    rows_with_email,
    update,
)
from tests.checks import b64, errors
from tests.conftest import Api, unique
from tests.factories import new_customer, user_input

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
    payload = await create_refused(api, data)
    assert errors(payload) == [("TOO_LONG", ["input", "login"])]
    assert "at most 100 fit" in payload["userErrors"][0]["message"]


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


async def created_as_sent(api: Api, login: str, values: dict[str, str]) -> dict[str, Any]:
    """A new user (of a new customer) with ``login`` and ``values``, after checking that each
    comes back exactly as sent, from the create and from a read."""
    cid = await new_customer(api)
    user = await create_ok(api, cid, login=login, **values)
    for name, value in values.items():
        assert user[name] == value, name
    assert user["login"] == login
    assert await get(api, login) == user
    return user


async def test_sql_metacharacters_are_stored_literally(api: Api) -> None:
    login = f"o'brien_%{unique('')}"
    values = {
        "firstName": "'; DROP TABLE customer_user; --",
        "lastName": "%",
        "comment": "_",
        "city": "\\'\"; SELECT 1",
        "street": "100% _real_ [street]",
        "email": f"o'brien%{unique('')}@acme.test",
    }
    await created_as_sent(api, login, values)
    # patterns are not patterns: nothing else is found through them
    assert await get(api, login.replace("_", "X")) is None
    assert await get(api, login[:-1] + "%") is None
    # and the table is still there
    assert login in await all_logins(api)


async def test_unicode_round_trips(api: Api) -> None:
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
    user = await created_as_sent(api, login, values)
    assert user["fullName"] == "Frau Dr. Jürgen-Ærøskøbing 山田 太郎 🎉"
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


async def assert_reads_as_null(api: Api, query: str, variables: dict[str, str], field: str) -> None:
    """``query`` answers ``field`` with null and no error at all."""
    r = await api.gql(query, variables)
    assert r.status == 200
    assert "errors" not in r.body, r.body
    assert r.data[field] is None


@pytest.mark.parametrize(
    "login",
    ["", " ", "%", "*", "no-such-" + "z" * 40, "x" * 1_000_000, "a\x00b", "\x00"],
    ids=lambda v: repr(v)[:20],
)
async def test_unknown_login_reads_as_null(api: Api, login: str) -> None:
    await assert_reads_as_null(api, GET, {"l": login}, "customerUser")


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
    await assert_reads_as_null(api, NODE, {"id": node_id}, "node")
