"""Short spellings of the expected search words for the search grammar tests."""

from __future__ import annotations

from domain.search_ast import Not, Word, parse_pattern


def w(pattern: str) -> Word:
    return Word(parse_pattern(pattern))


def n(pattern: str) -> Not:
    return Not(parse_pattern(pattern))
