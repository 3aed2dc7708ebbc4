"""Search terms the grammar refuses (:class:`SearchSyntaxError`): empty, only operators, too
long, too many words, control characters."""

from __future__ import annotations

import re

import pytest

from domain.search_ast import And
from domain.search_grammar import MAX_TERM_LENGTH, MAX_WORDS, SearchSyntaxError, parse_search
from tests.domain.search_terms import w


@pytest.mark.parametrize("term", ["", " ", "   ", "\t", "\t \t"])
def test_empty_term_is_an_error(term: str) -> None:
    # D18: OTOBO answers an empty Search with nothing and an error.
    with pytest.raises(SearchSyntaxError, match="empty"):
        parse_search(term)


@pytest.mark.parametrize("term", ["+", "+ +", "AND", "OR", "AND OR", "!", "!!", "+ ! +"])
def test_term_of_only_operators_is_an_error(term: str) -> None:
    with pytest.raises(SearchSyntaxError, match="no words"):
        parse_search(term)


def test_term_length_limit() -> None:
    assert parse_search("x" * MAX_TERM_LENGTH) == w("*" + "x" * MAX_TERM_LENGTH + "*")
    with pytest.raises(SearchSyntaxError, match="1001 characters long; at most 1000"):
        parse_search("x" * (MAX_TERM_LENGTH + 1))


def test_length_counts_the_raw_term() -> None:
    with pytest.raises(SearchSyntaxError, match="characters long"):
        parse_search("john" + " " * MAX_TERM_LENGTH)


def test_word_count_limit() -> None:
    words = [f"w{i}" for i in range(MAX_WORDS)]
    expr = parse_search("+".join(words))
    assert isinstance(expr, And)
    assert len(expr.items) == MAX_WORDS
    with pytest.raises(SearchSyntaxError, match="33 words; at most 32"):
        parse_search("+".join([*words, "one-more"]))


def test_word_count_includes_negated_and_or_words() -> None:
    term = " OR ".join(f"!w{i}" for i in range(MAX_WORDS + 1))
    with pytest.raises(SearchSyntaxError, match="words"):
        parse_search(term)


def test_word_count_limit_applies_before_deduplication() -> None:
    with pytest.raises(SearchSyntaxError, match="words"):
        parse_search("+".join(["same"] * (MAX_WORDS + 1)))


@pytest.mark.parametrize(
    ("term", "code_point"),
    [
        ("jo\x00hn", "U+0000"),
        ("john\n", "U+000A"),
        ("\rjohn", "U+000D"),
        ("jo\x1bhn", "U+001B"),
        ("jo\x7fhn", "U+007F"),
        ('"jo\x01hn"', "U+0001"),
    ],
)
def test_control_characters_are_rejected(term: str, code_point: str) -> None:
    with pytest.raises(SearchSyntaxError, match=re.escape(f"control character {code_point}")):
        parse_search(term)


def test_search_syntax_error_is_a_value_error() -> None:
    assert issubclass(SearchSyntaxError, ValueError)
