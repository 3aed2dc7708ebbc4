"""Creating and reading customers (OTOBO's customer_company) through GraphQL: every field,
case-insensitive lookups, global IDs, and every validation code of a create.

Runs on SQLite and PostgreSQL. The ``test_customers_*`` modules share ``customers_helpers.py``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from datasources.db.tables import customer_company
from tests.api.customers_helpers import count_rows, create, create_ok, every_field, get
from tests.checks import assert_clean, codes
from tests.conftest import Api, unique

# --- create and read ---------------------------------------------------------------------------


async def test_create_returns_every_field(api: Api) -> None:
    cid = unique("C")
    values = every_field(cid)
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
