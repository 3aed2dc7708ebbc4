"""Customers (OTOBO's customer_company) through GraphQL, on SQLite and PostgreSQL.

Covers create/read/update with every validation code, the customer-ID rename cascade
(OTOBO's UpdateCustomerID.t T119, plus the relation rows OTOBO leaves orphaned), the free-text
search grammar, pagination, the search list limit and hostile input.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sqlalchemy as sa

from datasources.db.customer_users import utcnow
from datasources.db.dialect import exactly
from datasources.db.tables import customer_company, customer_user_customer, group_customer
from tests.conftest import Api, GraphQLResponse, MakeApi, unique

FIELDS = (
    "id customerId name street zip city country url comment validity "
    "createdAt createdBy changedAt changedBy"
)
CREATE = (
    "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { "
    f"customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
)
UPDATE = (
    "mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { "
    f"customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
)
GET = f"query($c: String!) {{ customer(customerId: $c) {{ {FIELDS} }} }}"
SEARCH = (
    "query($s: String, $v: Boolean, $f: Int!, $a: String) { "
    "customers(search: $s, valid: $v, first: $f, after: $a) { "
    "nodes { customerId name validity } totalCount limitReached "
    "pageInfo { hasNextPage hasPreviousPage endCursor } } }"
)
USER_CREATE = (
    "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { "
    "customerUser { login customerId customer { customerId } } userErrors { field code } } }"
)
USER_GET = (
    "query($l: String!) { customerUser(login: $l) { login customerId customer { customerId } } }"
)


def assert_clean(response: GraphQLResponse) -> None:
    text = json.dumps(response.body)
    assert response.status < 500, response.body
    assert "Traceback" not in text
    assert ".py" not in text, text[:500]


async def create(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(CREATE, {"i": values})
    assert_clean(r)
    return r.data["customerCreate"]  # type: ignore[no-any-return]


async def create_ok(api: Api, **values: Any) -> dict[str, Any]:
    payload = await create(api, **values)
    assert payload["userErrors"] == [], payload
    assert payload["customer"] is not None
    return payload["customer"]  # type: ignore[no-any-return]


async def update(api: Api, **values: Any) -> dict[str, Any]:
    r = await api.gql(UPDATE, {"i": values})
    assert_clean(r)
    return r.data["customerUpdate"]  # type: ignore[no-any-return]


async def get(api: Api, customer_id: str) -> dict[str, Any] | None:
    return (await api.data(GET, {"c": customer_id}))["customer"]  # type: ignore[no-any-return]


async def search(
    api: Api,
    term: str | None,
    *,
    valid: bool | None = True,
    first: int = 100,
    after: str | None = None,
) -> dict[str, Any]:
    r = await api.gql(SEARCH, {"s": term, "v": valid, "f": first, "a": after})
    assert_clean(r)
    return r.data["customers"]  # type: ignore[no-any-return]


async def search_ids(api: Api, term: str, *, valid: bool | None = True) -> set[str]:
    return {n["customerId"] for n in (await search(api, term, valid=valid))["nodes"]}


def codes(payload: dict[str, Any]) -> list[tuple[tuple[str, ...] | None, str]]:
    return [(tuple(e["field"]) if e["field"] else None, e["code"]) for e in payload["userErrors"]]


# --- create and read ---------------------------------------------------------------------------


async def test_create_returns_every_field(api: Api) -> None:
    cid = unique("C")
    values = {
        "customerId": cid,
        "name": f"Acme {cid}",
        "street": "Some Street 1\nBuilding B",
        "zip": "12345",
        "city": "Berlin",
        "country": "Germany",
        "url": "https://acme.example.com",
        "comment": "a comment",
    }
    customer = await create_ok(api, **values)
    for key, value in values.items():
        assert customer[key] == value, key
    assert customer["validity"] == "VALID"
    assert customer["id"]
    assert customer["createdAt"] is not None
    assert customer["createdBy"]
    assert customer["createdBy"].startswith("admin-")
    assert customer["changedBy"] == customer["createdBy"]
    assert await get(api, cid) == customer


async def test_create_with_only_required_fields_leaves_the_rest_null(api: Api) -> None:
    cid = unique("C")
    customer = await create_ok(api, customerId=cid, name=f"N {cid}")
    for key in ("street", "zip", "city", "country", "url", "comment"):
        assert customer[key] is None, key


async def test_create_invalid_customer(api: Api) -> None:
    cid = unique("C")
    customer = await create_ok(api, customerId=cid, name=f"N {cid}", validity="INVALID")
    assert customer["validity"] == "INVALID"


async def test_lookup_is_case_insensitive(api: Api) -> None:
    cid = unique("MixedCase-")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    for variant in (cid, cid.lower(), cid.upper()):
        found = await get(api, variant)
        assert found is not None, variant
        assert found["customerId"] == cid  # stored spelling is kept


async def test_lookup_is_case_insensitive_beyond_ascii(api: Api) -> None:
    cid = unique("Ärger-Ü-")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    found = await get(api, cid.lower())
    assert found is not None
    assert found["customerId"] == cid


async def test_unknown_customer_is_null(api: Api) -> None:
    assert await get(api, unique("nope")) is None


async def test_node_round_trip(api: Api) -> None:
    cid = unique("C")
    created = await create_ok(api, customerId=cid, name=f"N {cid}", city="Graz")
    data = await api.data(
        "query($id: ID!) { node(id: $id) { __typename id "
        "... on Customer { customerId name city } } }",
        {"id": created["id"]},
    )
    assert data["node"] == {
        "__typename": "Customer",
        "id": created["id"],
        "customerId": cid,
        "name": f"N {cid}",
        "city": "Graz",
    }


@pytest.mark.parametrize("bogus", ["", "not-base64!!", "Q3VzdG9tZXI6", "Rm9vOmJhcg"])
async def test_node_with_bogus_id_is_null(api: Api, bogus: str) -> None:
    r = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": bogus})
    assert_clean(r)
    assert r.data["node"] is None


# --- create validation ------------------------------------------------------------------------


async def count_rows(api: Api, where: sa.ColumnElement[bool]) -> int:
    async with api.storage.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(customer_company).where(where)
        return int((await conn.execute(query)).scalar_one())


async def test_required_fields_reported_together(api: Api) -> None:
    payload = await create(api, street=unique("street"))
    assert payload["customer"] is None
    assert sorted(codes(payload)) == [
        (("input", "customerId"), "REQUIRED"),
        (("input", "name"), "REQUIRED"),
    ]


@pytest.mark.parametrize("blank", ["", "   ", None])
async def test_blank_required_fields(api: Api, blank: str | None) -> None:
    cid = unique("C")
    payload = await create(api, customerId=blank, name=f"N {cid}")
    assert codes(payload) == [(("input", "customerId"), "REQUIRED")]
    payload = await create(api, customerId=cid, name=blank)
    assert codes(payload) == [(("input", "name"), "REQUIRED")]
    assert await get(api, cid) is None


async def test_duplicate_customer_id_case_insensitive(api: Api) -> None:
    cid = unique("Dup-")
    await create_ok(api, customerId=cid, name=f"First {cid}")
    for variant in (cid, cid.upper(), cid.lower(), f"  {cid}  "):
        payload = await create(api, customerId=variant, name=f"Second {variant}")
        assert payload["customer"] is None
        assert codes(payload) == [(("input", "customerId"), "CUSTOMER_ID_TAKEN")], variant
    assert (await get(api, cid))["name"] == f"First {cid}"  # type: ignore[index]
    assert await count_rows(api, sa.func.lower(customer_company.c.customer_id) == cid.lower()) == 1


async def test_duplicate_name_case_insensitive(api: Api) -> None:
    name = unique("Same Name ")
    await create_ok(api, customerId=unique("C"), name=name)
    other = unique("C")
    for variant in (name, name.upper(), name.lower()):
        payload = await create(api, customerId=other, name=variant)
        assert payload["customer"] is None
        assert codes(payload) == [(("input", "name"), "NAME_TAKEN")], variant
    assert await get(api, other) is None


async def test_duplicate_id_and_name_reported_together(api: Api) -> None:
    cid, name = unique("C"), unique("Name ")
    await create_ok(api, customerId=cid, name=name)
    payload = await create(api, customerId=cid.upper(), name=name.upper())
    assert sorted(codes(payload)) == [
        (("input", "customerId"), "CUSTOMER_ID_TAKEN"),
        (("input", "name"), "NAME_TAKEN"),
    ]


async def test_length_limits(api: Api) -> None:
    base = unique("L")
    at_limit_id = base + "x" * (150 - len(base))
    at_limit_name = base + "n" * (191 - len(base))
    created = await create_ok(api, customerId=at_limit_id, name=at_limit_name)
    assert len(created["customerId"]) == 150
    assert len(created["name"]) == 191

    long_id = unique("L") + "x" * 150
    payload = await create(api, customerId=long_id, name=unique("n") + "y" * 200)
    assert payload["customer"] is None
    assert sorted(codes(payload)) == [
        (("input", "customerId"), "TOO_LONG"),
        (("input", "name"), "TOO_LONG"),
    ]
    assert await get(api, long_id) is None


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("street", 200),
        ("zip", 200),
        ("city", 200),
        ("country", 200),
        ("url", 200),
        ("comment", 250),
    ],
)
async def test_optional_field_length_limits(api: Api, field: str, limit: int) -> None:
    cid = unique("C")
    payload = await create(api, customerId=cid, name=f"N {cid}", **{field: "z" * (limit + 1)})
    assert codes(payload) == [(("input", field), "TOO_LONG")]
    assert await get(api, cid) is None
    customer = await create_ok(api, customerId=cid, name=f"N {cid}", **{field: "z" * limit})
    assert customer[field] == "z" * limit


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x7f", "\n", "\r", "\t"])
async def test_control_characters_in_single_line_fields(api: Api, bad: str) -> None:
    cid = unique("C")
    payload = await create(api, customerId=f"{cid}{bad}x", name=f"N{bad}{cid}", city=f"a{bad}b")
    assert payload["customer"] is None
    assert sorted(codes(payload)) == [
        (("input", "city"), "INVALID_CHARACTERS"),
        (("input", "customerId"), "INVALID_CHARACTERS"),
        (("input", "name"), "INVALID_CHARACTERS"),
    ]
    assert await count_rows(api, customer_company.c.customer_id.like(f"{cid}%")) == 0


async def test_multiline_fields_accept_newlines_but_not_nul(api: Api) -> None:
    cid = unique("C")
    payload = await create(api, customerId=cid, name=f"N {cid}", comment="a\x00b", street="x\x01")
    assert sorted(codes(payload)) == [
        (("input", "comment"), "INVALID_CHARACTERS"),
        (("input", "street"), "INVALID_CHARACTERS"),
    ]
    assert await get(api, cid) is None
    customer = await create_ok(
        api, customerId=cid, name=f"N {cid}", comment="line1\r\nline2\ttab", street="a\nb"
    )
    assert customer["comment"] == "line1\r\nline2\ttab"
    assert customer["street"] == "a\nb"


async def test_customer_id_and_name_are_trimmed(api: Api) -> None:
    cid = unique("C")
    customer = await create_ok(api, customerId=f"  {cid} ", name=f" N {cid}  ")
    assert customer["customerId"] == cid
    assert customer["name"] == f"N {cid}"


async def test_unicode_customer_round_trip(api: Api) -> None:
    cid = unique("カスタマー-ä-")
    customer = await create_ok(api, customerId=cid, name=f"Müller & Söhne 🚀 {cid}", city="Zürich")
    assert (await get(api, cid)) == customer


# --- update ------------------------------------------------------------------------------------


async def test_update_is_a_patch(api: Api) -> None:
    cid = unique("C")
    full = {
        "customerId": cid,
        "name": f"N {cid}",
        "street": "S",
        "zip": "Z",
        "city": "C",
        "country": "Co",
        "url": "U",
        "comment": "Cm",
    }
    before = await create_ok(api, **full)
    payload = await update(api, customerId=cid, city="Wien")
    assert payload["userErrors"] == []
    after = payload["customer"]
    assert after["city"] == "Wien"
    for key in ("customerId", "name", "street", "zip", "country", "url", "comment", "validity"):
        assert after[key] == before[key], key
    assert after["createdAt"] == before["createdAt"]
    assert await get(api, cid) == after


async def test_update_null_clears_optional_fields(api: Api) -> None:
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"N {cid}", street="S", url="U", comment="C")
    payload = await update(api, customerId=cid, street=None, url=None, comment="")
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert (customer["street"], customer["url"], customer["comment"]) == (None, None, None)
    assert customer["name"] == f"N {cid}"


@pytest.mark.parametrize("blank", [None, "", "  "])
async def test_update_cannot_clear_name(api: Api, blank: str | None) -> None:
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, name=blank, city="X")
    assert payload["customer"] is None
    assert codes(payload) == [(("input", "name"), "REQUIRED")]
    stored = await get(api, cid)
    assert stored is not None
    assert (stored["name"], stored["city"]) == (f"N {cid}", None)


async def test_update_validation_writes_nothing(api: Api) -> None:
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"N {cid}", city="Old")
    payload = await update(api, customerId=cid, city="New", country="x" * 201, zip="a\x00")
    assert sorted(codes(payload)) == [
        (("input", "country"), "TOO_LONG"),
        (("input", "zip"), "INVALID_CHARACTERS"),
    ]
    assert (await get(api, cid))["city"] == "Old"  # type: ignore[index]


async def test_update_finds_customer_case_insensitively(api: Api) -> None:
    cid = unique("Case-")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid.upper(), city="Linz")
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == cid
    assert payload["customer"]["city"] == "Linz"


async def test_update_name_to_taken_name(api: Api) -> None:
    taken = unique("Taken ")
    await create_ok(api, customerId=unique("C"), name=taken)
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, name=taken.upper(), city="X")
    assert codes(payload) == [(("input", "name"), "NAME_TAKEN")]
    stored = await get(api, cid)
    assert (stored["name"], stored["city"]) == (f"N {cid}", None)  # type: ignore[index]


async def test_update_keeping_own_name_in_other_case(api: Api) -> None:
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"name {cid}")
    payload = await update(api, customerId=cid, name=f"NAME {cid}")
    assert payload["userErrors"] == []
    assert payload["customer"]["name"] == f"NAME {cid}"


async def test_update_unknown_customer_is_not_found(api: Api) -> None:
    cid = unique("ghost")
    payload = await update(api, customerId=cid, city="X")
    assert payload["customer"] is None
    assert codes(payload) == [(("input", "customerId"), "NOT_FOUND")]
    payload = await update(api, customerId=cid, newCustomerId=unique("g"))
    assert codes(payload) == [(("input", "customerId"), "NOT_FOUND")]
    assert await get(api, cid) is None


@pytest.mark.parametrize("validity", ["INVALID", "INVALID_TEMPORARILY"])
async def test_validity_filters_listings(api: Api, validity: str) -> None:
    prefix = unique("val")
    keep, drop = f"{prefix}-keep", f"{prefix}-drop"
    await create_ok(api, customerId=keep, name=f"N {keep}")
    await create_ok(api, customerId=drop, name=f"N {drop}")
    assert await search_ids(api, prefix) == {keep, drop}

    payload = await update(api, customerId=drop, validity=validity)
    assert payload["userErrors"] == []
    assert payload["customer"]["validity"] == validity

    assert await search_ids(api, prefix, valid=True) == {keep}
    assert await search_ids(api, prefix, valid=False) == {keep, drop}
    assert await search_ids(api, prefix, valid=None) == {keep, drop}
    assert (await get(api, drop))["validity"] == validity  # type: ignore[index]

    payload = await update(api, customerId=drop, validity="VALID")
    assert payload["customer"]["validity"] == "VALID"
    assert await search_ids(api, prefix) == {keep, drop}


async def test_update_validity_null_is_required(api: Api) -> None:
    cid = unique("C")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, validity=None)
    assert codes(payload) == [(("input", "validity"), "REQUIRED")]
    assert (await get(api, cid))["validity"] == "VALID"  # type: ignore[index]


async def test_update_sets_changed_at(api: Api) -> None:
    cid = unique("C")
    before = await create_ok(api, customerId=cid, name=f"N {cid}")
    after = (await update(api, customerId=cid, city="X"))["customer"]
    assert after["changedAt"] >= before["changedAt"]
    assert after["createdAt"] == before["createdAt"]


# --- rename (customer ID change) -------------------------------------------------------------


RENAME_KEYS = ["1", "2", "3", "ä", "カス", "*"]


async def create_user(api: Api, login: str, customer_id: str) -> None:
    r = await api.gql(
        USER_CREATE,
        {
            "i": {
                "login": login,
                "firstName": "F",
                "lastName": "L",
                "email": f"{unique('m')}@acme.test",
                "customerId": customer_id,
                "password": "correct horse battery staple",
            }
        },
    )
    assert_clean(r)
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == [], payload


async def insert_relations(api: Api, customer_id: str, logins: list[str]) -> None:
    now = utcnow()
    audit = {"create_time": now, "create_by": 1, "change_time": now, "change_by": 1}
    async with api.storage.engine.begin() as conn:
        for login in logins:
            await conn.execute(
                sa.insert(customer_user_customer).values(
                    user_id=login, customer_id=customer_id, **audit
                )
            )
        for group_id in (1, 2):
            await conn.execute(
                sa.insert(group_customer).values(
                    customer_id=customer_id,
                    group_id=group_id,
                    permission_key="ro",
                    permission_value=1,
                    permission_context="Registered",
                    **audit,
                )
            )


async def relation_counts(api: Api, customer_id: str) -> tuple[int, int]:
    async with api.storage.engine.connect() as conn:
        counts = []
        for table in (customer_user_customer, group_customer):
            query = (
                sa.select(sa.func.count())
                .select_from(table)
                .where(exactly(table.c.customer_id) == customer_id)
            )
            counts.append(int((await conn.execute(query)).scalar_one()))
    return counts[0], counts[1]


async def user_customer_id(api: Api, login: str) -> tuple[str, str | None]:
    user = (await api.data(USER_GET, {"l": login}))["customerUser"]
    assert user is not None, login
    return user["customerId"], (user["customer"] or {}).get("customerId")


@pytest.mark.parametrize("key", RENAME_KEYS)
async def test_rename_repoints_users_and_relations(api: Api, key: str) -> None:
    """OTOBO's UpdateCustomerID.t (T119), plus the relation rows OTOBO orphans."""
    prefix = unique("rn")
    old = f"{prefix}{key}"
    new = f"new{old}"
    await create_ok(api, customerId=old, name=f"Name {old}", city="Bonn")
    logins = [f"{prefix}{key}-{user_key}" for user_key in RENAME_KEYS]
    for login in logins:
        await create_user(api, login, old)
    await insert_relations(api, old, logins[:3])
    # An unrelated customer whose users and relation rows must stay untouched.
    bystander = f"{prefix}-other"
    await create_ok(api, customerId=bystander, name=f"Name {bystander}")
    await create_user(api, f"{prefix}-bystander", bystander)
    await insert_relations(api, bystander, [f"{prefix}-bystander"])

    payload = await update(api, customerId=old, newCustomerId=new)
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == new
    assert payload["customer"]["name"] == f"Name {old}"
    assert payload["customer"]["city"] == "Bonn"

    assert await get(api, old) is None
    assert (await get(api, new))["name"] == f"Name {old}"  # type: ignore[index]
    for login in logins:
        assert await user_customer_id(api, login) == (new, new), login
    assert await relation_counts(api, old) == (0, 0)
    assert await relation_counts(api, new) == (3, 2)
    assert await user_customer_id(api, f"{prefix}-bystander") == (bystander, bystander)
    assert await relation_counts(api, bystander) == (1, 2)


