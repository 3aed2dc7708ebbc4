"""OTOBO's free-text search grammar (reference §3.2, §3.5 and the search cases of §10)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from domain.search_grammar import (
    MAX_TERM_LENGTH,
    MAX_WORDS,
    And,
    Not,
    Or,
    Pattern,
    SearchExpr,
    SearchSyntaxError,
    Word,
    matches,
    parse_pattern,
    parse_search,
)


def w(pattern: str) -> Word:
    return Word(parse_pattern(pattern))


def n(pattern: str) -> Not:
    return Not(parse_pattern(pattern))


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


# --- errors and limits -----------------------------------------------------------------------


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


# --- parse_pattern (CustomerID / UserLogin pattern modes, §3.5) ------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("acme", Pattern(("acme",), False, False)),
        ("acme*", Pattern(("acme",), False, True)),
        ("*acme", Pattern(("acme",), True, False)),
        ("*acme*", Pattern(("acme",), True, True)),
        ("a**b", Pattern(("a", "b"), False, False)),
        ("*", Pattern((), True, True)),
        ("***", Pattern((), True, True)),
        ("", Pattern((), False, False)),
        ("%", Pattern(("%",), False, False)),
        (" acme ", Pattern((" acme ",), False, False)),
        ("L-Customer%", Pattern(("L-Customer%",), False, False)),
    ],
)
def test_parse_pattern(value: str, expected: Pattern) -> None:
    assert parse_pattern(value) == expected


def test_pattern_properties() -> None:
    assert parse_pattern("*").is_match_all
    assert parse_pattern("*").matches_empty_string
    assert not parse_pattern("*").is_exact
    assert parse_pattern("").is_exact
    assert parse_pattern("").exact_value == ""
    assert parse_pattern("").matches_empty_string
    assert not parse_pattern("").is_match_all
    assert parse_pattern("acme").exact_value == "acme"
    assert parse_pattern("acme*").exact_value is None
    assert not parse_pattern("acme*").is_match_all
    assert not parse_pattern("a*b").is_exact


@pytest.mark.parametrize("value", ["*", "acme", "acme*", "*a*b*", "a*b", "", "*x"])
def test_pattern_str_round_trips(value: str) -> None:
    assert str(parse_pattern(value)) == value


def test_pattern_rejects_inconsistent_shapes() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        Pattern(("a", ""), True, True)
    with pytest.raises(ValueError, match="either match-all"):
        Pattern((), True, False)


def test_ast_is_frozen_and_hashable() -> None:
    expr = parse_search("a OR b + !c")
    assert isinstance(expr, Or)
    assert hash(expr) == hash(parse_search("a OR b + !c"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.items = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="at least one"):
        And(())
    with pytest.raises(ValueError, match="at least one"):
        Or(())


# --- the reference semantics in Python -------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "case_sensitive", "expected"),
    [
        ("*john*", "Big John Doe", False, True),
        ("*john*", "Big John Doe", True, False),
        ("*jo*hn*", "Joachim", False, False),
        ("*jo*hn*", "Joe Kuhn", False, True),
        ("john", "JOHN", False, True),
        ("john", "JOHN", True, False),
        ("john", "johnny", False, False),
        ("john*", "johnny", False, True),
        ("*hn", "john", False, True),
        ("a*a", "a", False, False),
        ("a*a", "aa", False, True),
        ("*%*", "50% off", False, True),
        ("*%*", "50 off", False, False),
        ("*_*", "ab", False, False),
        ("*müller*", "Jürgen MÜLLER", False, True),
        ("*", None, False, True),
        ("", None, False, True),
        ("*x*", None, False, False),
        ("*a\nb*", "xa\nbx", True, True),
    ],
)
def test_pattern_matches(
    pattern: str, value: str | None, case_sensitive: bool, expected: bool
) -> None:
    assert parse_pattern(pattern).matches(value, case_sensitive=case_sensitive) is expected


def test_matches_follows_otobo_catalogue() -> None:
    # T25-T31 and D2-D4 on one record: login, first name, last name, customer ID.
    login = "unittest-1abc"
    record = [login, "Firstname Test1", "Lastname Test1", f"{login}-Customer-Update-Id"]

    def found(term: str, *, case_sensitive: bool = False) -> bool:
        return matches(parse_search(term), record, case_sensitive=case_sensitive)

    assert found(login)
    assert found(f"{login}+firstname")
    assert not found(f"{login}+!firstname")
    assert not found(f"{login}+firstname_with_not_match")
    assert found(f"{login}+!firstname_with_not_match")
    for term in (f"{login}*", f"*{login}", f"*{login}*"):
        assert found(term.upper())
        assert found(term.lower())
    assert not found(f"{login}-customer-update-id".upper(), case_sensitive=True)
    assert not found("Firstname Lastname")  # D2: a phrase is compared per field
    assert found("Firstname+Lastname")  # D3
    assert found("Firstname OR Nobody")  # D4


def test_matches_negation_ignores_missing_values() -> None:
    expr = parse_search("!john")
    assert matches(expr, [None, None], case_sensitive=False)
    assert not matches(expr, [None, "John"], case_sensitive=False)
    assert matches(None, [None], case_sensitive=True)
    assert not matches(parse_search("!*"), ["x"], case_sensitive=False)
