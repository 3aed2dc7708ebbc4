"""customers search through GraphQL: the free-text grammar (substring, wildcard, AND, OR,
negation, literal ``%`` and ``_``), bad terms, pagination without gaps and the search list limit.

Runs on SQLite and PostgreSQL; the tests that compare whole listings run on a fresh database.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.customers_helpers import SEARCH, create_ok, search, search_ids
from tests.checks import assert_clean
from tests.conftest import Api, MakeApi, unique

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
