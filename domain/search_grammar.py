"""OTOBO's free-text customer search grammar, parsed into a small typed AST.

A helpdesk agent who knows OTOBO types the same search terms into Roster, so the grammar is
OTOBO's: what ``CustomerSearch(Search => ...)`` of the DB backend does after
``QueryStringEscape`` and ``QueryCondition`` (``Kernel/System/DB.pm``). In short:

* The term is trimmed. A ``"double quoted phrase"`` is one atomic piece of text: operators,
  ``!`` and whitespace inside it are literal. An unbalanced ``"`` is a literal character.
* Runs of whitespace collapse to one space, and a space does **not** split words: ``john doe``
  is one word that matches the text ``john doe``. (Peers ask for "space means AND"; OTOBO's
  agents are used to ``+``, and the reference behaviour wins here.)
* ``+`` means AND anywhere. The uppercase words ``AND`` and ``OR`` are operators when they
  stand alone between spaces (or at the start or end of the term); ``and``/``or`` in any other
  spelling are ordinary text. Leading and trailing operators are dropped (``a+`` is ``a``), and
  so are repeated ones (``a++b`` is ``a+b``).
* A word starting with ``!`` is negated: no search field may match it. OTOBO's search
  frontend puts ``*`` in front of words, so ``*!john`` is also a negated ``*john``.
* ``(``, ``)``, ``&`` and ``|`` are literal characters, exactly as after OTOBO's
  ``QueryStringEscape``.
* Each word becomes ``prefix + word + suffix`` (``CustomerUserSearchPrefix``/``Suffix``,
  ``*``/``*`` by default, so a word is a substring match). ``*`` is the wildcard and repeated
  wildcards collapse. A word with no wildcard left is an exact (equality) match.

Where OTOBO's behaviour is an accident rather than a rule, we decide explicitly:

* **Precedence.** OTOBO means to reject a term that mixes AND and OR, but its check misses
  most cases and the generated SQL then falls back to SQL's precedence. We make that the
  documented rule instead: AND binds tighter than OR, so ``a OR b + c`` is
  ``a OR (b AND c)``. Two different operators with no word between them (``a + OR b``) are a
  :class:`SearchSyntaxError`.
* **``%``, ``_`` and ``\\`` are literal.** OTOBO binds the word without LIKE-escaping it, so a
  typed ``%`` or ``_`` becomes an SQL wildcard, and it strips every backslash. Here ``*`` is the
  only wildcard; a customer ID such as ``ACME_1`` or ``50%`` is found as typed.
* **Phrases glued to text** (``ab"c d"``) are concatenated (``abc d``); OTOBO would search
  for its internal placeholder. Whitespace after ``!`` is ignored (``! john`` is ``!john``).
* **Empty terms.** OTOBO treats an empty ``Search`` as "no criterion" and returns nothing with
  an error; we raise :class:`SearchSyntaxError` for a term with no words (empty, blank, or only
  operators). A term of only wildcards matches everything and parses to ``None``.
* **Limits.** A term may be at most :data:`MAX_TERM_LENGTH` characters and
  :data:`MAX_WORDS` words, and may not contain control characters (a tab counts as a space);
  every word costs one condition per search field, so unbounded terms are a cheap denial of
  service.

The AST is in disjunctive normal form: ``Or`` of ``And`` of ``Word``/``Not``, each level only
present when it has two or more items. It is pure data (``domain.search_ast``, re-exported
here); ``datasources/search_sql.py`` turns it into SQL, and :func:`matches` is the reference
semantics in plain Python. Splitting a term into words and operators is
``domain.search_lexer``; this module checks the limits, groups the words by the operators and
simplifies the result.
"""

from __future__ import annotations

import re

from domain.search_ast import (
    WILDCARD,
    And,
    Not,
    Or,
    Pattern,
    SearchExpr,
    Term,
    Word,
    exact_pattern,
    matches,
    parse_pattern,
)
from domain.search_lexer import Operator, ParsedWord, split_words

