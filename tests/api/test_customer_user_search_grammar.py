"""customerUsers search through the GraphQL API: OTOBO's free-text grammar (words, wildcards,
AND/OR, negation, phrases, literal characters, Unicode case folding).

Every test runs on SQLite and on PostgreSQL against ``search_world`` (a fixed set of users on a
database of its own, only read). Cases taken from OTOBO's own tests are tagged with their
catalogue id from ``/work/shared/reference/otobo-customer-user.md`` §10 (``# OTOBO T..``); cases
derived from the code are tagged ``# D.. (derived)`` (§10.15), and the remaining ones name the
reference section (§3.x) or the documented Roster rule they check.
"""

from __future__ import annotations

import pytest

from tests.api.customer_user_search_helpers import (
    ALL_USERS,
    VALID_USERS,
    assert_bad_user_input,
    assert_clean_ok,
    found,
    run,
)
from tests.conftest import Api


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
async def test_free_text_grammar(search_world: Api, term: str, expected: set[str]) -> None:
    assert await found(search_world, search=term) == expected


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
async def test_negation(search_world: Api, term: str, expected: set[str]) -> None:
    assert await found(search_world, search=term) == expected


async def test_otobo_t26_to_t29_and_with_negation(search_world: Api) -> None:
    # OTOBO T26: login + a word of the first name (AND of two terms).
    assert await found(search_world, search="bjohnson+bob") == {"bjohnson"}
    # OTOBO T27: ... and the same word negated finds nothing.
    assert await found(search_world, search="bjohnson+!bob") == set()
    # OTOBO T28: a second word that matches nothing.
    assert await found(search_world, search="bjohnson+bob_with_not_match") == set()
    # OTOBO T29: ... negated, it excludes nothing.
    assert await found(search_world, search="bjohnson+!bob_with_not_match") == {"bjohnson"}


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
async def test_lowercase_and_or_are_literal_text(
    search_world: Api, term: str, expected: set[str]
) -> None:
    assert await found(search_world, search=term) == expected


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
    search_world: Api, term: str, expected: set[str]
) -> None:
    assert await found(search_world, search=term) == expected


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
    search_world: Api, term: str, expected: set[str]
) -> None:
    assert await found(search_world, search=term) == expected


@pytest.mark.parametrize("term", ["*", "**", "  *  ", "*+*", "* OR *"])
async def test_wildcard_only_term_lists_all_valid_users(search_world: Api, term: str) -> None:
    # §3.2 `*` matches everything (OTOBO T08-like), still only valid users by default.
    assert await found(search_world, search=term) == VALID_USERS
    assert await found(search_world, search=term, valid=False) == ALL_USERS


@pytest.mark.parametrize("term", ["", " ", "   \t ", "+", "++", "AND", "OR", "+ AND OR +"])
async def test_empty_term_is_bad_user_input(search_world: Api, term: str) -> None:
    # D18 (derived): an empty search is an error, not "everything" and not "nothing".
    assert_bad_user_input(await run(search_world, search=term), "search")


async def test_mixed_operators_without_a_word_between_them_is_bad_user_input(
    search_world: Api,
) -> None:
    assert_bad_user_input(await run(search_world, search="john + OR doe"), "search")


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
    search_world: Api, term: str, expected: set[str]
) -> None:
    # OTOBO T01-T31 loop over keys such as 'ä': non-ASCII text is searched like ASCII.
    assert await found(search_world, search=term) == expected


async def test_unbalanced_quote_is_a_literal_character(search_world: Api) -> None:
    # §3.2 / search_grammar: an unbalanced `"` is literal, so `"john` finds Quote"John only.
    r = await run(search_world, search='"john')
    assert assert_clean_ok(r) == ["quincy"]
    assert await found(search_world, search='quote"john') == {"quincy"}
    assert await found(search_world, search='john"') == set()
