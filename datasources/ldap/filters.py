"""LDAP search filters (RFC 4515) built in code from the search grammar and the query.

Every value that comes from a request goes through :func:`escape_value`, so it can only ever
be a value: ``*)(uid=*`` searches for those characters, it does not widen the filter. A ``*``
reaches a filter only as the wildcard between two escaped segments of a
:class:`~domain.search_grammar.Pattern`, and attribute names come only from the validated
configuration (checked once more here, because a name is spliced in unescaped).

bonsai's own ``escape_filter_exp`` is not used: it writes NUL as ``\\0``, where RFC 4515 needs
two hex digits (``\\00``), so a NUL in a login would make the filter invalid, or worse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from domain.config import LdapBackendConfig
from domain.customer_user_query import CustomerUserQuery
from domain.search_grammar import (
    And,
    Not,
    Or,
    Pattern,
    SearchExpr,
    Word,
    exact_pattern,
    parse_search,
)

__all__ = [
    "MATCH_ALL",
    "MATCH_NONE",
    "all_of",
    "any_of",
    "equals_any",
    "escape_value",
    "negate",
    "pattern_filter",
    "query_filter",
    "scoped",
    "search_filter",
]

MATCH_ALL = "(objectClass=*)"
"""True for every entry: every LDAP entry has an object class."""

MATCH_NONE = "(!(objectClass=*))"
"""False for every entry."""

_ATTRIBUTE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")

# RFC 4515 section 3: these five must be escaped in an assertion value.
_SPECIAL = {"*": "\\2a", "(": "\\28", ")": "\\29", "\\": "\\5c", "\x00": "\\00"}
# A lone surrogate (JSON allows "\ud800") has no UTF-8 form; it can match nothing real, so it is
# sent as U+FFFD rather than as bytes that would make the whole filter invalid UTF-8.
_REPLACEMENT = "\\ef\\bf\\bd"


def escape_value(value: str) -> str:
    """``value`` as an RFC 4515 assertion value that matches exactly these characters.

    ``*``, ``(``, ``)``, ``\\`` and NUL become ``\\2a``, ``\\28``, ``\\29``, ``\\5c``, ``\\00``;
    any other character that is not printable (controls, line breaks, format characters) is
    written as its UTF-8 bytes in ``\\XX`` form, so the filter stays one readable line. Other
    text stays UTF-8, which LDAPv3 servers expect (``Müller`` is sent as ``Müller``).
    """
    out: list[str] = []
    for char in value:
        special = _SPECIAL.get(char)
        if special is not None:
            out.append(special)
        elif char.isprintable():
            out.append(char)
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append(_REPLACEMENT)
        else:
            out.append("".join(f"\\{byte:02x}" for byte in char.encode("utf-8")))
    return "".join(out)


def _attribute(name: str) -> str:
    if not _ATTRIBUTE.match(name):
        raise ValueError(f"not an LDAP attribute name: {name!r}")
    return name


def all_of(parts: Iterable[str]) -> str:
    """``(&…)`` of ``parts``, leaving out parts that match everything."""
    kept = list(dict.fromkeys(p for p in parts if p != MATCH_ALL))
    if not kept:
        return MATCH_ALL
    if MATCH_NONE in kept:
        return MATCH_NONE
    return kept[0] if len(kept) == 1 else "(&" + "".join(kept) + ")"


def any_of(parts: Iterable[str]) -> str:
    """``(|…)`` of ``parts``; no part at all matches nothing."""
    kept = list(dict.fromkeys(p for p in parts if p != MATCH_NONE))
    if not kept:
        return MATCH_NONE
    if MATCH_ALL in kept:
        return MATCH_ALL
    return kept[0] if len(kept) == 1 else "(|" + "".join(kept) + ")"


def negate(part: str) -> str:
    if part == MATCH_ALL:
        return MATCH_NONE
    if part == MATCH_NONE:
        return MATCH_ALL
    return f"(!{part})"


def pattern_filter(attribute: str, pattern: Pattern) -> str:
    """``attribute`` matches ``pattern``, with the grammar's semantics.

    ``*`` alone matches every entry, even one without the attribute (as SQL's ``true``); the
    exact empty string matches an entry without the attribute (LDAP stores no empty strings,
    SQL's NULL counts as ``""``); otherwise an equality or a substring assertion. Whether case
    matters is the attribute's matching rule (``caseIgnoreMatch`` for the inetOrgPerson names).
    """
    name = _attribute(attribute)
    if pattern.is_match_all:
        return MATCH_ALL
    if not pattern.segments:
        return f"(!({name}=*))"
    exact = pattern.exact_value
    if exact is not None:
        return f"({name}={escape_value(exact)})"
    body = "*".join(escape_value(segment) for segment in pattern.segments)
    lead = "*" if pattern.leading_wildcard else ""
    trail = "*" if pattern.trailing_wildcard else ""
    return f"({name}={lead}{body}{trail})"


def search_filter(expr: SearchExpr | None, attributes: Sequence[str]) -> str:
    """The filter of a parsed free-text search over ``attributes`` (``None`` matches all).

    A word matches when any attribute matches, ``(|(a=…)(b=…))``; a negated word when none
    does, ``(!(|…))``: an entry without the attribute is not excluded by it, as a NULL column
    is not in SQL. ``+``/AND is ``(&…)`` and OR is ``(|…)``.
    """
    if expr is None:
        return MATCH_ALL
    if not attributes:
        raise ValueError("A search needs at least one attribute.")
    if isinstance(expr, Word):
        return any_of(pattern_filter(a, expr.pattern) for a in attributes)
    if isinstance(expr, Not):
        return negate(any_of(pattern_filter(a, expr.pattern) for a in attributes))
    parts = [search_filter(item, attributes) for item in expr.items]
    if isinstance(expr, And):
        return all_of(parts)
    assert isinstance(expr, Or)
    return any_of(parts)


def equals_any(attribute: str, values: Iterable[str]) -> str:
    """``attribute`` equals one of ``values`` (each fully escaped: ``*`` is literal)."""
    return any_of(pattern_filter(attribute, exact_pattern(v)) for v in values)


def scoped(config: LdapBackendConfig, clauses: Iterable[str], *, valid_only: bool) -> str:
    """``(&<clauses><always_filter><valid_filter if valid_only>)``: every filter the backend
    sends goes through here, so the always-filter is never forgotten. An entry without the
    login attribute is never a customer user."""
    parts = [f"({_attribute(config.customer_key)}=*)", *clauses, config.always_filter]
    if valid_only:
        parts.append(config.valid_filter)
    return all_of(p for p in parts if p)


def query_filter(config: LdapBackendConfig, query: CustomerUserQuery) -> str:
    """The whole filter for a ``customerUsers`` query: each given criterion narrows it.

    The free-text search is parsed with this backend's prefix and suffix (OTOBO's LDAP sample:
    ``''``/``'*'``, a prefix match); without search fields it searches the login, as OTOBO
    does. ``search_case_sensitive`` has no effect here: the matching rules decide.
    """
    clauses: list[str] = []
    if query.search is not None:
        expr = parse_search(query.search, prefix=config.search_prefix, suffix=config.search_suffix)
        clauses.append(search_filter(expr, config.search_fields or [config.customer_key]))
    if query.login is not None:
        clauses.append(pattern_filter(config.customer_key, query.login))
    if query.email is not None:
        clauses.append(
            any_of(
                pattern_filter(f, exact_pattern(query.email))
                for f in config.postmaster_search_fields
            )
        )
    if query.customer_id is not None:
        clauses.append(pattern_filter(config.customer_id, query.customer_id))
    if query.customer_id_exact is not None:
        clauses.append(pattern_filter(config.customer_id, exact_pattern(query.customer_id_exact)))
    return scoped(config, clauses, valid_only=query.valid_only)
