"""Patterns and the search AST (``domain.search_ast``): ``parse_pattern`` for the CustomerID and
UserLogin pattern modes (reference §3.5), the AST's shape rules, and ``matches``, the
reference semantics in Python."""

from __future__ import annotations

import dataclasses

import pytest

from domain.search_ast import And, Or, Pattern, matches, parse_pattern
from domain.search_grammar import parse_search

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