async def test_rename_with_other_fields_in_one_update(api: Api) -> None:
    old = unique("rn")
    new = unique("rn")
    await create_ok(api, customerId=old, name=f"N {old}")
    payload = await update(api, customerId=old, newCustomerId=f"  {new} ", name=f"M {new}")
    assert payload["userErrors"] == []
    assert (payload["customer"]["customerId"], payload["customer"]["name"]) == (new, f"M {new}")


async def test_rename_case_only(api: Api) -> None:
    prefix = unique("case")
    old = f"{prefix}-abc"
    await create_ok(api, customerId=old, name=f"N {old}")
    await create_user(api, f"{prefix}-u", old)
    await insert_relations(api, old, [f"{prefix}-u"])
    payload = await update(api, customerId=old, newCustomerId=old.upper())
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == old.upper()
    assert await user_customer_id(api, f"{prefix}-u") == (old.upper(), old.upper())
    assert await relation_counts(api, old.upper()) == (1, 2)
    assert await relation_counts(api, old) == (0, 0)


async def test_rename_onto_existing_id_changes_nothing(api: Api) -> None:
    prefix = unique("rt")
    old, taken = f"{prefix}-old", f"{prefix}-taken"
    await create_ok(api, customerId=old, name=f"N {old}", city="Before")
    await create_ok(api, customerId=taken, name=f"N {taken}")
    await create_user(api, f"{prefix}-u", old)
    await insert_relations(api, old, [f"{prefix}-u"])
    for target in (taken, taken.upper()):
        payload = await update(api, customerId=old, newCustomerId=target, city="After")
        assert payload["customer"] is None
        assert codes(payload) == [(("input", "newCustomerId"), "CUSTOMER_ID_TAKEN")]
    stored = await get(api, old)
    assert stored is not None
    assert stored["city"] == "Before"
    assert (await get(api, taken))["name"] == f"N {taken}"  # type: ignore[index]
    assert await user_customer_id(api, f"{prefix}-u") == (old, old)
    assert await relation_counts(api, old) == (1, 2)
    assert await relation_counts(api, taken) == (0, 0)


