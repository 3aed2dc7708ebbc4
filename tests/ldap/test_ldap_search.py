"""Searching the LDAP backend through the GraphQL API, next to a database backend.

Runs on SQLite and PostgreSQL (the database backend comes first, ``Directory`` second). The
expected LDAP users come from the data set and the search grammar's reference matcher, so the
grammar (wildcards, prefix/suffix, ``+``/AND, OR, ``!``, phrases) is checked against what slapd
answers. Also: umlauts both ways, paging past the server's size limit, the list limit, RFC 4515
escaping (no injection), and the merge with the database backend (order, collisions, source).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks import assert_clean_200
from tests.conftest import Api
from tests.ldap.conftest import DB_BACKEND, MakeLdapApi
from tests.ldap.directory import BY_UID, PEOPLE, SIZE_LIMIT, Slapd
from tests.ldap.helpers import (
    DB,
    LDAP,
    SEARCH,
    USER,
    create_db_user,
    create_user,
    directory_logins,
    expected_logins,
    search_pages,
)

GRAMMAR_TERMS = [
    "Müller",
    "müller",
    "MÜLLER",
    "Jürgen+Müller",
    "jürgen AND schäfer",
    "Björn OR Clara",
    "Anna+Weber OR Greta+Koch",
    '"Jürgen Müller"',
    "ldap01*",
    "ldap0*5",
    "*üll*",
    "*ffman",
    "ldap1* + !Weber + !Koch",
    "Eva + !*@ldap.test",
    "ldap2*+*9",
    "!ldap",
]


@pytest.mark.parametrize("term", GRAMMAR_TERMS)
async def test_search_grammar_against_ldap(ldap_api: Api, term: str) -> None:
    expected = expected_logins(term)
    assert len(expected) < 200, "keep under the list limit: the comparison is exact"
    assert await directory_logins(ldap_api, search=term) == expected
    assert await directory_logins(ldap_api, search=term, valid=False) == expected_logins(
        term, valid_only=False
    )


async def test_umlauts_are_utf8_both_ways(ldap_api: Api) -> None:
    response = await ldap_api.gql(USER, {"l": "LDAP000"})
    assert response.data["customerUser"] == {
        "login": "ldap000",
        "source": LDAP,
        "firstName": "Jürgen",
        "lastName": "Müller",
        "email": "ldap000@ldap.test",
        "customerId": "acme",
        "validity": "VALID",
        "fullName": "Jürgen Müller",
        "displayName": '"Jürgen Müller" <ldap000@ldap.test>',
    }
    nodes, _ = await search_pages(ldap_api, search="Jürgen+Müller")
    assert {(n["firstName"], n["lastName"]) for n in nodes} == {("Jürgen", "Müller")}
    assert nodes


async def test_validity_comes_from_the_valid_filter(ldap_api: Api) -> None:
    assert BY_UID["ldap003"].locked
    assert await directory_logins(ldap_api, search="ldap003") == []
    nodes, _ = await search_pages(ldap_api, search="ldap003", valid=False)
    assert [(n["login"], n["validity"]) for n in nodes] == [("ldap003", "INVALID")]
    response = await ldap_api.gql(USER, {"l": "ldap003"})
    assert response.data["customerUser"]["validity"] == "INVALID"


async def test_paging_past_the_size_limit(ldap_api: Api) -> None:
    expected = expected_logins("ldap1*")
    assert len(expected) > SIZE_LIMIT
    nodes, first = await search_pages(ldap_api, page_size=30, search="ldap1*")
    assert [n["login"] for n in nodes] == expected
    assert (first["totalCount"], first["limitReached"]) == (len(expected), False)
    everyone = expected_logins("ldap1*", valid_only=False)
    assert await directory_logins(ldap_api, search="ldap1*", valid=False) == everyone


async def test_ordering_and_paging_by_last_name_descending(ldap_api: Api) -> None:
    order = {"field": "LAST_NAME", "direction": "DESC"}
    nodes, _ = await search_pages(ldap_api, page_size=25, search="ldap2*", orderBy=order)
    found = [(n["lastName"], n["login"]) for n in nodes]
    wanted = sorted(((BY_UID[u].sn, u) for u in expected_logins("ldap2*")), reverse=True)
    assert found == wanted


async def test_the_list_limit_cuts_a_search(
    ldap_api: Api, make_ldap_api: MakeLdapApi, slapd: Slapd
) -> None:
    nodes, first = await search_pages(ldap_api, page_size=90, search="ldap*")
    assert len(nodes) == 200  # the LDAP backend's default search_list_limit
    assert len({n["login"] for n in nodes}) == 200
    assert (first["totalCount"], first["limitReached"]) == (200, True)

    small = await make_ldap_api([DB_BACKEND, slapd.backend(search_list_limit=20)])
    nodes, first = await search_pages(small, page_size=7, search="ldap1*")
    assert len({n["login"] for n in nodes}) == 20
    assert set(n["login"] for n in nodes) <= set(expected_logins("ldap1*"))
    assert (first["totalCount"], first["limitReached"]) == (20, True)
    nodes, first = await search_pages(small, search="Müller+ldap0*")
    assert (len(nodes), first["limitReached"]) == (len(expected_logins("Müller+ldap0*")), False)


# ---- escaping: user text is only ever a value ------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"search": "*)(uid=*"}, []),
        ({"search": "x)(|(uid=*"}, []),
        ({"search": "*)(description=locked"}, []),
        ({"search": "Paren(Test)"}, ["paren.user"]),
        ({"search": "Back\\Slash"}, ["back.slash"]),
        ({"search": "Back\\5cSlash"}, []),  # no second unescaping
        ({"search": "Star*Name"}, ["star.user"]),  # * is the grammar's wildcard
        ({"search": "Star\\2aName"}, []),
        ({"customerIdExact": "we*rd(co)\\x"}, ["star.user"]),
        ({"customerIdExact": "we*"}, []),  # * is literal in an exact match
        ({"customerId": "we*"}, ["star.user"]),
        ({"customerId": "*)(uid=*"}, []),
        ({"login": "r.us"}, ["star.user"]),
        ({"login": "*)(uid=*"}, []),
        ({"email": "LDAP007@LDAP.TEST"}, ["ldap007"]),
        ({"email": "ldap00*@ldap.test"}, []),
        ({"email": "*"}, []),
    ],
)
async def test_escaping_leaves_no_way_to_inject(
    ldap_api: Api, arguments: dict[str, Any], expected: list[str]
) -> None:
    assert await directory_logins(ldap_api, **arguments) == expected


@pytest.mark.parametrize(
    "login", ["*", "ldap001\u0000", "ldap001\u0000*", "ldap001)(uid=*", "*)(|(uid=*", "\\2a"]
)
async def test_a_login_lookup_is_exact(ldap_api: Api, login: str) -> None:
    response = await ldap_api.gql(USER, {"l": login})
    assert_clean_200(response)
    assert response.data == {"customerUser": None}


async def test_nul_in_a_search_term_is_bad_input(ldap_api: Api) -> None:
    response = await ldap_api.gql(SEARCH, {"search": "ldap\u0000*", "first": 5})
    assert_clean_200(response)
    assert response.error_codes == ["BAD_USER_INPUT"]


# ---- several backends --------------------------------------------------------------------


async def test_merge_order_and_collisions(make_ldap_api: MakeLdapApi, slapd: Slapd) -> None:
    # A login in both backends: written while the database backend was the only one.
    db_only = await make_ldap_api([DB_BACKEND])
    await create_db_user(db_only, "ldap005", lastName="Shadow")
    await create_db_user(db_only, "ldap00b")
    url = db_only.storage.config.database.url
    db_first = await make_ldap_api([DB_BACKEND, slapd.backend()], url=url)
    nodes, first = await search_pages(db_first, page_size=4, search="ldap00*")
    merged = [(n["login"], n["source"]) for n in nodes]
    expected = sorted([*expected_logins("ldap00*"), "ldap00b"])
    assert [login for login, _ in merged] == expected  # one list, in code point order
    assert dict(merged)["ldap005"] == DB  # the earlier backend wins the login
    assert dict(merged)["ldap00b"] == DB
    assert {s for login, s in merged if login not in ("ldap005", "ldap00b")} == {LDAP}
    assert first["totalCount"] == len(expected)  # a login in two backends is listed once
    user = (await db_first.gql(USER, {"l": "LDAP005"})).data["customerUser"]
    assert (user["source"], user["lastName"]) == (DB, "Shadow")

    ldap_first = await make_ldap_api([slapd.backend(), DB_BACKEND], url=url)
    nodes, first = await search_pages(ldap_first, page_size=4, search="ldap00*")
    assert [n["login"] for n in nodes] == expected
    assert dict((n["login"], n["source"]) for n in nodes)["ldap005"] == LDAP
    assert first["totalCount"] == len(expected)
    taken = await create_user(ldap_first, "LDAP005")  # only in the directory
    assert [(e["field"], e["code"]) for e in taken["userErrors"]] == [
        (["input", "login"], "LOGIN_TAKEN")
    ]
    nodes, _ = await search_pages(ldap_first, search="ldap00*")
    sources = dict((n["login"], n["source"]) for n in nodes)
    assert (sources["ldap005"], sources["ldap00b"]) == (LDAP, DB)
    assert [n["login"] for n in nodes] == expected
    user = (await ldap_first.gql(USER, {"l": "ldap005"})).data["customerUser"]
    assert (user["source"], user["lastName"]) == (LDAP, BY_UID["ldap005"].sn)


async def test_a_plain_listing_stops_at_the_ldap_list_limit(
    ldap_api: Api, make_ldap_api: MakeLdapApi, slapd: Slapd
) -> None:
    nodes, first = await search_pages(ldap_api, page_size=150)
    listed = [n["login"] for n in nodes]
    from_directory = [login for login in listed if login in BY_UID]
    assert len(from_directory) == 200
    assert len(set(listed)) == len(listed)
    valid = {p.uid for p in PEOPLE if not p.locked}
    assert set(from_directory) <= valid
    assert first["limitReached"] is True  # the client learns the listing is incomplete
    # A limit above the directory's size lists every valid person, and says nothing was cut.
    roomy = await make_ldap_api([DB_BACKEND, slapd.backend(search_list_limit=len(PEOPLE) + 1)])
    nodes, first = await search_pages(roomy, page_size=150)
    assert {n["login"] for n in nodes if n["login"] in BY_UID} == valid
    assert first["limitReached"] is False