__all__ = [
    "MAX_TERM_LENGTH",
    "MAX_WORDS",
    "WILDCARD",
    "And",
    "Not",
    "Or",
    "Pattern",
    "SearchExpr",
    "SearchSyntaxError",
    "Term",
    "Word",
    "check_term",
    "exact_pattern",
    "matches",
    "parse_pattern",
    "parse_search",
]

MAX_TERM_LENGTH = 1000
"""Longest accepted search term, in characters (before trimming)."""

MAX_WORDS = 32
"""Most words (positive or negated) one search term may contain."""


class SearchSyntaxError(ValueError):
    """The search term cannot be searched for; the message says why, in words for the user."""


def parse_search(term: str, *, prefix: str = "*", suffix: str = "*") -> SearchExpr | None:
    """Parse an OTOBO free-text search term; ``None`` means the term matches everything.

    ``prefix`` and ``suffix`` are the backend's ``CustomerUserSearchPrefix``/``Suffix``; the
    defaults make every word a substring match, ``""``/``"*"`` a prefix match and ``""``/``""``
    an exact match. Raises :class:`SearchSyntaxError` for a term that is too long, has too many
    words, contains control characters, mixes two operators with nothing between them, or has
    no words at all.
    """
    check_term(term)
    text = term.strip()
    if not text:
        raise SearchSyntaxError("The search term is empty.")
    words = split_words(text)
    count = sum(1 for item in words if not isinstance(item, str))
    if count == 0:
        raise SearchSyntaxError("The search term has no words, only operators.")
    if count > MAX_WORDS:
        raise SearchSyntaxError(
            f"The search term has {count} words; at most {MAX_WORDS} are allowed."
        )
    groups = _group(words)
    terms = [
        [
            Not(parse_pattern(prefix + word.text + suffix))
            if word.negated
            else Word(parse_pattern(prefix + word.text + suffix))
            for word in group
        ]
        for group in groups
    ]
    return _simplify(terms)


# C0 controls except tab (a tab is whitespace like a space), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def check_term(term: str) -> None:
    """Raise :class:`SearchSyntaxError` for a value too long or with control characters (the
    limits every search argument shares)."""
    if len(term) > MAX_TERM_LENGTH:
        raise SearchSyntaxError(
            f"The search term is {len(term)} characters long; "
            f"at most {MAX_TERM_LENGTH} are allowed."
        )
    bad = _CONTROL.search(term)
    if bad is not None:
        raise SearchSyntaxError(
            f"The search term contains the control character U+{ord(bad.group()):04X} "
            f"at position {bad.start()}."
        )


def _group(items: list[ParsedWord | Operator]) -> list[list[ParsedWord]]:
    """Split into OR-groups of AND-ed words; drop leading, trailing and repeated operators."""
    groups: list[list[ParsedWord]] = [[]]
    pending: set[Operator] = set()
    for item in items:
        if isinstance(item, str):
            pending.add(item)
            continue
        if groups[-1]:
            if len(pending) > 1:
                raise SearchSyntaxError(
                    "The search term has AND ('+') and OR next to each other "
                    "with no word between them."
                )
            if pending == {"OR"}:
                groups.append([])
        groups[-1].append(item)
        pending.clear()
    return groups


def _simplify(groups: list[list[Term]]) -> SearchExpr | None:
    """Drop match-all words, de-duplicate, and unwrap single-item levels."""
    alternatives: list[And | Term] = []
    for group in groups:
        items = list(
            dict.fromkeys(
                term for term in group if not (isinstance(term, Word) and term.pattern.is_match_all)
            )
        )
        if not items:
            return None  # one alternative matches everything, so the whole term does
        alternatives.append(items[0] if len(items) == 1 else And(tuple(items)))
    unique = list(dict.fromkeys(alternatives))
    return unique[0] if len(unique) == 1 else Or(tuple(unique))
