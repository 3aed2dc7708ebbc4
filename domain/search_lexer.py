"""The lexical half of OTOBO's free-text search grammar: a trimmed term becomes its words
(with their negation) and the AND/OR operators between them.

Phrases, the ``+``/``AND``/``OR`` operators, ``!`` and the whitespace rules are described in
``domain.search_grammar``'s docstring; grouping the words by the operators is its job too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from domain.search_ast import WILDCARD

# OTOBO's phrase rule, `"(.+?)"`: the shortest non-empty text between two quotes.
_PHRASE = re.compile(r'"(.+?)"', re.DOTALL)
# Outside phrases: whitespace runs, the AND operator `+`, and everything else.
_LEXEME = re.compile(r"(\s+)|(\+)|([^\s+]+)")
# A negated word: optional wildcards (added by OTOBO's frontend), then one or more `!`.
_NEGATION = re.compile(r"(\**)!+(.*)", re.DOTALL)

Operator = Literal["AND", "OR"]


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    quoted: bool


@dataclass(frozen=True, slots=True)
class _Space:
    pass


@dataclass(frozen=True, slots=True)
class ParsedWord:
    """One word of the term, its ``!`` removed; prefix and suffix are not applied yet."""

    text: str
    negated: bool


_Token = tuple[_Piece, ...] | _Space | Operator


def _tokenize(text: str) -> list[_Token]:
    """Lex into chunks (adjacent text and phrases), spaces and operators."""
    pieces: list[_Piece | _Space | Operator] = []
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


def _lex_unquoted(text: str) -> list[_Piece | _Space | Operator]:
    lexed: list[_Piece | _Space | Operator] = []
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


def split_words(text: str) -> list[ParsedWord | Operator]:
    """Join chunks separated only by spaces into words; keep the operators between them."""
    items: list[ParsedWord | Operator] = []
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


def _make_word(pieces: list[_Piece]) -> ParsedWord | None:
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
    return ParsedWord(text, negated)
