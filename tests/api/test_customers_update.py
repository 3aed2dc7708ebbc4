"""customerUpdate through GraphQL: a patch, required and taken names, validity (and the
listings it filters), changedAt.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from tests.api.customers_helpers import create_ok, every_field, get, search_ids, update
from tests.checks import codes
from tests.conftest import Api, unique

# --- update ------------------------------------------------------------------------------------


async def test_update_is_a_patch(api: Api) -> None:
    cid = unique("C")
    before = await create_ok(api, **every_field(cid))
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
