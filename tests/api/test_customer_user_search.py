"""customerUsers search through the GraphQL API: OTOBO's grammar, the search modes, limits,
ordering and paging.

Every test runs on SQLite and on PostgreSQL (through the ``api`` fixture). Tests that compare
exact result sets run on a database of their own: the module-wide ``world`` (a fixed set of
users, only read) or a fresh ``make_api`` app (tests that write, or need another backend
configuration). All data is created through the API.

Cases taken from OTOBO's own tests are tagged with their catalogue id from
``/work/shared/reference/otobo-customer-user.md`` §10 (``# OTOBO T..``); cases derived from the
code are tagged ``# D.. (derived)`` (§10.15), and the remaining ones name the reference section
(§3.x) or the documented Roster rule they check.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import (
    Api,
    Databases,
    GraphQLResponse,
    MakeApi,
    base_config,
    clock_tick,
    open_api,
)
from tests.factories import new_customer

# ---- queries ------------------------------------------------------------------------------

SEARCH = """
query(
  $search: String, $login: String, $email: String, $customerId: String,
  $customerIdExact: String, $valid: Boolean, $orderBy: CustomerUserOrder,
  $first: Int!, $after: String
) {
  customerUsers(
    search: $search, login: $login, email: $email, customerId: $customerId,
    customerIdExact: $customerIdExact, valid: $valid, orderBy: $orderBy,
    first: $first, after: $after
  ) {
    totalCount
    limitReached
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { login } }
    nodes {
      login title firstName lastName email customerId validity fullName displayName
    }
  }
}
"""
USER_UPDATE = (
    "mutation($i: CustomerUserUpdateInput!) { customerUserUpdate(input: $i) {"
    " customerUser { login changedAt } userErrors { field code message } } }"
)

# ---- helpers ------------------------------------------------------------------------------


async def new_user(
    api: Api,
    login: str,
    first: str,
    last: str,
    customer_id: str,
    email: str | None = None,
    **extra: Any,
) -> None:
    """One user of the search world, named as the expectations spell it."""
    email = email or f"{login}@acme.test"
    await factories.new_user(
        api, customer_id, login, firstName=first, lastName=last, email=email, **extra
    )


async def update_user(api: Api, login: str, **changes: Any) -> None:
    r = await api.gql(USER_UPDATE, {"i": {"login": login, **changes}})
    assert r.data["customerUserUpdate"]["userErrors"] == [], r.body


async def run(api: Api, **arguments: Any) -> GraphQLResponse:
    """customerUsers with exactly the given arguments (an omitted one keeps its default)."""
    variables = {"first": 1000, **arguments}
    return await api.gql(SEARCH, variables)


async def connection(api: Api, **arguments: Any) -> dict[str, Any]:
    return (await run(api, **arguments)).data["customerUsers"]  # type: ignore[no-any-return]


async def logins(api: Api, **arguments: Any) -> list[str]:
    """The logins of a one-page result, in the order the server gave them."""
    conn = await connection(api, **arguments)
    assert conn["pageInfo"]["hasNextPage"] is False, conn["pageInfo"]
    found = [n["login"] for n in conn["nodes"]]
    assert conn["totalCount"] == len(found), (conn["totalCount"], found)
    return found


async def found(api: Api, **arguments: Any) -> set[str]:
    """The logins found, after checking they come in the default order (login, code point)."""
    result = await logins(api, **arguments)
    assert result == sorted(result), result
    assert len(result) == len(set(result)), result
    return set(result)


async def all_pages(api: Api, first: int, **arguments: Any) -> list[dict[str, Any]]:
    """Every page of a result, following endCursor."""
    pages: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        args = {**arguments, "first": first}
        if after is not None:
            args["after"] = after
        conn = await connection(api, **args)
        pages.append(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            return pages
        assert len(pages) < 100, "paging does not end"
        after = conn["pageInfo"]["endCursor"]


def page_logins(pages: list[dict[str, Any]]) -> list[str]:
    return [n["login"] for page in pages for n in page["nodes"]]


def assert_bad_user_input(r: GraphQLResponse, argument: str) -> None:
    """A refused request: one top-level BAD_USER_INPUT error naming the argument, no 500."""
    assert r.status in (200, 400), (r.status, r.body)
    text = json.dumps(r.body)
    assert "Traceback" not in text, text[:2000]
    assert r.error_codes == ["BAD_USER_INPUT"], r.body
    error = r.errors[0]
    message = error["message"]
    assert message, error
    assert len(message) < 500, message
    named = error.get("extensions", {}).get("argument") == argument or argument in message
    assert named, error  # the error says which argument is wrong
    assert (r.body.get("data") or {}).get("customerUsers") is None, r.body


def assert_clean_ok(r: GraphQLResponse) -> list[str]:
    """An accepted request: no error at all; returns the logins found."""
    assert r.status == 200, (r.status, r.body)
    assert "Traceback" not in json.dumps(r.body)
    return [n["login"] for n in r.data["customerUsers"]["nodes"]]


# ---- the shared, read-only data set -------------------------------------------------------

# login, first name, last name, customer ID, e-mail, validity (default VALID)
WORLD_USERS: list[tuple[str, str, str, str, str, str]] = [
    ("john", "John", "Doe", "acme", "john.doe@acme.test", "VALID"),
    ("bjohnson", "Bob", "Johnson", "acme-1", "bob.johnson@acme.test", "VALID"),
    ("bjorn", "Bjorn", "Berg", "acme-1", "bjorn@acme.test", "VALID"),
    ("jo.kuhn", "Jonas", "Kuhn", "globex", "jonas@globex.test", "VALID"),
    ("jhahn", "Joanna", "Hahn", "globex", "joanna@globex.test", "VALID"),
    ("mann", "Mary Ann", "Rock and Roll", "globex", "mary@globex.test", "VALID"),
    ("betty", "Betty", "Black or White", "globex", "betty@globex.test", "VALID"),
    ("psmith", "Paul", "Smith&Sons(UK)|Ltd", "initech", "paul@initech.test", "VALID"),
    ("percy", "Percy", "Sale50%", "initech", "percy@initech.test", "VALID"),
    ("olga", "Olga", "Sale500", "initech", "olga@initech.test", "VALID"),
    ("uma", "Uma", "Under_Score", "initech", "uma@initech.test", "VALID"),
    ("ulf", "Ulf", "UnderXScore", "initech", "ulf@initech.test", "VALID"),
    ("mueller", "Jürgen", "Müller", "globex", "juergen@globex.test", "VALID"),
    ("kim", "Kim", "Lee", "initech", "quokka@initech.test", "VALID"),
    ("bslash", "Bea", "Back\\Slash", "initech", "bea@initech.test", "VALID"),
    ("quincy", "Quincy", 'Quote"John', "initech", "quincy@initech.test", "VALID"),
    ("wanda", "Wanda", "Star", "wild*card", "wanda@initech.test", "VALID"),
    ("walt", "Walt", "Nostar", "wildXcard", "walt@initech.test", "VALID"),
    ("ivan", "Ivan", "Invalid", "acme", "ivan@acme.test", "INVALID"),
    ("tina", "Tina", "Temporary", "acme", "tina@acme.test", "INVALID_TEMPORARILY"),
]
WORLD_CUSTOMERS = ["acme", "acme-1", "globex", "initech", "wild*card", "wildXcard"]
# A user with a title: the title is a name field (fullName) but not a list field.
TITLED = ("tdoc", "Dr.", "Theo", "Doc", "initech", "theo@initech.test")

INVALID_USERS = {"ivan", "tina"}
VALID_USERS = {u[0] for u in WORLD_USERS if u[0] not in INVALID_USERS} | {TITLED[0]}
ALL_USERS = VALID_USERS | INVALID_USERS


async def populate_world(api: Api) -> None:
    for customer_id in WORLD_CUSTOMERS:
        await new_customer(api, customer_id)
    for login, first, last, customer_id, email, validity in WORLD_USERS:
        await new_user(api, login, first, last, customer_id, email, validity=validity)
    login, title, first, last, customer_id, email = TITLED
    await new_user(api, login, first, last, customer_id, email, title=title)


@pytest.fixture(scope="module")
async def world(api: Api, databases: Databases) -> AsyncIterator[Api]:
    """An app on a database of its own (same kind as ``api``) holding only the WORLD users.

    Tests must not write to it.
    """
    url = await databases.create(api.kind)
    async with open_api(api.kind, base_config(url)) as fresh:
        await populate_world(fresh)
        yield fresh


def test_world_data_is_what_the_expectations_assume() -> None:
    assert len(VALID_USERS) == 19
    assert len(ALL_USERS) == 21


# ---- free text: the grammar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # OTOBO T25 / §3.2: a word is a substring match over the search fields by default
        # (login john, first name John, last names Johnson and Quote"John).
        ("john", {"john", "bjohnson", "quincy"}),
        # OTOBO T30: explicit wildcards at the ends change nothing.
        ("john*", {"john", "bjohnson", "quincy"}),
        ("*john", {"john", "bjohnson", "quincy"}),
        ("*john*", {"john", "bjohnson", "quincy"}),
        # OTOBO T31: case-insensitive by default.
        ("JOHN", {"john", "bjohnson", "quincy"}),
        ("*JoHn*", {"john", "bjohnson", "quincy"}),
        # §3.2 `jo*hn`: the wildcard inside a word, within ONE field (jhahn has "Joanna" and
        # "Hahn" in two different fields, so she is not found).
        ("jo*hn", {"john", "bjohnson", "jo.kuhn", "quincy"}),
        # D2 (derived): a space does not split words: `John Doe` is one term, per column.
        ("John Doe", set()),
        ("john  doe", set()),
        # ... and a phrase in one field is found as typed (runs of whitespace collapse,
        # a tab counts as a space).
        ("mary ann", {"mann"}),
        ("Mary   Ann", {"mann"}),
        ("mary\tann", {"mann"}),
        # D3 (derived): `+` and `AND` combine words with AND.
        ("John+Doe", {"john"}),
        ("John AND Doe", {"john"}),
        ("john + doe", {"john"}),
        # §3.2 leading, trailing and repeated operators are dropped: `a+` is `a`.
        ("doe+", {"john"}),
        ("+doe", {"john"}),
        ("john++doe", {"john"}),
        # D4 (derived): OR.
        ("John OR Nobody", {"john", "bjohnson", "quincy"}),
        ("doe OR hahn", {"john", "jhahn"}),
        # AND binds tighter than OR (the documented precedence).
        ("kuhn OR john + doe", {"jo.kuhn", "john"}),
        # D5 (derived): a quoted word is the same as the bare word.
        ('"John"', {"john", "bjohnson", "quincy"}),
        # §3.2 `"john doe"` is one term, as without quotes.
        ('"mary ann"', {"mann"}),
        ('"John Doe"', set()),
        # Operators inside a phrase are literal.
        ('"rock and roll"', {"mann"}),
        ('"Rock AND Roll"', {"mann"}),
        # A phrase glued to text is concatenated (`ma"ry a"nn` is `mary ann`).
        ('ma"ry a"nn', {"mann"}),
        # §3.1: the front trims the term.
        ("  john  ", {"john", "bjohnson", "quincy"}),
    ],
)
async def test_free_text_grammar(world: Api, term: str, expected: set[str]) -> None:
    assert await found(world, search=term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # OTOBO T27-like §3.2 `!john`: no search field may match.
        ("!doe", VALID_USERS - {"john"}),
        ("!DOE", VALID_USERS - {"john"}),
        # §3.2 `john+!doe`
        ("john+!doe", {"bjohnson", "quincy"}),
        ("john AND !doe", {"bjohnson", "quincy"}),
        # OTOBO's frontend puts * in front of words: `*!john` is also a negated word.
        ("*!doe", VALID_USERS - {"john"}),
        # Repeated `!` and whitespace after it change nothing.
        ("!!doe", VALID_USERS - {"john"}),
        ("! doe", VALID_USERS - {"john"}),
        # A negation over several fields: Joanna (first name) and jo.kuhn (login) both go.
        ("j*+!jo", {"mueller"}),
        # Negating a word nobody has excludes nobody.
        ("!zzzz", VALID_USERS),
    ],
)
async def test_negation(world: Api, term: str, expected: set[str]) -> None:
    assert await found(world, search=term) == expected


async def test_otobo_t26_to_t29_and_with_negation(world: Api) -> None:
    # OTOBO T26: login + a word of the first name (AND of two terms).
    assert await found(world, search="bjohnson+bob") == {"bjohnson"}
    # OTOBO T27: ... and the same word negated finds nothing.
    assert await found(world, search="bjohnson+!bob") == set()
    # OTOBO T28: a second word that matches nothing.
    assert await found(world, search="bjohnson+bob_with_not_match") == set()
    # OTOBO T29: ... negated, it excludes nothing.
    assert await found(world, search="bjohnson+!bob_with_not_match") == {"bjohnson"}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # §3.2 lowercase `and` / `or` are ordinary text: `rock and roll` is the literal
        # phrase (found), `roll and rock` would match Mary Ann only if `and` were AND.
        ("rock and roll", {"mann"}),
        ("roll and rock", set()),
        ("Rock AND Roll", {"mann"}),  # uppercase: two words, AND-ed
        ("Roll AND Rock", {"mann"}),
        ("black or white", {"betty"}),
        ("white or black", set()),
        ("white OR zzzz", {"betty"}),
        ("john or doe", set()),
        ("john And doe", set()),
        # `AND`/`OR` glued to text are text.
        ("johnAND", set()),
        ("ORdoe", set()),
    ],
)
async def test_lowercase_and_or_are_literal_text(world: Api, term: str, expected: set[str]) -> None:
    assert await found(world, search=term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # §3.2: `(`, `)`, `&` and `|` are literal (OTOBO's QueryStringEscape).
        ("smith&sons", {"psmith"}),
        ("(uk)", {"psmith"}),
        ("sons(uk", {"psmith"}),
        (")|ltd", {"psmith"}),
        ("|", {"psmith"}),
        ("&", {"psmith"}),
        # `john&doe`, `john|bob`, `(john)` are not boolean expressions.
        ("john&doe", set()),
        ("john|bob", set()),
        ("(john)", set()),
        ("(john OR doe)", set()),
    ],
)
async def test_parentheses_ampersand_pipe_are_literal(
    world: Api, term: str, expected: set[str]
) -> None:
    assert await found(world, search=term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # Roster rule (search_grammar docstring; OTOBO §3.2 item 11 treats them as SQL
        # wildcards): `%` and `_` are literal. Sale500 and UnderXScore would match as SQL
        # wildcards; only the users who have the character itself are found.
        ("50%", {"percy"}),
        ("%", {"percy"}),
        ("sale50%", {"percy"}),
        ("sale5%0", set()),
        ("_", {"uma"}),
        ("r_s", {"uma"}),
        ("under_score", {"uma"}),
        ("underxscore", {"ulf"}),
        # ... while `*` is the wildcard.
        ("sale5*0", {"percy", "olga"}),
        ("under*score", {"uma", "ulf"}),
        # A backslash is literal too (OTOBO strips it).
        ("\\", {"bslash"}),
        ("k\\s", {"bslash"}),
        ("back\\slash", {"bslash"}),
        ("backslash", set()),
    ],
)
async def test_percent_underscore_backslash_are_literal(
    world: Api, term: str, expected: set[str]
) -> None:
    assert await found(world, search=term) == expected


@pytest.mark.parametrize("term", ["*", "**", "  *  ", "*+*", "* OR *"])
async def test_wildcard_only_term_lists_all_valid_users(world: Api, term: str) -> None:
    # §3.2 `*` matches everything (OTOBO T08-like), still only valid users by default.
    assert await found(world, search=term) == VALID_USERS
    assert await found(world, search=term, valid=False) == ALL_USERS


@pytest.mark.parametrize("term", ["", " ", "   \t ", "+", "++", "AND", "OR", "+ AND OR +"])
async def test_empty_term_is_bad_user_input(world: Api, term: str) -> None:
    # D18 (derived): an empty search is an error, not "everything" and not "nothing".
    assert_bad_user_input(await run(world, search=term), "search")


async def test_mixed_operators_without_a_word_between_them_is_bad_user_input(
    world: Api,
) -> None:
    assert_bad_user_input(await run(world, search="john + OR doe"), "search")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("müller", {"mueller"}),
        ("MÜLLER", {"mueller"}),
        ("Müller", {"mueller"}),
        ("mÜlLeR", {"mueller"}),
        ("jürgen", {"mueller"}),
        ("JÜRGEN+müller", {"mueller"}),
        ("ü", {"mueller"}),
        ("muller", set()),
        ("mueller", {"mueller"}),  # the login
    ],
)
async def test_umlauts_are_case_insensitive_on_every_database(
    world: Api, term: str, expected: set[str]
) -> None:
    # OTOBO T01-T31 loop over keys such as 'ä': non-ASCII text is searched like ASCII.
    assert await found(world, search=term) == expected


async def test_unbalanced_quote_is_a_literal_character(world: Api) -> None:
    # §3.2 / search_grammar: an unbalanced `"` is literal, so `"john` finds Quote"John only.
    r = await run(world, search='"john')
    assert assert_clean_ok(r) == ["quincy"]
    assert await found(world, search='quote"john') == {"quincy"}
    assert await found(world, search='john"') == set()


# ---- free text: the search fields ---------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        # §2.4 CustomerUserSearchFields = login, first_name, last_name, customer_id.
        ("jo.kuhn", {"jo.kuhn"}),  # login
        ("jonas", {"jo.kuhn"}),  # first name
        ("hahn", {"jhahn"}),  # last name
        ("globex", {"jo.kuhn", "jhahn", "mann", "betty", "mueller"}),  # customer ID
        # OTOBO T18: the customer ID is found in lower case.
        ("ACME-1", {"bjohnson", "bjorn"}),
        # ... but NOT the e-mail: quokka is only in Kim's address.
        ("quokka", set()),
        ("quokka@initech.test", set()),
        ("globex.test", set()),
        # ... nor the title (Dr.) or the customer's name.
        ("Dr.", set()),
        ("Company", set()),
    ],
)
async def test_search_fields(world: Api, term: str, expected: set[str]) -> None:
    assert await found(world, search=term) == expected


# ---- the other modes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # D1 (derived): the login mode is a substring match.
        ("john", {"john", "bjohnson"}),
        ("jo", {"john", "bjohnson", "bjorn", "jo.kuhn"}),
        # OTOBO T24: the login in lower and upper case.
        ("BJOHNSON", {"bjohnson"}),
        ("bJoHnSoN", {"bjohnson"}),
        # `*` is a wildcard.
        ("b*n", {"bjohnson", "bjorn"}),
        ("*", VALID_USERS),
        # The login mode looks at the login only (Bob is a first name, acme a customer ID).
        ("bob", set()),
        ("acme", set()),
        # % and _ are literal.
        ("%", set()),
        ("j_hn", set()),
        # OTOBO T79: an unknown login.
        ("P-Unknown123456789", set()),
    ],
)
async def test_login_mode(world: Api, value: str, expected: set[str]) -> None:
    assert await found(world, login=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T57: the exact address.
        ("john.doe@acme.test", {"john"}),
        # OTOBO T58 / T23: another casing finds it.
        ("John.Doe@acme.test", {"john"}),
        ("JOHN.DOE@ACME.TEST", {"john"}),
        # OTOBO T59 / T60: a partial address finds nothing.
        ("doe@acme.test", set()),
        ("Doe@acme.test", set()),
        ("john.doe@acme", set()),
        ("john.doe", set()),
        # No wildcards in the e-mail mode.
        ("john.doe@acme.*", set()),
        ("*@acme.test", set()),
        ("*", set()),
        # The address is compared, not the other fields.
        ("john", set()),
        ("quokka@initech.test", {"kim"}),
    ],
)
async def test_email_mode(world: Api, value: str, expected: set[str]) -> None:
    assert await found(world, email=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T06: the customer ID itself.
        ("acme-1", {"bjohnson", "bjorn"}),
        # §3.5: no implicit prefix/suffix: `acme` matches only acme (valid users only).
        ("acme", {"john"}),
        ("ACME", {"john"}),  # case-insensitively
        ("acm", set()),
        ("cme", set()),
        # OTOBO T10: explicit `*`.
        ("acme*", {"john", "bjohnson", "bjorn"}),
        ("*cme-1", {"bjohnson", "bjorn"}),
        ("a*e", {"john"}),
        # OTOBO T08: `*` finds every user.
        ("*", VALID_USERS),
        # OTOBO T12 / T14 find everything with `%` (a SQL wildcard there); in Roster `%` is
        # literal (documented deviation), so nothing has it.
        ("%", set()),
        ("acme%", set()),
        ("acme_1", set()),
        # `*` in the pattern is a wildcard even where a customer ID contains a `*`.
        ("wild*card", {"wanda", "walt"}),
        ("wild*", {"wanda", "walt"}),
    ],
)
async def test_customer_id_mode(world: Api, value: str, expected: set[str]) -> None:
    assert await found(world, customerId=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # OTOBO T07: exactly this customer ID.
        ("acme-1", {"bjohnson", "bjorn"}),
        ("ACME-1", {"bjohnson", "bjorn"}),  # case-insensitive by default
        ("acme", {"john"}),
        # OTOBO T09 / T11: `*` is literal.
        ("*", set()),
        ("acme*", set()),
        ("wild*", set()),
        ("wild*card", {"wanda"}),
        # OTOBO T13 / T15: `%` is literal.
        ("%", set()),
        ("acme%", set()),
        ("", set()),
    ],
)
async def test_customer_id_exact_mode(world: Api, value: str, expected: set[str]) -> None:
    assert await found(world, customerIdExact=value) == expected


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        # Each criterion narrows the result (AND), where OTOBO takes only one.
        ({"search": "acme"}, {"john", "bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj"}, {"bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj", "customerIdExact": "acme-1"}, {"bjohnson", "bjorn"}),
        ({"search": "acme", "login": "bj", "customerId": "acme"}, set()),
        ({"search": "john", "customerId": "acme"}, {"john"}),
        ({"login": "john", "email": "bob.johnson@acme.test"}, {"bjohnson"}),
        ({"search": "john", "email": "bjorn@acme.test"}, set()),
        ({"search": "globex", "customerIdExact": "globex", "login": "j"}, {"jo.kuhn", "jhahn"}),
        ({"search": "*", "customerId": "wild*"}, {"wanda", "walt"}),
    ],
)
async def test_criteria_combine_with_and(
    world: Api, arguments: dict[str, Any], expected: set[str]
) -> None:
    assert await found(world, **arguments) == expected


# ---- valid filter -------------------------------------------------------------------------


async def test_valid_filter(world: Api) -> None:
    # §3.6: valid by default; INVALID and INVALID_TEMPORARILY are both "not valid".
    assert await found(world, search="acme") == {"john", "bjohnson", "bjorn"}
    assert await found(world, search="acme", valid=True) == {"john", "bjohnson", "bjorn"}
    everyone = {"john", "bjohnson", "bjorn", "ivan", "tina"}
    assert await found(world, search="acme", valid=False) == everyone
    assert await found(world, search="acme", valid=None) == everyone
    assert await found(world, search="invalid") == set()
    assert await found(world, search="invalid", valid=False) == {"ivan"}
    assert await found(world, search="temporary", valid=False) == {"tina"}
    assert await found(world, email="ivan@acme.test") == set()
    assert await found(world, email="ivan@acme.test", valid=False) == {"ivan"}
    assert await found(world, login="tina") == set()
    assert await found(world, customerIdExact="acme", valid=False) == {"john", "ivan", "tina"}
    # A plain listing follows the same rule.
    assert await found(world) == VALID_USERS
    assert await found(world, valid=False) == ALL_USERS
    validities = {
        n["login"]: n["validity"]
        for n in (await connection(world, search="acme", valid=False))["nodes"]
    }
    assert validities == {
        "bjohnson": "VALID",
        "bjorn": "VALID",
        "ivan": "INVALID",
        "john": "VALID",
        "tina": "INVALID_TEMPORARILY",
    }


# ---- result shape -------------------------------------------------------------------------


async def test_display_name_is_the_mailbox_form(world: Api) -> None:
    # §3.8 / OTOBO T43: the list fields (first, last, e-mail) as `"First Last" <email>`.
    nodes = {n["login"]: n for n in (await connection(world, search="*"))["nodes"]}
    john = nodes["john"]
    assert john["displayName"] == '"John Doe" <john.doe@acme.test>'
    assert john["fullName"] == "John Doe"
    assert nodes["mann"]["displayName"] == '"Mary Ann Rock and Roll" <mary@globex.test>'
    assert nodes["mueller"]["displayName"] == '"Jürgen Müller" <juergen@globex.test>'
    # The title is a name field (fullName) but not a list field (displayName).
    titled = nodes["tdoc"]
    assert titled["title"] == "Dr."
    assert titled["fullName"] == "Dr. Theo Doc"
    assert titled["displayName"] == '"Theo Doc" <theo@initech.test>'
    # A search result carries the same record as the plain listing.
    assert (await connection(world, search="tdoc"))["nodes"] == [titled]


async def test_otobo_t44_display_name_with_more_list_fields(make_api: MakeApi) -> None:
    # OTOBO T44: CustomerUserListFields = login, first, last, customer_id, email.
    fresh = await make_api(
        customer_user={
            "backends": [
                {
                    "name": "CustomerUser",
                    "list_fields": ["login", "first_name", "last_name", "customer_id", "email"],
                }
            ]
        }
    )
    await new_customer(fresh, "cust-1")
    await new_user(fresh, "jlogin", "John", "Doe", "cust-1", "j@e.test")
    nodes = (await connection(fresh, login="jlogin"))["nodes"]
    assert [n["displayName"] for n in nodes] == ['"jlogin John Doe cust-1" <j@e.test>']


# ---- search_prefix / search_suffix and case sensitivity -----------------------------------


def backend(**settings: Any) -> dict[str, Any]:
    return {"customer_user": {"backends": [{"name": "CustomerUser", **settings}]}}


async def small_world(api: Api) -> None:
    await new_customer(api, "ACME-X")
    await new_user(api, "john", "John", "Smith", "ACME-X", "John.Smith@acme.test")
    await new_user(api, "johnny", "Johnny", "Smyth", "ACME-X")
    await new_user(api, "bjorn", "Bjorn", "Berg", "ACME-X")
    await new_user(api, "mueller", "Jürgen", "Müller", "ACME-X")


async def test_prefix_match_when_search_prefix_is_empty(make_api: MakeApi) -> None:
    # §3.2: prefix '' and suffix '*' (the code fallback, LDAP sample): `john` is `john*`.
    fresh = await make_api(**backend(search_prefix="", search_suffix="*"))
    await small_world(fresh)
    assert await found(fresh, search="jo") == {"john", "johnny"}
    assert await found(fresh, search="JOHN") == {"john", "johnny"}
    assert await found(fresh, search="orn") == set()
    assert await found(fresh, search="smi") == {"john"}
    assert await found(fresh, search="mith") == set()
    # An explicit leading wildcard still works.
    assert await found(fresh, search="*orn") == {"bjorn"}
    assert await found(fresh, search="*mith") == {"john"}
    # The other grammar still applies, each word gets the prefix/suffix.
    assert await found(fresh, search="jo+sm") == {"john", "johnny"}
    assert await found(fresh, search="jo+!smy") == {"john"}
    assert await found(fresh, search="smy OR bj") == {"johnny", "bjorn"}
    # The login mode and the customer ID mode do not use the backend's prefix/suffix.
    assert await found(fresh, login="orn") == {"bjorn"}
    assert await found(fresh, customerId="acme") == set()


async def test_exact_match_when_prefix_and_suffix_are_empty(make_api: MakeApi) -> None:
    # §3.2: prefix and suffix both '': `john` is an equality test.
    fresh = await make_api(**backend(search_prefix="", search_suffix=""))
    await small_world(fresh)
    assert await found(fresh, search="john") == {"john"}
    assert await found(fresh, search="JOHN") == {"john"}  # still case-insensitive
    assert await found(fresh, search="jo") == set()
    assert await found(fresh, search="smith") == {"john"}
    assert await found(fresh, search="müller") == {"mueller"}
    assert await found(fresh, search="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, search="acme") == set()
    # Explicit wildcards make it a pattern again.
    assert await found(fresh, search="jo*") == {"john", "johnny"}
    assert await found(fresh, search="*orn") == {"bjorn"}
    assert await found(fresh, search="john OR bjorn") == {"john", "bjorn"}
    assert await found(fresh, search="*") == {"john", "johnny", "bjorn", "mueller"}


async def test_exact_and_case_sensitive(make_api: MakeApi) -> None:
    fresh = await make_api(
        **backend(search_prefix="", search_suffix="", search_case_sensitive=True)
    )
    await small_world(fresh)
    assert await found(fresh, search="John") == {"john"}
    assert await found(fresh, search="john") == {"john"}  # the login
    assert await found(fresh, search="JOHN") == set()
    assert await found(fresh, search="Smith") == {"john"}
    assert await found(fresh, search="smith") == set()
    assert await found(fresh, search="Müller") == {"mueller"}
    assert await found(fresh, search="müller") == set()
    assert await found(fresh, search="Jo*") == {"john", "johnny"}
    assert await found(fresh, search="jO*") == set()


async def test_case_sensitive_search(make_api: MakeApi) -> None:
    fresh = await make_api(**backend(search_case_sensitive=True))
    await small_world(fresh)
    assert await found(fresh, search="John") == {"john", "johnny"}
    assert await found(fresh, search="Johnn") == {"johnny"}
    assert await found(fresh, search="JOHN") == set()
    # "john" is a login, so both are found through the login field.
    assert await found(fresh, search="john") == {"john", "johnny"}
    assert await found(fresh, search="smith") == set()
    assert await found(fresh, search="Smith") == {"john"}
    assert await found(fresh, search="Müller") == {"mueller"}
    assert await found(fresh, search="müller") == set()
    assert await found(fresh, search="MÜLLER") == set()
    assert await found(fresh, search="!Smith+J*") == {"johnny", "mueller"}
    # OTOBO T16: SearchCaseSensitive=1, the lower-cased customer ID is not found (on a
    # case-sensitive database; SQLite and PostgreSQL both are here).
    assert await found(fresh, search="acme-x") == set()
    assert await found(fresh, search="ACME-X") == {"john", "johnny", "bjorn", "mueller"}
    # The login mode follows the setting too.
    assert await found(fresh, login="JOHN") == set()
    assert await found(fresh, login="john") == {"john", "johnny"}
    # §3.4: the e-mail compare is plain `=` when case-sensitive.
    assert await found(fresh, email="John.Smith@acme.test") == {"john"}
    assert await found(fresh, email="john.smith@acme.test") == set()
    # §3.5: the CustomerID mode stays case-insensitive; CustomerIDRaw follows the setting.
    assert await found(fresh, customerId="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, customerIdExact="ACME-X") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, customerIdExact="acme-x") == set()


async def test_case_insensitive_search_by_default(make_api: MakeApi) -> None:
    # OTOBO T18 / T31: SearchCaseSensitive=0 (also stated explicitly here).
    fresh = await make_api(**backend(search_case_sensitive=False))
    await small_world(fresh)
    assert await found(fresh, search="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    assert await found(fresh, search="SMITH") == {"john"}
    assert await found(fresh, search="MÜLLER") == {"mueller"}
    assert await found(fresh, login="JOHN") == {"john", "johnny"}
    assert await found(fresh, email="JOHN.SMITH@ACME.TEST") == {"john"}
    assert await found(fresh, customerIdExact="acme-x") == {"john", "johnny", "bjorn", "mueller"}
    # Non-ASCII case folding in every mode, on SQLite too.
    await new_customer(fresh, "BÄR-Ö")
    await new_user(fresh, "BJÖRK", "Björk", "Guðmundsdóttir", "BÄR-Ö", "bjork@acme.test")
    assert await found(fresh, search="björk") == {"BJÖRK"}
    assert await found(fresh, search="GUÐMUNDSDÓTTIR") == {"BJÖRK"}
    assert await found(fresh, search="bär-ö") == {"BJÖRK"}
    assert await found(fresh, login="björk") == {"BJÖRK"}
    assert await found(fresh, customerId="bär*") == {"BJÖRK"}
    assert await found(fresh, customerIdExact="bär-ö") == {"BJÖRK"}


async def test_negated_word_does_not_drop_users_with_an_empty_field(make_api: MakeApi) -> None:
    # §3.2 item 8 / search_sql: a NULL or empty search field never matches a negated word
    # (OTOBO's `col NOT LIKE ?` drops NULL rows). The title is made a search field; one user
    # comes from a legacy import with a NULL title (planted before the app opens), the
    # others are created through the API, with and without a title.
    legacy = (
        "INSERT INTO customer_user (login, email, customer_id, pw, title, first_name,"
        " last_name, valid_id, create_time, create_by, change_time, change_by) VALUES"
        " ('legacy', 'legacy@acme.test', 'acme', NULL, NULL, 'Leg', 'Acy', 1,"
        " '2020-01-01 00:00:00', 1, '2020-01-01 00:00:00', 1)"
    )
    fresh = await make_api(
        before_open=[legacy],
        **backend(search_fields=["login", "first_name", "last_name", "customer_id", "title"]),
    )
    await new_customer(fresh, "acme")
    await new_user(fresh, "doctor", "Doc", "Tor", "acme", title="Dr.")
    await new_user(fresh, "plain", "Pla", "In", "acme")
    everyone = {"legacy", "doctor", "plain"}
    assert await found(fresh, search="dr.") == {"doctor"}
    assert await found(fresh, search="!dr.") == {"legacy", "plain"}
    assert await found(fresh, search="acme+!dr.") == {"legacy", "plain"}
    assert await found(fresh, search="*") == everyone
    assert await found(fresh, search="!zzz") == everyone
    nodes = {n["login"]: n for n in (await connection(fresh, search="acme"))["nodes"]}
    assert nodes["legacy"]["title"] is None
    assert nodes["legacy"]["fullName"] == "Leg Acy"
    assert nodes["legacy"]["displayName"] == '"Leg Acy" <legacy@acme.test>'


# ---- the list limit -----------------------------------------------------------------------


async def limited_api(make_api: MakeApi) -> Api:
    """search_list_limit 5; 8 users match `lim`, 5 of them are customer `five`, 2 don't."""
    fresh = await make_api(**backend(search_list_limit=5))
    await new_customer(fresh, "five")
    await new_customer(fresh, "three")
    await new_customer(fresh, "other")
    for i in range(8):
        await new_user(fresh, f"lim{i}", "Lim", f"User{i}", "five" if i < 5 else "three")
    await new_user(fresh, "zed", "Zed", "Nobody", "other")
    await new_user(fresh, "zora", "Zora", "Nobody", "other")
    return fresh


