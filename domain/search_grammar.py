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
present when it has two or more items. It is pure data; ``datasources/search_sql.py`` turns it
into SQL, and :func:`matches` is the reference semantics in plain Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

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

WILDCARD = "*"
"""The one wildcard character: any run of characters, including none."""


class SearchSyntaxError(ValueError):
    """The search term cannot be searched for; the message says why, in words for the user."""


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
    trimmed. ``%`` and ``_`` are literal, unlike in OTOBO (see the module docstring).
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
    words = _split_words(text)
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


# --- implementation ---------------------------------------------------------------------------

# C0 controls except tab (a tab is whitespace like a space), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# OTOBO's phrase rule, `"(.+?)"`: the shortest non-empty text between two quotes.
_PHRASE = re.compile(r'"(.+?)"', re.DOTALL)
# Outside phrases: whitespace runs, the AND operator `+`, and everything else.
_LEXEME = re.compile(r"(\s+)|(\+)|([^\s+]+)")
# A negated word: optional wildcards (added by OTOBO's frontend), then one or more `!`.
_NEGATION = re.compile(r"(\**)!+(.*)", re.DOTALL)

_Op = Literal["AND", "OR"]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    quoted: bool


@dataclass(frozen=True, slots=True)
class _Space:
    pass


@dataclass(frozen=True, slots=True)
class _ParsedWord:
    text: str
    negated: bool


_Token = tuple[_Piece, ...] | _Space | _Op


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


def _tokenize(text: str) -> list[_Token]:
    """Lex into chunks (adjacent text and phrases), spaces and operators."""
    pieces: list[_Piece | _Space | _Op] = []
    position = 0
    for phrase in _PHRASE.finditer(text):
        pieces.extend(_lex_unquoted(text[position : phrase.start()]))
        pieces.append(_Piece(phrase.group(1), quoted=True))
        position = phrase.end()
    pieces.extend(_lex_unquoted(text[position:]))

    tokens: list[_Token] = []
    chunk: list[_Piece] = []
    for item in [*pieces, _Space()]:
        if isinstance(item, _Piece):
            chunk.append(item)
            continue
        if chunk:
            tokens.append(tuple(chunk))
            chunk = []
        tokens.append(item)
    tokens.pop()  # the sentinel space

    # `AND`/`OR` are operators only as a whole unquoted chunk between spaces or term ends,
    # as OTOBO's `(\s|\(|\))AND(\s|\(|\))` (the term is wrapped in parentheses first).
    for index, token in enumerate(tokens):
        if (
            isinstance(token, tuple)
            and len(token) == 1
            and not token[0].quoted
            and token[0].text in ("AND", "OR")
            and (index == 0 or isinstance(tokens[index - 1], _Space))
            and (index == len(tokens) - 1 or isinstance(tokens[index + 1], _Space))
        ):
            tokens[index] = "AND" if token[0].text == "AND" else "OR"
    return tokens


def _lex_unquoted(text: str) -> list[_Piece | _Space | _Op]:
    lexed: list[_Piece | _Space | _Op] = []
    for match in _LEXEME.finditer(text):
        space, plus, other = match.groups()
        if space is not None:
            lexed.append(_Space())
        elif plus is not None:
            lexed.append("AND")
        else:
            assert other is not None
            lexed.append(_Piece(other, quoted=False))
    return lexed


def _split_words(text: str) -> list[_ParsedWord | _Op]:
    """Join chunks separated only by spaces into words; keep the operators between them."""
    items: list[_ParsedWord | _Op] = []
    current: list[_Piece] = []

    def flush() -> None:
        word = _make_word(current)
        if word is not None:
            items.append(word)
        current.clear()

    for token in _tokenize(text):
        if isinstance(token, _Space):
            continue
        if isinstance(token, str):
            flush()
            items.append(token)
            continue
        if current:
            # OTOBO removes whitespace between two wildcards (`%\s*%` -> `%`).
            before, after = current[-1], token[0]
            wildcards_meet = (
                not before.quoted
                and not after.quoted
                and before.text.endswith(WILDCARD)
                and after.text.startswith(WILDCARD)
            )
            if not wildcards_meet:
                current.append(_Piece(" ", quoted=False))
        current.extend(token)
    flush()
    return items


def _make_word(pieces: list[_Piece]) -> _ParsedWord | None:
    if not pieces:
        return None
    negated = False
    first = pieces[0]
    if not first.quoted:
        negation = _NEGATION.fullmatch(first.text)
        if negation is not None:
            negated = True
            pieces = [_Piece(negation.group(1) + negation.group(2), quoted=False), *pieces[1:]]
    # Only `! word` can leave unquoted whitespace at the start; OTOBO would search for it.
    while pieces and not pieces[0].quoted:
        stripped = pieces[0].text.lstrip()
        if stripped:
            pieces = [_Piece(stripped, quoted=False), *pieces[1:]]
            break
        pieces = pieces[1:]
    text = "".join(piece.text for piece in pieces)
    if not text:
        return None  # a lone `!`: OTOBO ignores it, and so do we
    return _ParsedWord(text, negated)


def _group(items: list[_ParsedWord | _Op]) -> list[list[_ParsedWord]]:
    """Split into OR-groups of AND-ed words; drop leading, trailing and repeated operators."""
    groups: list[list[_ParsedWord]] = [[]]
    pending: set[_Op] = set()
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
