"""The operators of the free-text search grammar: ``+``/``AND``/``OR``, their precedence, and
negation with ``!`` (reference §3.2)."""

from __future__ import annotations

import pytest

from domain.search_ast import And, Not, Or, Pattern, SearchExpr
from domain.search_grammar import SearchSyntaxError, parse_search
from tests.domain.search_terms import n, w

# --- operators -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("+a", w("*a*")),
        ("a+", w("*a*")),
        ("+a+", w("*a*")),
        ("AND a", w("*a*")),
        ("a AND", w("*a*")),
        ("OR a OR", w("*a*")),
        ("a++b", And((w("*a*"), w("*b*")))),
        ("a + + b", And((w("*a*"), w("*b*")))),
        ("a AND AND b", And((w("*a*"), w("*b*")))),
        ("a OR OR b", Or((w("*a*"), w("*b*")))),
        ("+ OR a", w("*a*")),
    ],
)
def test_leading_trailing_and_repeated_operators_are_dropped(
    term: str, expected: SearchExpr
) -> None:
    assert parse_search(term) == expected


def test_and_or_are_operators_only_between_spaces() -> None:
    # As OTOBO's `(\s|\(|\))AND(\s|\(|\))`: glued to `+` they are words.
    assert parse_search("a+AND+b") == And((w("*a*"), w("*AND*"), w("*b*")))
    assert parse_search("a +AND b") == And((w("*a*"), w("*AND b*")))
    assert parse_search("ANDROID OR ORACLE") == Or((w("*ANDROID*"), w("*ORACLE*")))


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("a OR b + c", Or((w("*a*"), And((w("*b*"), w("*c*")))))),
        ("a + b OR c", Or((And((w("*a*"), w("*b*"))), w("*c*")))),
        ("a AND b OR c AND d", Or((And((w("*a*"), w("*b*"))), And((w("*c*"), w("*d*")))))),
        ("a OR b AND !c OR d", Or((w("*a*"), And((w("*b*"), n("*c*"))), w("*d*")))),
    ],
)
def test_and_binds_tighter_than_or(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected


@pytest.mark.parametrize("term", ["a + OR b", "a OR + b", "a AND OR b", "a OR AND b"])
def test_adjacent_and_and_or_are_rejected(term: str) -> None:
    with pytest.raises(SearchSyntaxError, match=r"AND .* and OR next to each other"):
        parse_search(term)


# --- negation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("!john", n("*john*")),
        ("!!john", n("*john*")),
        ("*!john", n("*john*")),
        ("*!*john", n("*john*")),
        ("! john", n("*john*")),
        ("!john doe", n("*john doe*")),
        ("john !doe", w("*john !doe*")),
        ("jo!hn", w("*jo!hn*")),
        ("john+!doe+!jane", And((w("*john*"), n("*doe*"), n("*jane*")))),
        ("!john OR !doe", Or((n("*john*"), n("*doe*")))),
        ("!*", Not(Pattern((), True, True))),
        ("john+!", w("*john*")),
        ("john + ! + doe", And((w("*john*"), w("*doe*")))),
    ],
)
def test_negation(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected
