"""Search arguments: OTOBO's grammar, with a bad term reported as BAD_USER_INPUT."""

from __future__ import annotations

from domain.search_grammar import SearchExpr, SearchSyntaxError, parse_search
from resolvers.errors import BadUserInput


def search_argument(
    term: str | None, *, prefix: str = "*", suffix: str = "*", argument: str = "search"
) -> SearchExpr | None:
    """The parsed ``term`` (None when not given; note a wildcard-only term also parses to
    None, so callers that cap searches look at whether ``term`` was given)."""
    if term is None:
        return None
    try:
        return parse_search(term, prefix=prefix, suffix=suffix)
    except SearchSyntaxError as exc:
        raise BadUserInput(
            f"{argument}: {exc}" if argument != "search" else str(exc), argument=argument
        ) from exc
