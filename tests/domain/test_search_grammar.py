"""OTOBO's free-text search grammar: the table of §3.2, words, spaces and phrases, prefix and
suffix, simplification (reference §3.2 and the search cases of §10)."""

from __future__ import annotations

import pytest

from domain.search_ast import And, Or, Pattern, SearchExpr, Word
from domain.search_grammar import parse_search
from tests.domain.search_terms import n, w

# --- the table of §3.2 (prefix `*`, suffix `*`, the shipped defaults) -------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("john", w("*john*")),
        ("john*", w("*john*")),
        ("*john", w("*john*")),
        ("*john*", w("*john*")),
        ("jo*hn", w("*jo*hn*")),
        ("john doe", w("*john doe*")),
        ('"john doe"', w("*john doe*")),
        ("john+doe", And((w("*john*"), w("*doe*")))),
        ("john AND doe", And((w("*john*"), w("*doe*")))),
        ("john + doe", And((w("*john*"), w("*doe*")))),
        ("john OR doe", Or((w("*john*"), w("*doe*")))),
        ("!john", n("*john*")),
        ("john+!doe", And((w("*john*"), n("*doe*")))),
        ("john&doe", w("*john&doe*")),
        ("a|b", w("*a|b*")),
        ("a(b)c", w("*a(b)c*")),
        ("a+", w("*a*")),
    ],
)
def test_reference_table(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected


def test_word_pattern_shape() -> None:
    assert parse_search("jo*hn") == Word(Pattern(("jo", "hn"), True, True))
    assert parse_search("john doe") == Word(Pattern(("john doe",), True, True))


@pytest.mark.parametrize("term", ["*", "**", " * ", "* *", "***  *", "* + *", "*+*"])
def test_only_wildcards_match_everything(term: str) -> None:
    assert parse_search(term) is None


def test_percent_is_literal_not_a_wildcard() -> None:
    # OTOBO binds `%` unescaped, so there it matches everything; here it is a character.
    assert parse_search("%") == w("*%*")
    assert parse_search("50%") == w("*50%*")


@pytest.mark.parametrize("term", ["a_b", "50%", "back\\slash", "\\", "a%_\\b"])
def test_percent_underscore_backslash_are_literal(term: str) -> None:
    expr = parse_search(term)
    assert expr == Word(Pattern((term,), True, True))


# --- words, spaces and phrases ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("john   doe", w("*john doe*")),
        ("  john doe  ", w("*john doe*")),
        ("john\tdoe", w("*john doe*")),
        ("\tjohn\t", w("*john*")),
        ("john \t \u00a0 doe", w("*john doe*")),
    ],
)
def test_whitespace_collapses_and_does_not_split(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("john and doe", w("*john and doe*")),
        ("john or doe", w("*john or doe*")),
        ("john And doe", w("*john And doe*")),
        ("john Or doe", w("*john Or doe*")),
        ("and", w("*and*")),
        ("or", w("*or*")),
    ],
)
def test_lowercase_and_or_are_text(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected


def test_phrase_keeps_its_inside_literal() -> None:
    assert parse_search('"john   doe"') == w("*john   doe*")
    assert parse_search('" john "') == w("* john *")
    assert parse_search('"a+b OR c"') == w("*a+b OR c*")
    assert parse_search('"AND"') == w("*AND*")
    assert parse_search('"!john"') == w("*!john*")


def test_phrase_is_the_same_as_the_bare_word() -> None:
    # D5: Search '"John"' is the same as 'John'.
    assert parse_search('"John"') == parse_search("John")


def test_phrases_combine_with_operators() -> None:
    assert parse_search('"john doe" + "jane roe"') == And((w("*john doe*"), w("*jane roe*")))
    assert parse_search('"john doe" OR jane') == Or((w("*john doe*"), w("*jane*")))
    assert parse_search('!"john doe"') == n("*john doe*")


def test_wildcards_inside_a_phrase_stay_wildcards() -> None:
    assert parse_search('"jo*hn"') == w("*jo*hn*")
    # OTOBO drops whitespace between two wildcards outside phrases only.
    assert parse_search("a* *b") == w("*a*b*")
    assert parse_search('"a* *b"') == Word(Pattern(("a", " ", "b"), True, True))


def test_phrase_glued_to_text_is_concatenated() -> None:
    assert parse_search('ab"c d"e') == w("*abc de*")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ('"john', w('*"john*')),
        ('john"', w('*john"*')),
        ('"john doe', w('*"john doe*')),
        ('""', w('*""*')),
        ('"a" "b', Word(Pattern(('a "b',), True, True))),
    ],
)
def test_unbalanced_quote_is_literal(term: str, expected: SearchExpr) -> None:
    assert parse_search(term) == expected


# --- prefix and suffix -----------------------------------------------------------------------


def test_prefix_empty_suffix_star_is_a_prefix_match() -> None:
    expr = parse_search("john", prefix="", suffix="*")
    assert expr == Word(Pattern(("john",), False, True))
    assert parse_search("*john", prefix="", suffix="*") == w("*john*")
    assert parse_search("jo*hn", prefix="", suffix="*") == Word(Pattern(("jo", "hn"), False, True))


def test_empty_prefix_and_suffix_is_an_exact_match() -> None:
    expr = parse_search("john", prefix="", suffix="")
    assert expr == Word(Pattern(("john",), False, False))
    assert isinstance(expr, Word)
    assert expr.pattern.is_exact
    assert expr.pattern.exact_value == "john"
    assert parse_search('"john doe"', prefix="", suffix="") == w("john doe")
    assert parse_search("john+!doe", prefix="", suffix="") == And((w("john"), n("doe")))
    assert parse_search("jo*hn", prefix="", suffix="") == Word(Pattern(("jo", "hn"), False, False))
    assert parse_search("*", prefix="", suffix="") is None


def test_explicit_wildcards_still_work_with_empty_prefix_and_suffix() -> None:
    assert parse_search("john*", prefix="", suffix="") == w("john*")
    assert parse_search("*john", prefix="", suffix="") == w("*john")


# --- simplification --------------------------------------------------------------------------


def test_match_all_words_are_dropped_from_and() -> None:
    assert parse_search("john + *") == w("*john*")
    assert parse_search("* + john") == w("*john*")


def test_match_all_alternative_matches_everything() -> None:
    assert parse_search("john OR *") is None


def test_duplicates_are_removed() -> None:
    assert parse_search("john + john") == w("*john*")
    assert parse_search("john OR john*") == w("*john*")
