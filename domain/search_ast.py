"""The parsed form of a search: :class:`Pattern` (one word with its wildcards), the small AST
over it, and :func:`matches`, the reference semantics in plain Python.

The AST is in disjunctive normal form: ``Or`` of ``And`` of ``Word``/``Not``, each level only
present when it has two or more items. It is pure data, built by ``domain.search_grammar``
(OTOBO's free-text grammar) and by :func:`parse_pattern`/:func:`exact_pattern` (the structured
search's patterns); ``datasources/search_sql.py`` turns it into SQL and
``datasources/ldap/filters.py`` into LDAP filters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

WILDCARD = "*"
"""The one wildcard character: any run of characters, including none."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """One word to match against a field value, after prefix and suffix were applied.

    ``segments`` are the literal pieces between wildcards, in order and never empty;
    ``leading_wildcard``/``trailing_wildcard`` say whether a wildcard comes before the first
    or after the last piece. Between two segments there is always a wildcard. So ``*jo*hn``
    is ``Pattern(("jo", "hn"), True, False)``. Every character of a segment is literal,
    including ``%``, ``_``, ``\\`` and even ``*`` (which :func:`parse_pattern` never puts in a
    segment, but a programmatically built pattern may).

    A pattern without segments is either the match-all pattern (``*``, both flags set) or the
    exact empty string (both flags clear).
    """

    segments: tuple[str, ...]
    leading_wildcard: bool
    trailing_wildcard: bool

    def __post_init__(self) -> None:
        if any(segment == "" for segment in self.segments):
            raise ValueError("Pattern segments must not be empty strings.")
        if not self.segments and self.leading_wildcard != self.trailing_wildcard:
            raise ValueError(
                "A pattern without segments is either match-all (both wildcards) "
                "or the exact empty string (no wildcard)."
            )

    @property
    def is_match_all(self) -> bool:
        """True for ``*``: matches every value, including an empty or missing one."""
        return not self.segments and self.leading_wildcard

    @property
    def is_exact(self) -> bool:
        """True when there is no wildcard at all: the pattern is an equality test."""
        return not self.leading_wildcard and not self.trailing_wildcard and len(self.segments) < 2

    @property
    def exact_value(self) -> str | None:
        """The value an exact pattern is equal to, or ``None`` for a wildcard pattern."""
        if not self.is_exact:
            return None
        return self.segments[0] if self.segments else ""

    @property
    def matches_empty_string(self) -> bool:
        """True when the empty string (and so a missing value) matches: ``*`` or exact ``""``."""
        return not self.segments

    def matches(self, value: str | None, *, case_sensitive: bool) -> bool:
        """Whether ``value`` matches; ``None`` (SQL NULL) is treated as the empty string.

        Case-insensitive matching lower-cases both sides, as SQL ``lower()`` does.
        """
        text = value or ""
        segments = self.segments
        if not case_sensitive:
            text = text.lower()
            segments = tuple(segment.lower() for segment in segments)
        if self.is_exact:
            return text == (segments[0] if segments else "")
        regex = (
            (".*" if self.leading_wildcard else "")
            + ".*".join(re.escape(segment) for segment in segments)
            + (".*" if self.trailing_wildcard else "")
        )
        return re.fullmatch(regex, text, flags=re.DOTALL) is not None

    def __str__(self) -> str:
        if self.is_match_all:
            return WILDCARD
        return (
            (WILDCARD if self.leading_wildcard else "")
            + WILDCARD.join(self.segments)
            + (WILDCARD if self.trailing_wildcard else "")
        )


@dataclass(frozen=True, slots=True)
class Word:
    """A positive word: matches when **any** search field matches the pattern."""

    pattern: Pattern


@dataclass(frozen=True, slots=True)
class Not:
    """A negated word (``!word``): matches when **no** search field matches the pattern.

    A missing (NULL) field value counts as "does not match", so it never excludes a row.
    """

    pattern: Pattern


Term: TypeAlias = Word | Not


@dataclass(frozen=True, slots=True)
class And:
    """All items must match (``+`` or ``AND``)."""

    items: tuple[Term, ...]

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("And needs at least one item.")


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item must match (``OR``); AND binds tighter, so items may be ``And``."""

    items: tuple[And | Term, ...]

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("Or needs at least one item.")


SearchExpr: TypeAlias = Or | And | Word | Not


def parse_pattern(value: str) -> Pattern:
    """Parse a pattern with explicit wildcards only: ``*`` is the wildcard, nothing is added.

    This is OTOBO's ``CustomerID`` search (and the ``UserLogin`` pattern of the structured
    search): ``acme`` matches only ``acme``, ``acme*`` matches ``acme-1``. The value is not
    trimmed. ``%`` and ``_`` are literal, unlike in OTOBO (see ``domain.search_grammar``).
    """
    parts = value.split(WILDCARD)
    has_wildcard = len(parts) > 1
    return Pattern(
        segments=tuple(part for part in parts if part),
        leading_wildcard=has_wildcard and parts[0] == "",
        trailing_wildcard=has_wildcard and parts[-1] == "",
    )


def exact_pattern(value: str) -> Pattern:
    """A pattern equal to ``value`` only: every character literal, ``*`` included (OTOBO's
    ``CustomerIDRaw``)."""
    return Pattern(
        segments=(value,) if value else (), leading_wildcard=False, trailing_wildcard=False
    )


def matches(expr: SearchExpr | None, values: Sequence[str | None], *, case_sensitive: bool) -> bool:
    """Evaluate ``expr`` against one record's search-field values (the reference semantics).

    The database backend does the same in SQL; this is for in-memory data and for tests.
    """
    if expr is None:
        return True
    if isinstance(expr, Word):
        return any(expr.pattern.matches(v, case_sensitive=case_sensitive) for v in values)
    if isinstance(expr, Not):
        return not any(expr.pattern.matches(v, case_sensitive=case_sensitive) for v in values)
    if isinstance(expr, And):
        return all(matches(item, values, case_sensitive=case_sensitive) for item in expr.items)
    return any(matches(item, values, case_sensitive=case_sensitive) for item in expr.items)