async def test_search_stops_at_the_list_limit_across_pages(make_api: MakeApi) -> None:
    # §3.7 / OTOBO T67 (Limit 3 gives 3 logins): the result is cut at search_list_limit.
    fresh = await limited_api(make_api)
    pages = await all_pages(fresh, 2, search="lim")
    result = page_logins(pages)
    assert result == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    for page in pages:
        assert page["limitReached"] is True
        assert page["totalCount"] == 5
    assert [len(p["nodes"]) for p in pages if p["nodes"]] == [2, 2, 1]
    # One page that asks for more than the limit gets the limit.
    conn = await connection(fresh, search="lim", first=100)
    assert [n["login"] for n in conn["nodes"]] == result
    assert conn["limitReached"] is True
    assert conn["totalCount"] == 5


async def test_page_ending_at_the_list_limit_has_no_next_page(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    pages = await all_pages(fresh, 2, search="lim")
    assert [len(p["nodes"]) for p in pages] == [2, 2, 1]
    assert pages[-1]["pageInfo"]["hasNextPage"] is False
    # One page that asks for more than the limit gets all of it, and nothing follows.
    conn = await connection(fresh, search="lim", first=100)
    assert len(conn["nodes"]) == 5
    assert conn["pageInfo"]["hasNextPage"] is False


async def test_limit_not_reached_when_exactly_the_limit_matches(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    conn = await connection(fresh, customerId="five")
    assert [n["login"] for n in conn["nodes"]] == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    assert conn["limitReached"] is False
    assert conn["totalCount"] == 5
    pages = await all_pages(fresh, 2, customerId="five")
    assert page_logins(pages) == ["lim0", "lim1", "lim2", "lim3", "lim4"]
    assert all(p["limitReached"] is False for p in pages)
    # Fewer than the limit: also not reached.
    small = await connection(fresh, customerId="three")
    assert small["limitReached"] is False
    assert small["totalCount"] == 3


async def test_every_criterion_is_capped(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    for arguments in ({"login": "lim"}, {"customerId": "*"}, {"search": "*"}):
        conn = await connection(fresh, **arguments)
        assert len(conn["nodes"]) == 5, arguments
        assert conn["limitReached"] is True, arguments
        assert conn["totalCount"] == 5, arguments


async def test_plain_listing_is_not_capped(make_api: MakeApi) -> None:
    fresh = await limited_api(make_api)
    for arguments in ({}, {"valid": False}, {"orderBy": {"field": "LAST_NAME"}}):
        conn = await connection(fresh, **arguments)
        assert len(conn["nodes"]) == 10, arguments
        assert conn["totalCount"] == 10, arguments
        assert conn["limitReached"] is False, arguments
    pages = await all_pages(fresh, 3)
    assert len(page_logins(pages)) == 10
    assert all(p["limitReached"] is False for p in pages)


# ---- orderBy ------------------------------------------------------------------------------


async def ordered_api(make_api: MakeApi) -> Api:
    """u1..u6 created in this order; last names with ties, unique e-mails, two customers."""
    fresh = await make_api()
    await new_customer(fresh, "c-a")
    await new_customer(fresh, "c-b")
    users = [
        ("u1", "Beta", "f", "c-b"),
        ("u2", "Alpha", "e", "c-b"),
        ("u3", "Beta", "d", "c-a"),
        ("u4", "alpha", "c", "c-a"),
        ("u5", "Gamma", "b", "c-a"),
        ("u6", "Alpha", "a", "c-a"),
    ]
    for login, last, mail, customer_id in users:
        await new_user(fresh, login, "Ord", last, customer_id, f"{mail}@acme.test")
        await asyncio.sleep(0.002)  # distinct change times on any clock
    return fresh


def order(field: str, direction: str = "ASC") -> dict[str, str]:
    return {"field": field, "direction": direction}


ASCENDING = {
    # Text sorts by code point ("Alpha" < "Beta" < "Gamma" < "alpha"); ties by login.
    "LOGIN": ["u1", "u2", "u3", "u4", "u5", "u6"],
    "LAST_NAME": ["u2", "u6", "u1", "u3", "u5", "u4"],
    "EMAIL": ["u6", "u5", "u4", "u3", "u2", "u1"],
    "CUSTOMER_ID": ["u3", "u4", "u5", "u6", "u1", "u2"],
    "CHANGED_AT": ["u1", "u2", "u3", "u4", "u5", "u6"],
}


async def test_order_by_every_field_both_directions_with_paging(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    assert await logins(fresh) == ASCENDING["LOGIN"]  # the default
    for field, expected in ASCENDING.items():
        for direction, wanted in (("ASC", expected), ("DESC", expected[::-1])):
            ordering = order(field, direction)
            # Ties are broken by login in the same direction, so DESC is the exact reverse.
            assert await logins(fresh, orderBy=ordering) == wanted, ordering
            # The same under a search, and page by page with the cursor.
            assert await logins(fresh, orderBy=ordering, search="ord") == wanted, ordering
            pages = await all_pages(fresh, 2, orderBy=ordering, search="ord")
            assert [[n["login"] for n in p["nodes"]] for p in pages] == [
                wanted[0:2],
                wanted[2:4],
                wanted[4:6],
            ], ordering
            assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]


async def test_order_by_last_name_ties_broken_by_login(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    conn = await connection(fresh, orderBy=order("LAST_NAME"))
    assert [(n["lastName"], n["login"]) for n in conn["nodes"]] == [
        ("Alpha", "u2"),
        ("Alpha", "u6"),
        ("Beta", "u1"),
        ("Beta", "u3"),
        ("Gamma", "u5"),
        ("alpha", "u4"),
    ]
    # OTOBO T97's default direction is DESC; Roster's documented default is ASC.
    assert await logins(fresh, orderBy={"field": "LAST_NAME"}) == ASCENDING["LAST_NAME"]


async def test_order_by_changed_at_moves_an_updated_user_last(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    await clock_tick(fresh.kind)
    await update_user(fresh, "u2", phone="+49 1")
    expected = ["u1", "u3", "u4", "u5", "u6", "u2"]
    assert await logins(fresh, orderBy=order("CHANGED_AT")) == expected
    assert await logins(fresh, orderBy=order("CHANGED_AT", "DESC")) == expected[::-1]
    pages = await all_pages(fresh, 4, orderBy=order("CHANGED_AT"))
    assert page_logins(pages) == expected
    # Other orderings are not affected by the update.
    assert await logins(fresh, orderBy=order("LAST_NAME")) == ASCENDING["LAST_NAME"]


async def test_changed_at_paging_with_second_precision_timestamps(make_api: MakeApi) -> None:
    # OTOBO writes change_time as 'YYYY-MM-DD HH:MM:SS' (§1.6); an adopted or imported table
    # holds such values. Four legacy rows (planted before the app opens, as an import would)
    # share one change time, so their order and the cursor rely on the login tie-breaker.
    legacy = [
        "INSERT INTO customer_user (login, email, customer_id, first_name, last_name,"
        f" valid_id, create_time, create_by, change_time, change_by) VALUES ('{login}',"
        f" '{login}@acme.test', 'acme', 'Leg', 'Acy', 1, '2020-01-01 00:00:00', 1,"
        " '2020-01-01 00:00:00', 1)"
        for login in ("a1", "a2", "a3", "a4")
    ]
    fresh = await make_api(before_open=legacy)
    await new_customer(fresh, "acme")
    await new_user(fresh, "b1", "New", "User", "acme")
    expected = ["a1", "a2", "a3", "a4", "b1"]
    assert await logins(fresh, orderBy=order("CHANGED_AT")) == expected
    for direction, wanted in (("ASC", expected), ("DESC", expected[::-1])):
        seen: list[str] = []
        after: str | None = None
        for _ in range(len(expected) + 2):
            args: dict[str, Any] = {"first": 1, "orderBy": order("CHANGED_AT", direction)}
            if after is not None:
                args["after"] = after
            conn = await connection(fresh, **args)
            seen += [n["login"] for n in conn["nodes"]]
            if not conn["pageInfo"]["hasNextPage"]:
                break
            after = conn["pageInfo"]["endCursor"]
        assert seen == wanted, direction


async def cursor_of(api: Api, ordering: dict[str, str] | None) -> str:
    args: dict[str, Any] = {"first": 2}
    if ordering is not None:
        args["orderBy"] = ordering
    conn = await connection(api, **args)
    cursor = conn["pageInfo"]["endCursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        (None, order("LAST_NAME")),
        (order("LAST_NAME"), None),
        (order("LOGIN"), order("EMAIL")),
        (order("LAST_NAME"), order("CHANGED_AT")),
        (order("CUSTOMER_ID", "DESC"), order("LOGIN", "DESC")),
    ],
    ids=lambda o: "default" if o is None else f"{o['field']}-{o['direction']}",
)
async def test_cursor_from_another_ordering_is_bad_user_input(
    make_api: MakeApi, issued: dict[str, str] | None, used: dict[str, str] | None
) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, issued)
    args: dict[str, Any] = {"first": 2, "after": cursor}
    if used is not None:
        args["orderBy"] = used
    assert_bad_user_input(await run(fresh, **args), "after")


@pytest.mark.parametrize(
    ("issued", "used"),
    [
        (order("LAST_NAME"), order("EMAIL")),
        (order("EMAIL"), order("CUSTOMER_ID")),
        (order("CHANGED_AT"), order("LAST_NAME")),
    ],
    ids=lambda o: f"{o['field']}-{o['direction']}",
)
async def test_cursor_from_another_field_with_the_same_key_shape_is_bad_user_input(
    make_api: MakeApi, issued: dict[str, str], used: dict[str, str]
) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, issued)
    r = await run(fresh, first=2, after=cursor, orderBy=used)
    assert_bad_user_input(r, "after")
    assert r.errors[0]["message"] == "The cursor belongs to another ordering."


async def test_cursor_from_the_other_direction_is_bad_user_input(make_api: MakeApi) -> None:
    fresh = await ordered_api(make_api)
    cursor = await cursor_of(fresh, order("LAST_NAME", "ASC"))
    r = await run(fresh, first=2, after=cursor, orderBy=order("LAST_NAME", "DESC"))
    assert_bad_user_input(r, "after")
    assert r.errors[0]["message"] == "The cursor belongs to another ordering."


# ---- paging stability ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [{}, {"orderBy": {"field": "LAST_NAME", "direction": "DESC"}, "search": "pag"}],
    ids=["listing-login-asc", "search-last-name-desc"],
)
async def test_paging_is_stable_while_users_are_created(
    make_api: MakeApi, arguments: dict[str, Any]
) -> None:
    fresh = await make_api()
    await new_customer(fresh, "pages")
    # Even numbers 0..58: login p000.., last name Pag000..; both sort by the number.
    original = [f"p{n:03d}" for n in range(0, 60, 2)]
    for login in original:
        await new_user(fresh, login, "Page", f"Pag{login[1:]}", "pages")
    descending = "orderBy" in arguments

    seen: list[str] = []
    added_behind: set[str] = set()
    added_ahead: set[str] = set()
    after: str | None = None
    pages = 0
    while True:
        args = {**arguments, "first": 7}
        if after is not None:
            args["after"] = after
        conn = await connection(fresh, **args)
        pages += 1
        assert pages < 20
        page = [n["login"] for n in conn["nodes"]]
        seen += page
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        # One new user sorting before the cursor, one after it (odd numbers are free).
        last = int(page[-1][1:])
        behind, ahead = (last + 1, last - 1) if descending else (last - 1, last + 1)
        for number, bucket in ((behind, added_behind), (ahead, added_ahead)):
            if 0 <= number < 60:
                login = f"p{number:03d}"
                await new_user(fresh, login, "Page", f"Pag{number:03d}", "pages")
                bucket.add(login)

    assert len(seen) == len(set(seen)), seen  # no duplicates
    assert set(original) <= set(seen)  # nobody who existed at the start was skipped
    assert added_ahead
    assert added_ahead <= set(seen)  # users created ahead of the cursor show
    assert not (added_behind & set(seen))  # users created behind it do not
    expected_order = sorted(seen, reverse=descending)
    assert seen == expected_order


# ---- bad input ----------------------------------------------------------------------------

ARGUMENTS = ["search", "login", "email", "customerId", "customerIdExact"]


@pytest.mark.parametrize("argument", ARGUMENTS)
@pytest.mark.parametrize(
    "value",
    [
        "x" * 10_000,
        "j" * 1001,
        "jo\x00hn",
        "\x00",
        "jo\x01hn",
        "jo\x1bhn",
        "jo\nhn",
        "jo\rhn",
        "jo\x7fhn",
        "jo\x08hn",
    ],
    ids=["10000-chars", "1001-chars", "nul", "only-nul", "soh", "esc", "lf", "cr", "del", "bs"],
)
async def test_long_or_control_character_values_are_bad_user_input(
    world: Api, argument: str, value: str
) -> None:
    assert_bad_user_input(await run(world, **{argument: value}), argument)


@pytest.mark.parametrize("argument", ARGUMENTS)
async def test_longest_accepted_value_works(world: Api, argument: str) -> None:
    assert assert_clean_ok(await run(world, **{argument: "j" * 1000})) == []


async def test_too_many_words_is_bad_user_input(world: Api) -> None:
    words = [f"w{i}" for i in range(40)]
    assert assert_clean_ok(await run(world, search="+".join(words[:32]))) == []
    assert_bad_user_input(await run(world, search="+".join(words[:33])), "search")
    assert_bad_user_input(await run(world, search=" OR ".join(words[:33])), "search")
    assert_bad_user_input(await run(world, search="+".join(f"!{w}" for w in words)), "search")
    # Spaces do not split words, so 40 space-separated words are one (literal) word.
    assert assert_clean_ok(await run(world, search=" ".join(words))) == []


@pytest.mark.parametrize("argument", ARGUMENTS)
@pytest.mark.parametrize(
    "value",
    [
        "'; DROP TABLE customer_user; --",
        "' OR '1'='1",
        "%' OR 1=1 --",
        '"; DELETE FROM customer_user; --',
        "john'--",
        "\\'",
        "/",
        "//%",
        "[a-z]*",
        "?",
        "$1",
        ":login",
    ],
)
async def test_sql_metacharacters_are_literal(world: Api, argument: str, value: str) -> None:
    assert assert_clean_ok(await run(world, **{argument: value})) == []


async def test_sql_injection_leaves_the_table_intact(world: Api) -> None:
    for argument in ARGUMENTS:
        r = await run(world, **{argument: "'; DROP TABLE customer_user; --"})
        assert assert_clean_ok(r) == []
    async with world.storage.engine.connect() as conn:
        count = (await conn.execute(sa.text("SELECT count(*) FROM customer_user"))).scalar_one()
    assert count == len(ALL_USERS)
    assert await found(world, search="*") == VALID_USERS


@pytest.mark.parametrize("argument", ["search", "login", "customerId"])
async def test_glob_and_like_specials_are_literal(world: Api, argument: str) -> None:
    # SQLite's case-sensitive path uses GLOB; LIKE uses `/` as escape: none may leak.
    for value in ("[", "]", "?", "/", "[j]ohn", "j?hn"):
        assert assert_clean_ok(await run(world, **{argument: value})) == [], value


@pytest.mark.parametrize("term", ["[j]*", "j?hn", "/", "//", "/%"])
async def test_glob_and_like_specials_are_literal_when_case_sensitive(
    make_api: MakeApi, term: str
) -> None:
    fresh = await make_api(**backend(search_case_sensitive=True))
    await small_world(fresh)
    assert await found(fresh, search=term) == set()
    assert await found(fresh, login=term) == set()
    assert await found(fresh, customerIdExact=term) == set()


# ---- cost ---------------------------------------------------------------------------------


async def test_statement_count_does_not_grow_with_the_result(make_api: MakeApi) -> None:
    fresh = await make_api()
    customers = [f"cost{i}" for i in range(5)]
    for customer_id in customers:
        await new_customer(fresh, customer_id)
    for i in range(50):
        first = "Fivefold" if i < 5 else "Other"
        await new_user(fresh, f"s{i:02d}", first, "Searchable", customers[i % 5])
    query = (
        "query($s: String!, $n: Int!) { customerUsers(search: $s, first: $n) {"
        " totalCount limitReached nodes { login customer { customerId name } } } }"
    )
    five = await fresh.gql(query, {"s": "fivefold", "n": 50})
    fifty = await fresh.gql(query, {"s": "searchable", "n": 50})
    first_five = await fresh.gql(query, {"s": "searchable", "n": 5})
    for r, n in ((five, 5), (fifty, 50), (first_five, 5)):
        nodes = r.data["customerUsers"]["nodes"]
        assert len(nodes) == n
        assert r.data["customerUsers"]["totalCount"] == (5 if r is five else 50)
        for node in nodes:
            number = int(node["login"][1:])
            assert node["customer"] == {
                "customerId": customers[number % 5],
                "name": f"Company {customers[number % 5]}",
            }
    assert five.statements > 0
    assert five.statements == fifty.statements == first_five.statements, (
        five.statements,
        fifty.statements,
        first_five.statements,
    )
    # The same under an ordering and combined criteria.
    ordered = (
        'query($s: String!, $n: Int!) { customerUsers(search: $s, login: "s", first: $n,'
        " orderBy: {field: CUSTOMER_ID, direction: DESC}) {"
        " totalCount nodes { login customer { name } } } }"
    )
    small = await fresh.gql(ordered, {"s": "fivefold", "n": 50})
    large = await fresh.gql(ordered, {"s": "searchable", "n": 50})
    assert len(small.data["customerUsers"]["nodes"]) == 5
    assert len(large.data["customerUsers"]["nodes"]) == 50
    assert small.statements == large.statements, (small.statements, large.statements)