@pytest.mark.parametrize(
    ("new_id", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("x" * 151, "TOO_LONG"),
        ("a\x00b", "INVALID_CHARACTERS"),
    ],
)
async def test_rename_to_bad_id(api: Api, new_id: str, code: str) -> None:
    cid = unique("rb")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, newCustomerId=new_id)
    assert payload["customer"] is None
    assert codes(payload) == [(("input", "newCustomerId"), code)]
    assert await get(api, cid) is not None


async def test_new_customer_id_null_does_not_rename(api: Api) -> None:
    cid = unique("rn")
    await create_ok(api, customerId=cid, name=f"N {cid}")
    payload = await update(api, customerId=cid, newCustomerId=None, city="X")
    assert payload["userErrors"] == []
    assert payload["customer"]["customerId"] == cid


# --- search -------------------------------------------------------------------------------------


@pytest.fixture
async def search_set(api: Api) -> dict[str, str]:
    """Customers sharing a unique marker ``p`` in ID and name."""
    p = unique("srch")
    rows = {
        "alpha": (f"{p}-alpha", f"Alpha Corp {p}"),
        "beta": (f"{p}-beta", f"Beta Ltd {p}"),
        "gamma": (f"{p}-gamma", f"Gamma Müller {p}"),
        "under": (f"{p}_x1", f"Under {p}"),
        "nounder": (f"{p}ax1", f"NoUnder {p}"),
        "pct": (f"{p}-pct", f"Rate 50% {p}"),
        "nopct": (f"{p}-nopct", f"Rate 500 {p}"),
    }
    for cid, name in rows.values():
        await create_ok(api, customerId=cid, name=name)
    return {"p": p, **{k: v[0] for k, v in rows.items()}}


async def test_search_substring_by_default(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    everyone = {v for k, v in s.items() if k != "p"}
    assert await search_ids(api, s["p"]) == everyone
    assert await search_ids(api, f"{s['p']}-al") == {s["alpha"]}
    assert await search_ids(api, f"ha Corp {s['p']}") == {s["alpha"]}  # a space does not split


async def test_search_wildcard(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    assert await search_ids(api, f"{s['p']}-*a") == {s["alpha"], s["beta"], s["gamma"]}
    assert await search_ids(api, f"{s['p']}-a*a") == {s["alpha"]}
    assert await search_ids(api, f"Gam*ler {s['p']}") == {s["gamma"]}


async def test_search_and(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    assert await search_ids(api, f"{s['p']}+alpha") == {s["alpha"]}
    assert await search_ids(api, f"{s['p']} AND beta") == {s["beta"]}
    assert await search_ids(api, f"{s['p']} + corp") == {s["alpha"]}
    assert await search_ids(api, f"{s['p']}+alpha+beta") == set()
    # Lowercase `and` is an ordinary word, so nothing contains it.
    assert await search_ids(api, f"{s['p']} and beta") == set()


async def test_search_or(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    assert await search_ids(api, f"{s['alpha']} OR {s['beta']}") == {s["alpha"], s["beta"]}
    # AND binds tighter than OR.
    term = f"{s['alpha']} OR {s['p']}+gamma"
    assert await search_ids(api, term) == {s["alpha"], s["gamma"]}


async def test_search_negation(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    everyone = {v for k, v in s.items() if k != "p"}
    assert await search_ids(api, f"{s['p']}+!alpha") == everyone - {s["alpha"]}
    assert await search_ids(api, f"{s['p']}+!rate+!under") == {s["alpha"], s["beta"], s["gamma"]}


async def test_search_is_case_insensitive(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    assert await search_ids(api, f"ALPHA CORP {s['p'].upper()}") == {s["alpha"]}
    assert await search_ids(api, f"{s['p'].upper()}-BETA") == {s["beta"]}
    assert await search_ids(api, f"MÜLLER {s['p']}") == {s["gamma"]}


async def test_search_percent_and_underscore_are_literal(
    api: Api, search_set: dict[str, str]
) -> None:
    s = search_set
    assert await search_ids(api, f"{s['p']}_x") == {s["under"]}
    assert await search_ids(api, f"50% {s['p']}") == {s["pct"]}
    assert await search_ids(api, f"{s['p']}+%") == {s["pct"]}


async def test_search_wildcard_only_lists_all(api: Api, search_set: dict[str, str]) -> None:
    s = search_set
    everyone = {v for k, v in s.items() if k != "p"}
    for term in ("*", "**", " * "):
        listed = await search(api, term, first=1000)
        assert everyone <= {n["customerId"] for n in listed["nodes"]}, term


async def test_search_no_match(api: Api, search_set: dict[str, str]) -> None:
    result = await search(api, f"{search_set['p']}-FALSE-Example*")
    assert result["nodes"] == []
    assert result["totalCount"] == 0
    assert result["limitReached"] is False


@pytest.mark.parametrize("term", ["", "   ", "+", "AND", "a\x00b", "x" * 1001])
async def test_search_bad_term_is_bad_user_input(api: Api, term: str) -> None:
    r = await api.gql(SEARCH, {"s": term, "v": True, "f": 10, "a": None})
    assert_clean(r)
    assert r.status == 200
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    assert r.body.get("data") is None


async def test_search_only_id_and_name_by_default(api: Api) -> None:
    p = unique("fld")
    cid = f"{p}-c"
    await create_ok(api, customerId=cid, name=f"N {cid}", city=f"City{p}x")
    assert await search_ids(api, f"City{p}") == set()
    assert await search_ids(api, cid) == {cid}


async def test_pagination_arguments_are_checked(api: Api) -> None:
    for variables in ({"f": -1, "a": None}, {"f": 1001, "a": None}, {"f": 1, "a": "garbage"}):
        r = await api.gql(SEARCH, {"s": None, "v": True, **variables})
        assert_clean(r)
        assert r.error_codes == ["BAD_USER_INPUT"], variables


# --- pagination and the list limit (fresh databases) -----------------------------------------


async def walk(
    api: Api, term: str | None, page_size: int
) -> tuple[list[str], list[dict[str, Any]]]:
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(50):
        page = await search(api, term, first=page_size, after=after)
        pages.append(page)
        ids.extend(n["customerId"] for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return ids, pages


async def test_pagination_chain_without_duplicates_or_gaps(make_api: MakeApi) -> None:
    fresh = await make_api()
    expected = sorted(["b-2", "B-1", "a", "Z", "ä", "カ", "a_1", "a-1", "a1"])
    for cid in expected:
        await create_ok(fresh, customerId=cid, name=f"Name {cid}")
    for size in (1, 2, 4, 100):
        ids, pages = await walk(fresh, None, size)
        assert ids == expected, size  # code point order, each exactly once
        assert pages[0]["pageInfo"]["hasPreviousPage"] is False
        assert all(p["pageInfo"]["hasPreviousPage"] for p in pages[1:])
        assert all(p["totalCount"] == len(expected) for p in pages)
        assert all(p["limitReached"] is False for p in pages)
    assert (await walk(fresh, "*", 3))[0] == expected
    assert (await search(fresh, None, first=0))["nodes"] == []


async def test_search_list_limit(make_api: MakeApi) -> None:
    fresh = await make_api(customer_company={"search_list_limit": 3})
    for i in range(5):
        await create_ok(fresh, customerId=f"lim-{i}", name=f"Limited {i}")
    await create_ok(fresh, customerId="other", name="Other")

    for size in (1, 2, 3, 10):
        ids, pages = await walk(fresh, "lim", size)
        assert ids == ["lim-0", "lim-1", "lim-2"], size
        assert all(p["limitReached"] is True for p in pages)
        assert all(p["totalCount"] == 3 for p in pages)
        assert pages[-1]["pageInfo"]["hasNextPage"] is False

    ids, pages = await walk(fresh, "*", 2)
    assert len(ids) == 3
    assert pages[0]["limitReached"] is True

    ids, pages = await walk(fresh, None, 2)
    assert ids == ["lim-0", "lim-1", "lim-2", "lim-3", "lim-4", "other"]
    assert all(p["limitReached"] is False for p in pages)
    assert all(p["totalCount"] == 6 for p in pages)

    exactly = await search(fresh, "lim-1 OR lim-2 OR other")
    assert [n["customerId"] for n in exactly["nodes"]] == ["lim-1", "lim-2", "other"]
    assert exactly["limitReached"] is False
    assert exactly["totalCount"] == 3


# --- hostile input ------------------------------------------------------------------------------


async def test_one_megabyte_name_is_too_long(api: Api) -> None:
    cid = unique("big")
    r = await api.gql(CREATE, {"i": {"customerId": cid, "name": "N" * (1024 * 1024)}})
    assert r.status == 200
    assert_clean(r)
    assert codes(r.data["customerCreate"]) == [(("input", "name"), "TOO_LONG")]
    assert await get(api, cid) is None
    r = await api.gql(CREATE, {"i": {"customerId": "C" * (1024 * 1024), "name": cid}})
    assert_clean(r)
    assert codes(r.data["customerCreate"]) == [(("input", "customerId"), "TOO_LONG")]


@pytest.mark.parametrize(
    "hostile",
    [
        "'; DROP TABLE customer_company; --",
        'Robert"); DELETE FROM customer_user; --',
        "x' OR '1'='1",
        "\\' OR 1=1 /*",
        "%_[]*?\\",
    ],
)
async def test_sql_metacharacters_are_stored_literally(api: Api, hostile: str) -> None:
    p = unique("sql")
    cid = f"{p}{hostile}"
    created = await create_ok(api, customerId=cid, name=f"{hostile} {p}", city=hostile)
    assert (created["customerId"], created["city"]) == (cid, hostile)
    assert await get(api, cid) == created
    assert await get(api, cid.upper()) == created
    assert await search_ids(api, cid) == {cid}
    assert await search_ids(api, f"{p}+{hostile}", valid=False) <= {cid}
    updated = await update(api, customerId=cid, comment=hostile)
    assert updated["customer"]["comment"] == hostile
    # The tables are all still there.
    assert await count_rows(api, customer_company.c.customer_id == cid) == 1


def assert_no_unexpected_error(r: GraphQLResponse) -> None:
    assert_clean(r)
    assert all(e["message"] != "Unexpected error." for e in r.errors), r.body


async def test_lookup_with_nul_finds_nothing(api: Api) -> None:
    r = await api.gql(GET, {"c": "a\x00b"})
    assert_no_unexpected_error(r)
    assert r.data["customer"] is None


async def test_node_with_nul_in_key_is_null(api: Api) -> None:
    node_id = base64.urlsafe_b64encode(b"Customer:a\x00b").decode().rstrip("=")
    r = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
    assert_no_unexpected_error(r)
    assert r.data["node"] is None


async def test_update_with_nul_in_customer_id_is_not_found(api: Api) -> None:
    r = await api.gql(UPDATE, {"i": {"customerId": "a\x00b", "city": "x"}})
    assert_no_unexpected_error(r)
    assert codes(r.data["customerUpdate"]) == [(("input", "customerId"), "NOT_FOUND")]


async def test_forged_cursor_with_nul_is_not_a_server_error(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(b'{"k":["a\\u0000b"],"p":1}').decode().rstrip("=")
    r = await api.gql(SEARCH, {"s": None, "v": True, "f": 5, "a": cursor})
    assert_no_unexpected_error(r)
    assert r.error_codes in ([], ["BAD_USER_INPUT"]), r.body


@pytest.mark.parametrize(
    "payload",
    [
        {"k": [5], "p": 1},
        {"k": [None], "p": 1},
        {"k": ["x"], "p": 10**12},
        {"k": ["x", "y"], "p": 1},
    ],
)
async def test_forged_cursors_are_harmless(api: Api, payload: dict[str, Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    for term in (None, "*"):
        r = await api.gql(SEARCH, {"s": term, "v": True, "f": 5, "a": cursor})
        assert_no_unexpected_error(r)
        assert r.error_codes in ([], ["BAD_USER_INPUT"]), r.body


async def test_rename_is_atomic_when_a_relation_update_fails(make_api: MakeApi) -> None:
    """A failure half-way through the cascade rolls everything back and leaks nothing."""
    fresh = await make_api()
    await create_ok(fresh, customerId="old", name="Old Inc")
    await create_user(fresh, "atomic-user", "old")
    await insert_relations(fresh, "old", ["atomic-user"])
    async with fresh.storage.engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE group_customer RENAME TO group_customer_gone"))
    r = await fresh.gql(UPDATE, {"i": {"customerId": "old", "newCustomerId": "new", "city": "X"}})
    assert_clean(r)
    assert r.errors, r.body
    assert r.errors[0]["message"] == "Unexpected error."
    text = json.dumps(r.body).lower()
    for leak in ("group_customer", "update ", "sqlalchemy", "asyncpg", "sqlite", "no such table"):
        assert leak not in text, leak
    stored = await get(fresh, "old")
    assert stored is not None
    assert stored["city"] is None
    assert await get(fresh, "new") is None
    assert await user_customer_id(fresh, "atomic-user") == ("old", "old")
    async with fresh.storage.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(customer_user_customer)
        rows = await conn.execute(query.where(customer_user_customer.c.customer_id == "old"))
        assert rows.scalar_one() == 1
